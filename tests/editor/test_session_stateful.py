"""Persisted = live, with two writers and injected persist failures (hypothesis stateful).

Two sessions (two connections, as two processes would have) edit one project with random ops,
undo, redo and refresh; some steps make the write fail at a chosen point (taking the sequence
number, appending the op, writing a snapshot). Invariants after every step: every change a
listener heard is in the store exactly as heard, and a failed write left the session's document
object in place and equal to what the store holds. At the end a document rebuilt from the
store equals both live ones, stamps included. A seeded run then checks the same from a fresh
process.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from editor.errors import NothingToUndo, StoreError
from editor.session import LocalSession, load_document
from editor.store import Store, open_store, oplog
from sync.document import Document
from sync.errors import OpError
from sync.events import Change
from sync.ops import AddTranscript, decode_op, encode_op, with_base
from sync.snapshot import encode_snapshot
from tests.sync.factory import OpMaker, make_doc

ROOT = Path(__file__).resolve().parents[2]

FAILURES = {
    "seq": "CREATE TEMP TRIGGER fail BEFORE UPDATE ON main.local_client "
    "BEGIN SELECT RAISE(ABORT, 'injected: seq'); END",
    "append": "CREATE TEMP TRIGGER fail BEFORE INSERT ON main.doc_ops "
    "BEGIN SELECT RAISE(ABORT, 'injected: append'); END",
    "snapshot": "CREATE TEMP TRIGGER fail BEFORE INSERT ON main.doc_snapshots "
    "BEGIN SELECT RAISE(ABORT, 'injected: snapshot'); END",
}


def _fast(store: Store) -> Store:
    # Durability on power loss is not what is under test; fsync per commit would be most of
    # the run time.
    store.conn.execute("PRAGMA synchronous = OFF")
    return store


class Shadow:
    """The document rebuilt from the stored rows alone, row by row as they appear."""

    def __init__(self, store: Store, pid: str) -> None:
        self.store, self.pid, self.doc = store, pid, Document()

    def current(self) -> bytes:
        for r in oplog.ops_after(self.store.conn, self.pid, self.doc.version):
            self.doc.apply(with_base(decode_op(r.op), None))
        return encode_snapshot(self.doc.snapshot())


class Writer:
    """One session on its own connection, with the changes its listener heard."""

    def __init__(self, home: Path, pid: str, user: str, every: int) -> None:
        self.store = _fast(open_store(home))
        self.shadow = Shadow(self.store, pid)
        self.session = LocalSession(self.store, pid, user=user, snapshot_every=every)
        self.heard: list[Change] = []
        self.checked = 0
        self.session.subscribe(self.heard.append)

    def write(self, action: str, op: object, failure: str | None) -> None:
        s = self.session
        doc = s.document
        if failure is not None:
            self.store.conn.execute(FAILURES[failure])
        try:
            if action == "undo":
                s.undo()
            elif action == "redo":
                s.redo()
            else:
                s.submit(op)  # type: ignore[arg-type]
        except (OpError, NothingToUndo):
            pass
        except StoreError as exc:
            assert failure is not None and "injected" in str(exc), exc
            assert s.document is doc
            assert s.version == oplog.head_version(self.store.conn, s.project_id)
            assert self.shadow.current() == encode_snapshot(doc.snapshot())
        finally:
            if failure is not None:
                self.store.conn.execute("DROP TRIGGER IF EXISTS temp.fail")

    def check_heard(self) -> None:
        """Every change heard since the last check is stored exactly as heard."""
        conn, pid = self.store.conn, self.session.project_id
        for change in self.heard[self.checked :]:
            assert change.entry is not None
            row = oplog.ops_after(conn, pid, change.version - 1)
            record = next(iter(row))
            assert record.version == change.version
            assert record.op == encode_op(change.entry.op).decode()
            assert (record.client_id, record.client_seq) == (change.client_id, change.seq)
        self.checked = len(self.heard)


class TwoWriters(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="wordcut-stateful-"))
        self.writers: list[Writer] = []

    @initialize(seed=st.integers(0, 2**32 - 1), every=st.sampled_from([0, 3, 7]))
    def start(self, seed: int, every: int) -> None:
        rnd = random.Random(seed)
        home = self.tmp / "home"
        with open_store(home) as store:
            pid = store.create_project("Ep").id
        self.maker = OpMaker(rnd, "h")
        self.writers = [Writer(home, pid, "ann", every), Writer(home, pid, "bob", 5)]
        seed_doc = make_doc(rnd, n=30)
        for t in seed_doc.tracks:
            words = tuple(w for w in seed_doc.words if w.track == t.id)
            self.writers[0].session.submit(AddTranscript(t, words))

    @rule(
        who=st.integers(0, 1),
        kind=st.sampled_from(OpMaker.KINDS),
        failure=st.sampled_from([None, None, None, None, "seq", "append", "snapshot"]),
    )
    def edit(self, who: int, kind: str, failure: str | None) -> None:
        w = self.writers[who]
        op = self.maker.make(w.session.document, kind)
        if op is not None:
            w.write("submit", op, failure)

    @rule(
        who=st.integers(0, 1),
        action=st.sampled_from(["undo", "redo"]),
        failure=st.sampled_from([None, None, "append"]),
    )
    def undo_redo(self, who: int, action: str, failure: str | None) -> None:
        self.writers[who].write(action, None, failure)

    @rule(who=st.integers(0, 1))
    def refresh(self, who: int) -> None:
        self.writers[who].session.refresh()

    @invariant()
    def listeners_heard_only_stored_changes(self) -> None:
        for w in self.writers:
            w.check_heard()

    def teardown(self) -> None:
        try:
            if self.writers:
                a, b = self.writers
                a.session.refresh()
                b.session.refresh()
                a.check_heard()
                b.check_heard()
                live = encode_snapshot(a.session.document.snapshot())
                assert encode_snapshot(b.session.document.snapshot()) == live
                with _fast(open_store(self.tmp / "home")) as fresh:
                    rebuilt = load_document(fresh, a.session.project_id)
                    assert encode_snapshot(rebuilt.snapshot()) == live
            for w in self.writers:
                w.store.close()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


TwoWriters.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestTwoWriters = TwoWriters.TestCase


REBUILD = """
import sys
from pathlib import Path
from editor.session import load_document
from editor.store import open_store
from sync.snapshot import encode_snapshot
with open_store(Path(sys.argv[1])) as store:
    sys.stdout.buffer.write(encode_snapshot(load_document(store, sys.argv[2]).snapshot()))
"""


def test_a_fresh_process_rebuilds_what_a_long_run_with_failures_left(tmp_path: Path) -> None:
    rnd = random.Random(20261201)
    home = tmp_path / "home"
    with open_store(home) as store:
        pid = store.create_project("Ep").id
    a, b = Writer(home, pid, "ann", 50), Writer(home, pid, "bob", 0)
    seed_doc = make_doc(rnd, n=60)
    for t in seed_doc.tracks:
        a.session.submit(AddTranscript(t, tuple(w for w in seed_doc.words if w.track == t.id)))
    maker = OpMaker(rnd, "r")
    failures = [None] * 9 + ["seq", "append", "snapshot"]
    for step in range(6000):
        w = (a, b)[rnd.randrange(2)]
        roll = rnd.random()
        failure = rnd.choice(failures)
        if roll < 0.1:
            w.write(rnd.choice(["undo", "redo"]), None, failure)
        elif roll < 0.15:
            w.session.refresh()
        else:
            op = maker.make(w.session.document, rnd.choice(OpMaker.KINDS))
            if op is not None:
                w.write("submit", op, failure)
        if step % 100 == 0:
            a.check_heard()
            b.check_heard()
    a.session.refresh()
    b.session.refresh()
    a.check_heard()
    b.check_heard()
    live = encode_snapshot(a.session.document.snapshot())
    assert encode_snapshot(b.session.document.snapshot()) == live
    assert a.session.version > 2500  # the run really edited
    for w in (a, b):
        w.store.close()
    out = subprocess.run(
        [sys.executable, "-c", REBUILD, str(home), pid],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert out.stdout == live
