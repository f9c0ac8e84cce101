"""The authority without any I/O: exact entries, idempotency, rebase, events, rollback in place."""

from __future__ import annotations

import contextlib
import logging
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.authority import Authority
from sync.document import Document
from sync.errors import (
    BadOpFormat,
    Conflict,
    Forbidden,
    FutureVersion,
    InvalidRange,
    LogGap,
    OpError,
    ResyncRequired,
    SeqReuse,
    SyncError,
    UnknownTarget,
)
from sync.events import (
    Change,
    OverdubAdded,
    OverdubRemoved,
    PauseChanged,
    Reset,
    SectionInserted,
    SectionMoved,
    SectionRemoved,
    SectionRenamed,
    TrackAdded,
    TrackRemoved,
    WordRun,
    WordsChanged,
)
from sync.model import Overdub, Section, TrackRef, Word
from sync.ops import (
    AddTranscript,
    Compound,
    Correct,
    Delete,
    InsertOverdub,
    MergeSection,
    Op,
    RemoveOverdub,
    RemoveTranscript,
    RenameSection,
    ReorderSection,
    Restore,
    SetPause,
    SplitSection,
)
from sync.snapshot import encode_snapshot
from tests.sync.factory import OpMaker, make_doc
from tests.sync.memstore import MemoryLog, PersistFailed

TRACK = TrackRef("A", "Host A", 30.0)
WORDS = tuple(Word(f"w{i}", "A", f"t{i}", 1.0 + i, 1.5 + i) for i in range(10))


def _authority(**kw: object) -> tuple[Authority, MemoryLog, list[Change]]:
    store = MemoryLog()
    auth = Authority(Document(), store, **kw)  # type: ignore[arg-type]
    heard: list[Change] = []
    auth.subscribe(heard.append)
    _do(auth, store, "seed", 1, None, AddTranscript(TRACK, WORDS))
    heard.clear()
    return auth, store, heard


def _do(
    auth: Authority, store: MemoryLog, cid: str, seq: int, base: int | None, op: Op
) -> tuple[Change, ...]:
    """One submit in its own transaction, the way a driver does it."""
    try:
        auth.submit(cid, seq, base, op, "ann")
        store.commit()
    except BaseException:
        store.abort()
        auth.rollback()
        raise
    return auth.commit()


def test_the_stored_entry_is_the_rebased_op_with_its_inverse_byte_for_byte() -> None:
    auth, store, heard = _authority()
    res = auth.submit("c1", 1, 1, Delete("w2", "w4"), "ann")
    assert heard == []  # nothing is told before the commit
    assert store.open and not store.rows[1:]
    version, op, inverse, author, cid, seq, kind, target, digest = store.open[0]
    assert (version, author, cid, seq, kind, target) == (2, "ann", "c1", 1, "do", None)
    assert op == b'{"v":1,"type":"delete","start_word":"w2","end_word":"w4","base_version":1}'
    assert inverse == b'{"v":1,"type":"restore","start_word":"w2","end_word":"w4"}'
    assert digest == res.entry.digest and len(str(digest)) == 64
    store.commit()
    (change,) = auth.commit()
    assert heard == [change]
    assert change.version == 2 and change.op == res.entry.op
    assert change.author == "ann" and change.client_id == "c1" and change.seq == 1
    assert change.events == (WordsChanged("status", (WordRun("w2", "w4", 2, 5),)),)
    assert not change.relayout


def test_a_resend_returns_the_original_and_changes_nothing() -> None:
    auth, store, _heard = _authority()
    (first,) = _do(auth, store, "c1", 1, 1, Delete("w2", "w4"))
    _do(auth, store, "c2", 1, 2, Correct("w7", "seven"))
    before = auth.document.snapshot()
    again = auth.submit("c1", 1, 1, Delete("w2", "w4"), "ann")
    assert again.duplicate and again.version == first.version == 2
    assert auth.commit() == () and auth.document.snapshot() == before
    assert not store.open
    # ...also once it has left memory: a fresh authority finds it in storage.
    fresh = Authority.load(store, window=1)
    assert fresh.submit("c1", 1, 1, Delete("w2", "w4"), "ann").version == 2
    assert fresh.document.content_hash() == auth.document.content_hash()


def test_a_reused_seq_with_another_op_is_a_protocol_error() -> None:
    auth, store, _ = _authority()
    _do(auth, store, "c1", 1, 1, Delete("w2", "w4"))
    with pytest.raises(SeqReuse) as caught:
        auth.submit("c1", 1, 1, Delete("w5", "w5"), "ann")
    assert caught.value.code == "seq_reuse" and auth.version == 2
    with pytest.raises(SeqReuse):  # the base is part of what was submitted
        auth.submit("c1", 1, 2, Delete("w2", "w4"), "ann")


def test_a_resend_inside_the_open_batch_is_the_pending_entry() -> None:
    auth, store, _ = _authority()
    a = auth.submit("c1", 1, 1, Delete("w2", "w4"), "ann")
    b = auth.submit("c1", 1, 1, Delete("w2", "w4"), "ann")
    assert b.duplicate and b.entry == a.entry and len(store.open) == 1


def test_an_op_is_rebased_onto_the_tail_its_author_had_not_seen() -> None:
    auth, store, _heard = _authority()
    _do(auth, store, "bob", 1, 1, Delete("w3", "w5"))
    _do(auth, store, "bob", 2, 2, Restore("w4", "w4"))
    _do(auth, store, "bob", 3, 3, SplitSection("w8", "Two", "s1"))
    res = auth.submit("ann", 1, 1, Delete("w1", "w6"), "ann")  # made at version 1
    # Bob restored w4 after Ann saw it kept: first writer wins, her delete skips it.
    assert res.adjusted and res.version == 5
    assert res.entry.op == Compound(
        "delete (rebased)", (Delete("w1", "w2"), Delete("w6", "w6")), base_version=4
    )
    store.commit()
    (change,) = auth.commit()
    assert change.events == (
        WordsChanged("status", (WordRun("w1", "w2", 1, 3), WordRun("w6", "w6", 6, 7))),
    )


def test_a_concurrent_conflict_is_refused_with_a_reason_and_changes_nothing() -> None:
    auth, store, _ = _authority()
    _do(auth, store, "bob", 1, 1, Correct("w3", "three"))
    before = auth.document.snapshot()
    with pytest.raises(Conflict) as caught:
        _do(auth, store, "ann", 1, 1, Correct("w3", "tree"))
    assert caught.value.code == "conflict" and "concurrently" in str(caught.value)
    assert auth.document.snapshot() == before and len(store.rows) == 2


@pytest.mark.parametrize(
    ("base", "op", "error", "code"),
    [
        (5, Delete("w1", "w1"), FutureVersion, "future_version"),
        (1, Delete("ghost", "w1"), Conflict, "conflict"),  # via rebase: no longer applies
        (None, Delete("ghost", "w1"), UnknownTarget, "unknown_target"),
        (None, Restore("w1", "w2"), InvalidRange, "invalid_range"),
    ],
)
def test_refusals_carry_their_wire_code(
    base: int | None, op: Op, error: type[Exception], code: str
) -> None:
    auth, store, heard = _authority()
    _do(auth, store, "bob", 1, 1, Correct("w9", "nine"))
    before = auth.document.snapshot()
    with pytest.raises(error) as caught:
        _do(auth, store, "ann", 1, base, op)
    assert caught.value.code == code
    assert auth.document.snapshot() == before and heard[-1].version == 2


def test_a_base_older_than_the_retained_log_asks_for_a_resync() -> None:
    auth, store, _ = _authority(window=2)
    for k in range(4):
        _do(auth, store, "bob", k + 1, None, Correct(f"w{k}", f"x{k}"))
    store.compacted_before = 3  # storage kept versions 4.. only
    with pytest.raises(ResyncRequired) as caught:
        auth.submit("ann", 1, 1, Delete("w8", "w8"), "ann")
    assert caught.value.version == 5 and caught.value.code == "resync_required"
    assert auth.submit("ann", 1, 4, Delete("w8", "w8"), "ann").version == 6


def test_authorize_can_forbid_an_author_and_nothing_changes() -> None:
    def viewers_read_only(author: str, op: Op) -> str | None:
        return "viewers cannot edit" if author == "viewer" else None

    auth, store, _heard = _authority(authorize=viewers_read_only)
    with pytest.raises(Forbidden) as caught:
        auth.submit("v", 1, 1, Delete("w1", "w1"), "viewer")
    assert "viewers cannot edit" in str(caught.value) and caught.value.code == "forbidden"
    assert auth.version == 1 and not store.open
    assert auth.submit("a", 1, 1, Delete("w1", "w1"), "ann").version == 2


@pytest.mark.parametrize(
    ("cid", "seq", "base", "op"),
    [
        ("", 1, None, Delete("w1", "w1")),
        ("c", 0, None, Delete("w1", "w1")),
        ("c", True, None, Delete("w1", "w1")),
        ("c", 1, -1, Delete("w1", "w1")),
        ("c", 1, "1", Delete("w1", "w1")),
        ("c", 1, None, {"type": "delete"}),
    ],
)
def test_a_malformed_submission_is_bad_message(cid: str, seq: int, base: int, op: Op) -> None:
    auth, store, _ = _authority()
    with pytest.raises(BadOpFormat):
        auth.submit(cid, seq, base, op, "ann")
    assert auth.version == 1 and not store.open


def test_failed_persist_restores_the_same_object_and_tells_nobody() -> None:
    auth, store, heard = _authority()
    doc = auth.document
    _do(auth, store, "c", 1, None, SplitSection("w5", "Two", "s1"))
    before = doc.snapshot()
    store.fail_next_append = True
    with pytest.raises(PersistFailed):
        _do(auth, store, "c", 2, None, Delete("w1", "w3"))
    assert auth.document is doc and doc.snapshot() == before
    assert [c.version for c in heard] == [2]
    assert _do(auth, store, "c", 2, None, Delete("w1", "w3"))[0].version == 3


def test_a_group_commit_rolls_back_whole_and_in_place() -> None:
    auth, store, heard = _authority()
    doc = auth.document
    before = doc.snapshot()
    auth.submit("a", 1, None, Delete("w1", "w3"), "ann")
    auth.submit("b", 1, 1, ReorderSection("s0", 0), "bob")
    auth.submit("a", 2, None, SplitSection("w6", "Two", "s1"), "ann")
    auth.submit("b", 2, 1, Correct("w2", "two"), "bob")  # rebased over the pending three
    auth.submit("a", 3, None, RemoveTranscript("A"), "ann")
    assert auth.version == 6 and len(auth.pending) == 5
    store.abort()
    auth.rollback()
    assert auth.document is doc and doc.snapshot() == before  # stamps and version included
    assert heard == [] and auth.version == auth.committed_version == 1
    # The keys were not used: the same submissions now commit as new ops.
    auth.submit("a", 1, None, Delete("w1", "w3"), "ann")
    auth.submit("b", 1, 1, Correct("w2", "two"), "bob")
    store.commit()
    assert [c.version for c in auth.commit()] == [2, 3] and [c.version for c in heard] == [2, 3]


def test_a_listener_that_raises_is_logged_and_breaks_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    auth, store, heard = _authority()

    def broken(change: Change) -> None:
        raise RuntimeError("view bug")

    auth.subscribe(broken)
    later: list[Change] = []
    stop = auth.subscribe(later.append)
    with caplog.at_level(logging.ERROR):
        _do(auth, store, "c", 1, None, Delete("w1", "w1"))
    assert "change listener failed" in caplog.text
    assert [c.version for c in heard] == [2] == [c.version for c in later]
    stop()
    _do(auth, store, "c", 2, None, Delete("w2", "w2"))
    assert len(later) == 1 and auth.committed_version == 3


def _events(auth: Authority, store: MemoryLog, op: Op) -> tuple[object, ...]:
    (change,) = _do(auth, store, "c", auth.version + 100, None, op)
    return change.events


def test_events_name_what_each_op_type_changed_by_id_and_position() -> None:
    auth, store, _ = _authority()
    od = Overdub("o1", "w4", "o1.wav", "fixed", 1.0)
    assert _events(auth, store, Correct("w3", "three")) == (
        WordsChanged("text", (WordRun("w3", "w3", 3, 4),)),
    )
    assert _events(auth, store, InsertOverdub(od)) == (OverdubAdded(od),)
    assert _events(auth, store, RemoveOverdub("o1")) == (OverdubRemoved(od),)
    assert _events(auth, store, SetPause("w2", 0.1)) == (PauseChanged("w2", None, 0.1),)
    s1 = Section("s1", "Two", WORDS[5].start)
    assert _events(auth, store, SplitSection("w5", "Two", "s1")) == (SectionInserted(s1, 1),)
    assert _events(auth, store, RenameSection("s1", "Middle")) == (
        SectionRenamed("s1", 1, "Two", "Middle"),
    )
    assert _events(auth, store, ReorderSection("s1", 0)) == (SectionMoved("s1", 1, 0),)
    # Program order is now w5..w9 then w0..w4: positions follow it.
    assert _events(auth, store, Delete("w8", "w1")) == (
        WordsChanged("status", (WordRun("w8", "w1", 3, 7),)),
    )
    assert _events(auth, store, MergeSection("s1")) == (
        SectionRemoved(Section("s1", "Middle", WORDS[5].start), 0),
    )
    track_b = TrackRef("B", "Host B")
    words_b = (Word("b0", "B", "hi", 0.2, 0.4),)
    assert _events(auth, store, AddTranscript(track_b, words_b)) == (TrackAdded(track_b, 1),)
    assert _events(auth, store, Compound("two", (Delete("b0", "b0"), Restore("w0", "w0")))) == (
        WordsChanged("status", (WordRun("b0", "b0", 0, 1), WordRun("w0", "w0", 1, 2))),
    )
    _events(auth, store, SetPause("b0", 0.05))
    assert _events(auth, store, RemoveTranscript("B")) == (
        PauseChanged("b0", 0.05, None),
        TrackRemoved(track_b),
    )


def test_absorb_applies_what_another_writer_committed_and_emits_it() -> None:
    auth, store, _ = _authority()
    other = Authority.load(store)
    _do(other, store, "bob", 1, None, Delete("w1", "w2"))
    _do(other, store, "bob", 2, None, RenameSection("s0", "Intro"))
    heard: list[Change] = []
    auth.subscribe(heard.append)
    changes = auth.absorb(store.entries_after(auth.version))
    assert [c.version for c in changes] == [2, 3] == [c.version for c in heard]
    assert changes[1].events == (SectionRenamed("s0", 0, "Episode", "Intro"),)
    assert auth.document.content_hash() == other.document.content_hash()
    assert auth.absorb(store.entries_after(1)) == ()  # already have them
    entry = store.entries_after(2)[0]  # type: ignore[index]
    gap = type(entry)(5, entry.op, entry.inverse, "x", "x", 9)
    with pytest.raises(LogGap):
        auth.absorb([gap])


def test_reset_replaces_the_document_in_place_and_says_so() -> None:
    auth, _store, heard = _authority()
    doc = auth.document
    other = Document()
    other.apply(AddTranscript(TrackRef("Z", "z"), (Word("z0", "Z", "z", 0.1, 0.2),)))
    change = auth.reset(other.snapshot())
    assert auth.document is doc and doc.content_hash() == other.content_hash()
    assert change.events == (Reset(1),) and change.entry is None and heard == [change]
    assert change.relayout


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(5, 60))
def test_resubmitting_any_committed_key_returns_its_original_version(seed: int, steps: int) -> None:
    """Three clients submit at random (often stale) bases; afterwards every committed
    submission, sent again, gets its original version back and changes nothing — from the
    live authority and from one loaded fresh from storage with a tiny window."""
    rnd = random.Random(seed)
    store = MemoryLog()
    auth = Authority(Document(), store)
    seed_doc = make_doc(rnd, n=25)
    for k, t in enumerate(seed_doc.tracks):
        words = tuple(w for w in seed_doc.words if w.track == t.id)
        _do(auth, store, "seed", k + 1, None, AddTranscript(t, words))
    maker = OpMaker(rnd, "p")
    seqs = {"a": 0, "b": 0, "c": 0}
    sent: list[tuple[str, int, int, Op, int]] = []
    for _ in range(steps):
        cid = rnd.choice("abc")
        base = rnd.randint(max(0, auth.version - 3), auth.version)
        op = maker.make(auth.document, rnd.choice(OpMaker.KINDS))
        if op is None:
            continue
        seqs[cid] += 1
        try:
            (change,) = _do(auth, store, cid, seqs[cid], base, op)
        except OpError:
            continue
        sent.append((cid, seqs[cid], base, op, change.version))
    before = auth.document.snapshot()
    fresh = Authority.load(store, window=2)
    for cid, seq, base, op, version in sent:
        for a in (auth, fresh):
            again = a.submit(cid, seq, base, op, cid)
            assert again.duplicate and again.version == version
            assert a.commit() == ()
    assert auth.document.snapshot() == before == fresh.document.snapshot()
    assert not store.open


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batches=st.integers(1, 12))
def test_random_group_commits_roll_back_exactly_or_persist_exactly(seed: int, batches: int) -> None:
    """Batches of random ops at random bases; each batch is committed or (injected failure)
    rolled back. A rolled-back batch leaves the same object byte-for-byte as before it; at the
    end a document replayed from the stored log equals the live one, stamps included."""
    rnd = random.Random(seed)
    store = MemoryLog()
    auth = Authority(Document(), store)
    doc = auth.document
    seed_doc = make_doc(rnd, n=30)
    for k, t in enumerate(seed_doc.tracks):
        words = tuple(w for w in seed_doc.words if w.track == t.id)
        _do(auth, store, "seed", k + 1, None, AddTranscript(t, words))
    maker = OpMaker(rnd, "g")
    seq = 0
    heard: list[Change] = []
    auth.subscribe(heard.append)
    for _ in range(batches):
        before = encode_snapshot(doc.snapshot())
        fail = rnd.random() < 0.4
        for _ in range(rnd.randint(1, 5)):
            op = maker.make(doc, rnd.choice(OpMaker.KINDS))
            if op is None:
                continue
            seq += 1
            base = rnd.randint(max(0, auth.committed_version - 2), auth.version)
            with contextlib.suppress(OpError):
                auth.submit("c", seq, base, op, "ann")
        if fail:
            store.abort()
            auth.rollback()
            assert auth.document is doc and encode_snapshot(doc.snapshot()) == before
        else:
            store.commit()
            auth.commit()
    assert [c.version for c in heard] == list(range(len(seed_doc.tracks) + 1, auth.version + 1))
    replayed = Authority.load(store).document
    assert encode_snapshot(replayed.snapshot()) == encode_snapshot(doc.snapshot())


_junk = st.none() | st.booleans() | st.integers(-3, 10**12) | st.text(max_size=4) | st.floats()


@settings(max_examples=200, deadline=None)
@given(
    cid=_junk | st.just("c"),
    seq=_junk | st.integers(1, 5),
    base=_junk | st.integers(0, 3),
    pick=st.integers(0, 40),
    author=_junk | st.just("ann"),
)
def test_fuzzed_submissions_raise_only_sync_errors_and_change_nothing_when_they_do(
    cid: object, seq: object, base: object, pick: int, author: object
) -> None:
    auth, store, heard = _authority()
    rnd = random.Random(pick)
    maker = OpMaker(rnd, "z")
    op: object = maker.make(auth.document, rnd.choice(OpMaker.KINDS)) if pick else {"v": 1}
    before = encode_snapshot(auth.document.snapshot())
    try:
        auth.submit(cid, seq, base, op, author)  # type: ignore[arg-type]
    except SyncError:
        assert encode_snapshot(auth.document.snapshot()) == before and not store.open
        assert auth.version == auth.committed_version
        return
    store.commit()
    assert [c.version for c in auth.commit()] == [2] == [c.version for c in heard]
