"""The document's contract: bad input gets a typed error and changes nothing; listeners;
snapshots; the wire form refuses corrupt and newer ops."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import cleanup
from sync.document import Document
from sync.errors import (
    BadOpFormat,
    BadSnapshot,
    Conflict,
    InvalidRange,
    OpError,
    StaleVersion,
    UnknownTarget,
)
from sync.events import Event
from sync.model import Overdub, TrackRef, Word
from sync.ops import (
    LEAD,
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
    op_from_dict,
    op_to_dict,
)
from sync.snapshot import encode_snapshot

TEXT = "Um so welcome back to the show, uh, today we talk about audio. Audio edits, you know"


def _doc() -> Document:
    """Two tracks taking turns; words 0.4 s long, 0.6 s apart, fillers flagged."""
    doc = Document()
    fillers = {"um", "uh", "you", "know"}
    words = []
    for i, text in enumerate(TEXT.split()):
        track = "A" if (i // 4) % 2 == 0 else "B"
        plain = text.strip(",.").lower()
        words.append(Word(f"w{i}", track, text, 1.0 + i, 1.4 + i, filler=plain in fillers))
    for t in ("A", "B"):
        mine = tuple(w for w in words if w.track == t)
        doc.apply(AddTranscript(TrackRef(t, f"Host {t}", 20.0), mine))
    return doc


BAD: list[tuple[Op, type[OpError]]] = [
    (Delete("nope", "w3"), UnknownTarget),
    (Delete("w5", "w2"), InvalidRange),
    (Restore("w1", "w4"), InvalidRange),  # nothing there is deleted
    (Restore("w1", "ghost"), UnknownTarget),
    (Correct("ghost", "x"), UnknownTarget),
    (Correct("w1", "   "), InvalidRange),
    (Correct("w1", "so"), InvalidRange),  # already reads so
    (InsertOverdub(Overdub("o", "ghost", "o.wav", "x", 1.0)), UnknownTarget),
    (InsertOverdub(Overdub("o", "w1", "o.wav", "x", 0.0)), InvalidRange),
    (InsertOverdub(Overdub("o", "w1", "o.wav", "x", float("nan"))), InvalidRange),
    (RemoveOverdub("ghost"), UnknownTarget),
    (ReorderSection("s0", 1), InvalidRange),  # out of bounds: there is one section
    (ReorderSection("s0", -1), InvalidRange),
    (ReorderSection("ghost", 0), UnknownTarget),
    (SplitSection("w0", "x", "s9"), InvalidRange),  # the first word: an empty section
    (SplitSection("ghost", "x", "s9"), UnknownTarget),
    (SplitSection("w3", "x", "s0"), Conflict),  # id in use
    (MergeSection("s0"), InvalidRange),  # starts the episode
    (MergeSection("ghost"), UnknownTarget),
    (RenameSection("ghost", "x"), UnknownTarget),
    (SetPause("w1", 5.0), InvalidRange),  # the gap is 0.6 s
    (SetPause("w1", -0.1), InvalidRange),
    (SetPause("w1", None), InvalidRange),  # not edited
    (SetPause("ghost", 0.1), UnknownTarget),
    (AddTranscript(TrackRef("A", "again"), ()), Conflict),
    (AddTranscript(TrackRef("C", "c"), (Word("w1", "C", "x", 1, 2),)), Conflict),
    (AddTranscript(TrackRef("C", "c"), (Word("c1", "A", "x", 1, 2),)), InvalidRange),
    (AddTranscript(TrackRef("C", "c"), (Word("c1", "C", "x", 2, 1),)), InvalidRange),
    (AddTranscript(TrackRef("C", "c"), (Word("c1", "C", "x", -1, 1),)), InvalidRange),
    (RemoveTranscript("ghost"), UnknownTarget),
    (Compound("half", (Delete("w1", "w2"), Correct("ghost", "x"))), UnknownTarget),
    (Delete("w1", "w2", base_version=0), StaleVersion),
    (Delete("w1", "w2", base_version=99), StaleVersion),
]


@pytest.mark.parametrize(
    ("op", "error"), BAD, ids=[f"{type(o).__name__}-{i}" for i, (o, _) in enumerate(BAD)]
)
def test_bad_ops_raise_typed_errors_and_change_nothing(op: Op, error: type[OpError]) -> None:
    doc = _doc()
    seen: list[Event] = []
    before, version, snap = doc.content_hash(), doc.version, doc.snapshot()
    with pytest.raises(error) as caught:
        doc.validate(op)
    assert str(caught.value)  # a message for the user
    with pytest.raises(error):
        doc.apply(op, seen)
    assert doc.content_hash() == before and doc.version == version
    assert doc.snapshot() == snap  # stamps included: a refusal leaves no trace
    assert seen == []


def test_delete_and_restore_touch_only_what_changes_and_undo_exactly() -> None:
    doc = _doc()
    doc.apply(Delete("w3", "w3"))
    base = doc.content_hash()
    inverse = doc.apply(Delete("w1", "w6"))
    assert inverse == Compound("undo delete", (Restore("w1", "w2"), Restore("w4", "w6")))
    assert doc.plain_text(struck=True).startswith("Um ~~so~~ ~~welcome~~ ~~back~~")
    doc.apply(inverse)
    assert doc.content_hash() == base and doc.is_deleted("w3")


def test_corrections_show_and_reset() -> None:
    doc = _doc()
    inv = doc.apply(Correct("w3", "bark"))
    assert doc.text_of("w3") == "bark" and doc.word("w3").text == "back"
    doc.apply(inv)
    assert doc.text_of("w3") == "back" and doc.corrections == {}


def test_sections_split_rename_reorder_merge() -> None:
    doc = _doc()
    doc.apply(SplitSection("w8", "Topic", "s1"))
    doc.apply(RenameSection("s1", "Audio"))
    doc.apply(ReorderSection("s1", 0))
    assert [s.name for s in doc.sections] == ["Audio", "Episode"]
    assert doc.words[0].id == "w8" and doc.section_of("w3").id == "s0"
    assert doc.range_ids("w16", "w0") == ["w16", "w0"]  # program order crosses sections
    inverse = doc.apply(MergeSection("s1"))
    assert [w.id for w in doc.words] == [f"w{i}" for i in range(17)]
    doc.apply(inverse)
    assert [s.name for s in doc.sections] == ["Audio", "Episode"]


def test_remove_transcript_takes_attached_edits_and_its_undo_brings_them_back() -> None:
    doc = _doc()
    doc.apply(Delete("w4", "w5"))
    doc.apply(Correct("w6", "hey"))
    doc.apply(SetPause("w7", 0.1))
    doc.apply(InsertOverdub(Overdub("o", "w6", "o.wav", "x", 1.0)))
    before = doc.content_hash()
    inverse = doc.apply(RemoveTranscript("B"))
    assert all(doc.word(w.id).track == "A" for w in doc.words) and doc.overdubs == ()
    doc.apply(inverse)
    assert doc.content_hash() == before


def test_cleanup_builders_make_ordinary_undoable_ops() -> None:
    doc = _doc()
    fillers = cleanup.remove_fillers(doc)
    assert fillers.ops == (Delete("w0", "w0"), Delete("w7", "w7"), Delete("w15", "w16"))
    assert cleanup.remove_fillers(doc, ["w7"]).ops == (Delete("w7", "w7"),)
    with pytest.raises(UnknownTarget):
        cleanup.remove_fillers(doc, ["ghost"])
    before = doc.content_hash()
    inverse = doc.apply(fillers)
    assert (
        doc.plain_text() == "so welcome back to the show, today we talk about audio. Audio edits,"
    )
    doc.apply(inverse)
    assert doc.content_hash() == before
    assert cleanup.find_matches(doc, "AUDIO") == [("w12", "w12"), ("w13", "w13")]
    assert cleanup.find_matches(doc, "show uh") == [("w6", "w7")]
    doc.apply(Correct("w13", "Radio"))
    assert cleanup.cut_matches(doc, "audio").ops == (Delete("w12", "w12"),)
    with pytest.raises(InvalidRange):
        cleanup.find_matches(doc, " ,. ")


def test_pause_cleanup() -> None:
    doc = _doc()
    doc.apply(Delete("w9", "w9"))  # no effect on gaps next to struck words
    shorten = cleanup.shorten_pauses(doc, 0.5, 0.2)
    assert {op.after_word for op in shorten.ops if isinstance(op, SetPause)} == {
        f"w{i}" for i in range(16) if i not in (8, 9)
    }
    doc.apply(shorten)
    assert cleanup.shorten_pauses(doc, 0.5, 0.2).ops == ()  # already done
    with pytest.raises(InvalidRange):
        cleanup.shorten_pauses(doc, 0.2, 0.5)
    trim = cleanup.trim_silence(doc, 0.25)
    assert trim.ops == (SetPause(LEAD, 0.25), SetPause("w16", 0.25))


# --- snapshots ---------------------------------------------------------------------------------


def test_snapshot_round_trip_and_hash_ignores_version() -> None:
    doc = _doc()
    doc.apply(Delete("w1", "w2"))
    data = json.loads(encode_snapshot(doc.snapshot()))
    assert data["format"] == 1
    copy = Document.from_snapshot(data)
    assert copy.content_hash() == doc.content_hash() and copy.version == doc.version
    fresh = _doc()
    fresh.apply(Delete("w1", "w1"))
    fresh.apply(Delete("w2", "w2"))
    assert fresh.version != doc.version and fresh.content_hash() == doc.content_hash()


def _corrupt(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(data))
    out[key] = value
    return out


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("format", 2),
        ("format", "1"),
        ("version", -1),
        ("words", [{"id": "x"}]),
        ("deleted", ["ghost"]),
        ("sections", []),
        ("sections", [{"id": "a", "name": "A", "start": 1.0}]),
        ("overdubs", [{"id": "o", "after_word": "ghost", "clip": "c", "text": "", "duration": 1}]),
        ("pauses", {"w1": -3}),
        ("tracks", "nope"),
        ("stamps", {"order": "x"}),
    ],
)
def test_corrupt_or_newer_snapshots_are_refused(key: str, value: Any) -> None:
    data = msgspec.to_builtins(_doc().snapshot())
    with pytest.raises(BadSnapshot):
        Document.from_snapshot(_corrupt(data, key, value))


def test_a_snapshot_that_is_not_an_object_is_refused() -> None:
    for junk in (None, [], "doc", 3):
        with pytest.raises(BadSnapshot):
            Document.from_snapshot(junk)


# --- wire form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        {"v": 2, "type": "delete", "start_word": "a", "end_word": "b"},
        {"v": 0, "type": "delete", "start_word": "a", "end_word": "b"},
        {"type": "delete", "start_word": "a", "end_word": "b"},
        {"v": 1, "type": "explode"},
        {"v": 1, "type": "delete", "start_word": "a"},
        {"v": 1, "type": "delete", "start_word": 3, "end_word": "b"},
        {"v": 1, "type": "reorder_section", "section": "s", "new_index": 1.5},
        {"v": 1, "type": "reorder_section", "section": "s", "new_index": True},
        {"v": 1, "type": "set_pause", "after_word": "w", "duration": float("inf")},
        {"v": 1, "type": "insert_overdub", "overdub": "o"},
        {"v": 1, "type": "add_transcript", "track": {"id": "t", "label": "T"}, "words": {}},
        {"v": 1, "type": "compound", "label": "x", "ops": [{"type": "nope"}]},
        {"v": 1, "type": "delete", "start_word": "a", "end_word": "b", "base_version": "3"},
        [1, 2],
        "delete",
    ],
)
def test_corrupt_and_newer_ops_are_refused(raw: Any) -> None:
    with pytest.raises(BadOpFormat):
        op_from_dict(raw)


def test_deeply_nested_compounds_are_refused() -> None:
    raw: dict[str, Any] = {"type": "delete", "start_word": "a", "end_word": "b"}
    for _ in range(6):
        raw = {"type": "compound", "label": "x", "ops": [raw]}
    raw["v"] = 1
    with pytest.raises(BadOpFormat, match="nested"):
        op_from_dict(raw)


def test_unknown_extra_fields_are_ignored() -> None:
    raw = {"v": 1, "type": "correct", "word": "w1", "text": "x", "by": "someone", "base_version": 4}
    assert op_from_dict(raw) == Correct("w1", "x", base_version=4)
    assert op_to_dict(Correct("w1", "x", base_version=4)) == {
        "v": 1,
        "type": "correct",
        "word": "w1",
        "text": "x",
        "base_version": 4,
    }


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
_field_names = st.sampled_from(
    [
        "v",
        "type",
        "start_word",
        "end_word",
        "word",
        "text",
        "overdub",
        "section",
        "new_index",
        "ops",
        "label",
        "track",
        "words",
        "after_word",
        "duration",
        "base_version",
        "at_word",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(
        [
            "delete",
            "correct",
            "insert_overdub",
            "add_transcript",
            "compound",
            "set_pause",
            "split_section",
            "nope",
        ]
    ),
    fields=st.dictionaries(_field_names, _json, max_size=6),
)
def test_fuzzed_ops_only_ever_raise_bad_op_format(kind: str, fields: dict[str, Any]) -> None:
    raw = {"v": 1, "type": kind, **fields}
    try:
        op = op_from_dict(raw)
    except BadOpFormat:
        return
    assert op_from_dict(op_to_dict(op)) == op


_snapshot_keys = st.sampled_from(
    [
        "format",
        "version",
        "tracks",
        "words",
        "deleted",
        "corrections",
        "pauses",
        "overdubs",
        "sections",
        "stamps",
    ]
)


@settings(max_examples=200, deadline=None)
@given(key=_snapshot_keys, value=_json, drop=st.booleans())
def test_fuzzed_snapshots_load_whole_or_raise_bad_snapshot(
    key: str, value: Any, drop: bool
) -> None:
    from tests.sync.invariants import check_structure

    doc = _doc()
    doc.apply(Delete("w2", "w3"))
    doc.apply(SplitSection("w8", "Two", "s1"))
    data = msgspec.to_builtins(doc.snapshot())
    if drop:
        del data[key]
    else:
        data[key] = value
    try:
        loaded = Document.from_snapshot(data)
    except BadSnapshot as exc:
        assert str(exc)
        return
    check_structure(loaded)
