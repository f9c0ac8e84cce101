"""Several real processes writing one project: nobody fails, nobody is told to reopen.

The processes are real (``python -m editor.cli`` and a small child driving ``LocalSession``),
they share one library file, and they synchronise over pipes, never with sleeps.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from editor.session import LocalSession, load_document
from editor.store import Store, open_store, oplog
from sync.events import Change
from sync.ops import Delete
from tests.editor.conftest import transcript

ROOT = Path(__file__).resolve().parents[2]
N = 40


def _library(home: Path) -> tuple[str, list[str]]:
    """A library at ``home`` with project "Ep" holding an N-word transcript (version 1)."""
    with open_store(home) as store:
        p = store.create_project("Ep")
        s = LocalSession(store, p.id)
        s.submit(transcript(n=N))
        return p.id, [w.id for w in s.document.words]


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "WORDCUT_HOME": str(home), "PYTHONPATH": str(ROOT)}


def test_eight_concurrent_cut_commands_all_succeed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    pid, ids = _library(home)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "editor.cli", "cut", "Ep", "--words", f"{k * 4}-{k * 4 + 2}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(home),
            cwd=ROOT,
        )
        for k in range(8)
    ]
    results = [(p.wait(timeout=120), p.stdout, p.stderr) for p in procs]
    errors = [(rc, err.read() if err else "") for rc, _, err in results]
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream is not None:
                stream.close()
    assert errors == [(0, "")] * 8
    with open_store(home) as store:
        versions = [r.version for r in oplog.ops_after(store.conn, pid, 1)]
        assert versions == list(range(2, 10))  # eight new versions, gap-free
        seqs = {r.client_seq for r in oplog.ops_after(store.conn, pid, 1)}
        assert len(seqs) == 8  # one client per installation, one number per edit
        doc = load_document(store, pid)
    cut = {ids[k * 4 + d] for k in range(8) for d in range(3)}
    assert doc.deleted == cut


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from editor.session import LocalSession
    from editor.store import open_store
    from sync.ops import Delete

    store = open_store(Path(sys.argv[1]))
    s = LocalSession(store, sys.argv[2], user="bob")
    ids = [w.id for w in s.document.words]
    print("ready", s.version, flush=True)
    sys.stdin.readline()  # the parent edits meanwhile; this process has not seen it
    print("done", s.submit(Delete(ids[1], ids[6])), flush=True)
    sys.stdin.readline()
    print("undone", s.undo(), flush=True)
    """
)


def test_two_processes_rebase_onto_each_other_and_see_each_others_ops(tmp_path: Path) -> None:
    home = tmp_path / "home"
    pid, ids = _library(home)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home), pid],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(home),
        cwd=ROOT,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    try:
        assert child.stdout.readline().split() == ["ready", "1"]
        store = open_store(home)
        ann = LocalSession(store, pid, user="ann")
        heard: list[Change] = []
        ann.subscribe(heard.append)
        ann.submit(Delete(ids[3], ids[4]))  # version 2, unseen by bob
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().split() == ["done", "3"]
        # Bob's delete of 1..6, made at version 1, spans ann's deleted 3..4 unchanged.
        assert [c.version for c in ann.refresh()] == [3] and heard[-1].author == "bob"
        assert ann.document.deleted == {ids[i] for i in range(1, 7)}
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().split() == ["undone", "4"]
        ann.refresh()
        # Bob's undo restores what his delete changed and leaves ann's cut alone.
        assert ann.document.deleted == {ids[3], ids[4]}
        assert ann.can_undo() and ann.undo() == 5 and ann.document.deleted == set()
        fresh: Store = open_store(home)
        assert load_document(fresh, pid).content_hash() == ann.document.content_hash()
        fresh.close()
        store.close()
    finally:
        child.stdin.close()
        assert child.wait(timeout=60) == 0, child.stderr.read()
        child.stdout.close()
        child.stderr.close()
