"""Crash safety: ``kill -9`` during a burst of edits loses no edit whose ``submit`` returned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from editor.session import LocalSession, load_document
from editor.store import open_store
from sync.ops import Delete
from tests.editor.conftest import transcript

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import sys
    from editor.session import LocalSession
    from editor.store import open_store
    from sync.ops import Delete, Restore

    store = open_store(sys.argv[1])
    session = LocalSession(store, sys.argv[2], snapshot_every=50)
    ids = [w.id for w in session.document.words]
    for i in range(1000):
        w = ids[(i // 2) % len(ids)]
        version = session.submit(Delete(w, w) if i % 2 == 0 else Restore(w, w))
        print(version, flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_kill_9_mid_burst_keeps_every_returned_edit(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        project = store.create_project("Crash")
        LocalSession(store, project.id).submit(transcript(n=200))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(home), project.id],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None
    printed: list[int] = []
    for line in child.stdout:
        printed.append(int(line))
        if len(printed) == 300:  # mid-burst, while the child keeps writing
            os.kill(child.pid, signal.SIGKILL)
            break
    printed.extend(int(line) for line in child.stdout)  # lines already in the pipe
    child.wait()
    assert child.returncode == -signal.SIGKILL, "the child finished before it was killed"
    with open_store(home) as store:
        assert store.integrity_check() == ["ok"]
        stored = {r[0] for r in store.conn.execute("SELECT version FROM doc_ops")}
        assert set(printed) <= stored
        doc = load_document(store, project.id)
        assert doc.version >= max(printed)
        assert sorted(stored) == list(range(1, doc.version + 1))
        # The reopened project accepts new edits right after the last stored one.
        session = LocalSession(store, project.id)
        assert session.document.content_hash() == doc.content_hash()
        w = session.document.words[-1].id
        assert session.submit(Delete(w, w)) == doc.version + 1
