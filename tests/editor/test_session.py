"""The local session: persisted equals live, undo/redo per user, bad ops change nothing."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.errors import NothingToUndo, StoreError
from editor.session import LocalSession, load_document
from editor.store import Store, oplog
from sync.errors import BadOpFormat, InvalidRange, OpError, UnknownTarget
from sync.events import Change, WordRun, WordsChanged
from sync.ops import (
    Compound,
    Correct,
    Delete,
    Op,
    RenameSection,
    ReorderSection,
    Restore,
    SetPause,
    SplitSection,
)
from tests.editor.conftest import transcript

N = 30


def _session(store: Store, **kw: object) -> LocalSession:
    p = store.create_project("Ep")
    s = LocalSession(store, p.id, **kw)  # type: ignore[arg-type]
    s.submit(transcript(n=N))
    return s


def _op_strategy() -> st.SearchStrategy[tuple[str, int, int, str]]:
    return st.tuples(
        st.sampled_from(
            ["delete", "restore", "correct", "split", "rename", "move", "pause", "undo", "redo"]
        ),
        st.integers(0, N - 1),
        st.integers(0, N - 1),
        st.text("abcxyz ", min_size=1, max_size=6),
    )


def _make(session: LocalSession, kind: str, a: int, b: int, text: str, n: int) -> Op | None:
    doc = session.document
    ids = [w.id for w in doc.words]
    lo, hi = sorted((a, b))
    sections = doc.sections
    if not ids and kind not in ("rename", "move"):
        return None  # the transcript import itself was undone: nothing to address
    match kind:
        case "delete":
            return Delete(ids[lo], ids[hi])
        case "restore":
            return Restore(ids[lo], ids[hi])
        case "correct":
            return Correct(ids[a], text)
        case "split":
            return SplitSection(ids[a], text, f"sec{n}")
        case "rename":
            return RenameSection(sections[a % len(sections)].id, text)
        case "move":
            return ReorderSection(sections[a % len(sections)].id, b % len(sections))
        case "pause":
            return SetPause(ids[a], (b % 4) / 10 if b % 5 else None)
    return None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(_op_strategy(), max_size=25), every=st.sampled_from([0, 3, 7]))
def test_persisted_equals_live_after_reload(store: Store, steps, every: int) -> None:
    session = LocalSession(store, store.create_project(f"P{len(store.projects())}").id,
                           snapshot_every=every)  # fmt: skip
    session.submit(transcript(n=N))
    for n, (kind, a, b, text) in enumerate(steps):
        before = (session.version, session.document.content_hash())
        try:
            if kind == "undo":
                session.undo()
            elif kind == "redo":
                session.redo()
            else:
                op = _make(session, kind, a, b, text, n)
                if op is not None:
                    session.submit(op)
        except (OpError, NothingToUndo):
            assert (session.version, session.document.content_hash()) == before
            assert store.head_version(session.project_id) == session.version
    reloaded = load_document(store, session.project_id)
    assert reloaded.version == session.version
    assert reloaded.content_hash() == session.document.content_hash()
    # A new session (a new process) rebuilds the same undo/redo stacks.
    again = LocalSession(store, session.project_id)
    assert (again.can_undo(), again.can_redo()) == (session.can_undo(), session.can_redo())


def test_undo_redo_are_per_user_and_compound_is_one_step(store: Store) -> None:
    ann = _session(store, user="ann")
    bob = LocalSession(store, ann.project_id, user="bob")
    ids = [w.id for w in ann.document.words]
    ann.submit(Delete(ids[0], ids[1]))
    bob.submit(Correct(ids[5], "fixed"))  # bob's session catches up with ann's delete first
    ann.submit(Compound("two cuts", (Delete(ids[10], ids[10]), Delete(ids[12], ids[13]))))
    ann.undo()
    doc = ann.document
    assert not doc.is_deleted(ids[10]) and not doc.is_deleted(ids[13])
    assert doc.is_deleted(ids[0]) and doc.text_of(ids[5]) == "fixed"  # bob's edit stays
    ann.undo()
    assert not doc.is_deleted(ids[0])
    ann.undo()  # ann's transcript import
    assert len(doc.words) == 0
    with pytest.raises(NothingToUndo):
        LocalSession(store, ann.project_id, user="ann").undo()
    ann.redo()
    assert len(doc.words) == N
    ann.submit(Correct(ids[2], "new"))
    assert not ann.can_redo()  # a new edit clears redo
    with pytest.raises(NothingToUndo):
        ann.redo()


def test_bad_ops_change_neither_document_nor_store(store: Store) -> None:
    s = _session(store)
    ids = [w.id for w in s.document.words]
    h, v = s.document.content_hash(), s.version
    rows = store.conn.execute("SELECT count(*) FROM doc_ops").fetchone()[0]
    bad: list[tuple[Op, type[Exception]]] = [
        (Delete("nope", ids[3]), UnknownTarget),
        (Delete(ids[5], ids[2]), InvalidRange),
        (Restore(ids[1], ids[2]), InvalidRange),  # not deleted
        (ReorderSection(s.document.sections[0].id, 5), InvalidRange),
        (Correct("ghost", "x"), UnknownTarget),
        (Compound("half good", (Delete(ids[0], ids[1]), Correct("ghost", "x"))), UnknownTarget),
    ]
    for op, err in bad:
        with pytest.raises(err):
            s.submit(op)
    assert (s.document.content_hash(), s.version) == (h, v)
    assert store.conn.execute("SELECT count(*) FROM doc_ops").fetchone()[0] == rows


def test_listeners_hear_only_committed_ops(store: Store) -> None:
    s = _session(store)
    heard: list[Change] = []
    unsubscribe = s.subscribe(heard.append)
    ids = [w.id for w in s.document.words]
    s.submit(Delete(ids[0], ids[0]))
    with pytest.raises(OpError):
        s.submit(Delete("x", "y"))
    s.undo()
    assert [(c.version, c.entry and c.entry.kind) for c in heard] == [(2, "do"), (3, "undo")]
    assert heard[0].events == (WordsChanged("status", (WordRun(ids[0], ids[0], 0, 1),)),)
    assert heard[1].client_id == s.client_id and heard[1].seq == heard[0].seq + 1
    unsubscribe()
    s.submit(Delete(ids[1], ids[1]))
    assert len(heard) == 2


def test_a_failed_persist_leaves_memory_as_stored(store: Store) -> None:
    s = _session(store)
    ids = [w.id for w in s.document.words]
    s.submit(Delete(ids[0], ids[0]))
    doc, snap = s.document, s.document.snapshot()
    heard: list[Change] = []
    s.subscribe(heard.append)
    store.conn.execute(
        "CREATE TRIGGER fail BEFORE INSERT ON doc_ops BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(StoreError, match="disk full"):
        s.submit(Delete(ids[3], ids[4]))
    assert s.document is doc and doc.snapshot() == snap and heard == []
    v = s.version
    store.conn.execute("DROP TRIGGER fail")
    assert s.submit(Delete(ids[3], ids[4])) == v + 1


def test_a_second_writer_catches_up_and_rebases_instead_of_failing(store: Store) -> None:
    a = _session(store)
    b = LocalSession(store, a.project_id)
    ids = [w.id for w in a.document.words]
    heard: list[Change] = []
    b.subscribe(heard.append)
    a.submit(Delete(ids[0], ids[3]))
    a.submit(Restore(ids[2], ids[2]))
    # b still shows version 1; its delete of 1..5 is rebased past a's two edits (a's restore
    # of word 2 wins on that word).
    v = b.submit(Delete(ids[1], ids[5]))
    assert v == 4 and [c.version for c in heard] == [2, 3, 4]
    assert [i for i in ids[:7] if b.document.is_deleted(i)] == [
        ids[0],
        ids[1],
        ids[3],
        ids[4],
        ids[5],
    ]
    assert a.refresh()[-1].version == 4 and a.refresh() == ()
    assert a.document.content_hash() == b.document.content_hash()
    assert load_document(store, a.project_id).content_hash() == a.document.content_hash()


def test_corrupt_or_newer_stored_op_is_a_clear_error(store: Store) -> None:
    s = _session(store)
    ids = [w.id for w in s.document.words]
    s.submit(Delete(ids[0], ids[0]))
    store.conn.execute(
        "UPDATE doc_ops SET op_json = ? WHERE version = 2",
        ('{"v": 99, "type": "delete", "start_word": "a", "end_word": "b"}',),
    )
    with pytest.raises(StoreError, match="newer") as info:
        load_document(store, s.project_id)
    assert isinstance(info.value.__cause__, BadOpFormat)
    store.conn.execute("UPDATE doc_ops SET op_json = '{not json' WHERE version = 2")
    with pytest.raises(StoreError, match="cannot be replayed"):
        LocalSession(store, s.project_id)


def test_a_damaged_snapshot_falls_back_to_the_log(store: Store) -> None:
    s = _session(store, snapshot_every=2)
    ids = [w.id for w in s.document.words]
    for i in range(5):
        s.submit(Delete(ids[i], ids[i]))
    assert [v for v, _ in oplog.snapshots(store.conn, s.project_id)] == [6, 4]
    store.conn.execute("UPDATE doc_snapshots SET data = x'00' WHERE version = 6")
    assert load_document(store, s.project_id).content_hash() == s.document.content_hash()


def test_integrity_after_many_ops(store: Store) -> None:
    s = _session(store, snapshot_every=10)
    ids = [w.id for w in s.document.words]
    for i in range(40):
        s.submit(
            Delete(ids[i % N], ids[i % N])
            if i % 2 == 0
            else Restore(ids[(i - 1) % N], ids[(i - 1) % N])
        )
    assert store.integrity_check() == ["ok"]
    conn = sqlite3.connect(store.db_path)
    versions = [r[0] for r in conn.execute("SELECT version FROM doc_ops ORDER BY version")]
    assert versions == list(range(1, s.version + 1))
    conn.close()


def test_one_users_undo_follows_their_edits_made_in_another_process(store: Store) -> None:
    a = _session(store, user="ann")
    other = Store(store.home)  # a second connection, as a second process has
    b = LocalSession(other, a.project_id, user="ann")
    ids = [w.id for w in a.document.words]
    a.submit(Delete(ids[0], ids[2]))
    # b has not seen the delete, but it is ann's latest edit: b's undo takes it back.
    b.undo()
    assert not b.document.is_deleted(ids[1]) and b.can_redo()
    a.refresh()
    assert not a.document.is_deleted(ids[1]) and a.can_redo()
    assert a.redo() == b.version + 1
    b.refresh()
    assert b.document.is_deleted(ids[1]) and not b.can_redo()
    other.close()
