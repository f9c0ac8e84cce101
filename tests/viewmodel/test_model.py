"""The transcript view model: shapes, incremental updates per kind of change, selection, find."""

from __future__ import annotations

import random

import pytest

from editor.viewmodel import Kind, Style, TranscriptModel, Update
from editor.viewmodel.build import SPLIT_HARD
from sync import cleanup
from sync.document import Document
from sync.events import Change, Event
from sync.model import Overdub, TrackRef, Word
from sync.ops import (
    AddTranscript,
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
from tests.sync.factory import make_doc


def two_hosts() -> Document:
    """Ann and Bob talk in turns; a 2 s pause after w2; w5 is a filler, w6 unsure."""
    doc = Document()
    spec = [
        ("w0", "a", "Hello", 0.0, 0.4),
        ("w1", "a", "and", 0.5, 0.7),
        ("w2", "a", "welcome.", 0.8, 1.2),
        ("w3", "b", "Thanks", 3.2, 3.6),
        ("w4", "b", "Ann.", 3.7, 4.0),
        ("w5", "b", "um", 4.1, 4.3),
        ("w6", "b", "today", 4.4, 4.8),
        ("w7", "a", "Right.", 5.0, 5.4),
    ]
    words = {
        t: tuple(
            Word(i, t, text, s, e, 0.3 if i == "w6" else 0.95, None, i == "w5")
            for i, tr, text, s, e in spec
            if tr == t
        )
        for t in ("a", "b")
    }
    doc.apply(AddTranscript(TrackRef("a", "Ann", 6.0), words["a"]))
    doc.apply(AddTranscript(TrackRef("b", "Bob", 6.0), words["b"]))
    return doc


class Recorder:
    def __init__(self, model: TranscriptModel) -> None:
        self.updates: list[Update] = []
        model.subscribe(self.updates.append)


def change(doc: Document, op: Op) -> tuple[Change, Op]:
    """Apply ``op`` recording its typed events (what the authority does), and its inverse."""
    events: list[Event] = []
    inverse = doc.apply(op, events)
    return Change(doc.version, tuple(events), None), inverse


commit_change = change


def commit(doc: Document, model: TranscriptModel, op: Op) -> Op:
    """What the shell does: the authority commits, then the model hears the change."""
    c, inverse = change(doc, op)
    model.apply(c)
    return inverse


def shape(model: TranscriptModel) -> list[tuple[object, ...]]:
    """Everything a view draws, comparable between an updated model and a fresh one."""
    out: list[tuple[object, ...]] = []
    for p in model.paragraphs:
        out.append(("para", p.section, p.heading, p.speaker, p.continued))
        out.extend((t.key, t.kind, t.text, t.style, t.word, t.ordinal) for t in p.tokens)
    return out


def test_paragraphs_follow_speaker_turns_with_the_heading_on_the_first() -> None:
    model = TranscriptModel(two_hosts())
    paras = model.paragraphs
    assert [p.speaker for p in paras] == ["Ann", "Bob", "Ann"]
    assert [p.heading for p in paras] == ["Episode", None, None]
    assert [t.key for t in paras[0].tokens] == ["w0", "w1", "w2", "pause:w2"]
    assert paras[0].tokens[-1].text == "2.0s"
    assert paras[0].speaker_index == paras[2].speaker_index != paras[1].speaker_index
    assert [t.ordinal for t in model.words] == list(range(8))


def test_word_styles_come_from_the_document() -> None:
    model = TranscriptModel(two_hosts())
    assert model.word("w5").style == Style.FILLER
    assert model.word("w6").style == Style.LOW_CONFIDENCE
    assert model.word("w0").style == Style.NONE


def test_delete_restyles_only_the_struck_words() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    rec = Recorder(model)
    commit(doc, model, Delete("w3", "w4"))
    (u,) = rec.updates
    assert not u.structure and not u.relayout
    assert sorted(t.key for t in u.restyled) == ["w3", "w4"]
    assert model.word("w3").style & Style.DELETED
    commit(doc, model, Restore("w3", "w3"))
    assert [t.key for t in rec.updates[-1].restyled] == ["w3"]
    assert not model.word("w3").style & Style.DELETED


def test_a_pause_between_struck_words_is_struck_with_them() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    rec = Recorder(model)
    commit(doc, model, Delete("w2", "w3"))
    assert {t.key for t in rec.updates[-1].restyled} == {"w2", "w3", "pause:w2"}
    assert model.token("pause:w2").style & Style.DELETED


def test_correct_changes_text_and_asks_for_that_paragraph_only() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    rec = Recorder(model)
    commit(doc, model, Correct("w4", "Anne."))
    (u,) = rec.updates
    assert u.relayout == frozenset({1})
    tok = model.word("w4")
    assert tok.text == "Anne." and tok.style & Style.CORRECTED
    commit(doc, model, Correct("w4", "Ann."))  # back to the transcribed text
    assert model.word("w4").text == "Ann." and not model.word("w4").style & Style.CORRECTED


def test_shortened_pause_relabels_its_token() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    rec = Recorder(model)
    commit(doc, model, SetPause("w2", 0.5))
    pause = model.token("pause:w2")
    assert pause.text == "2.0s → 0.5s" and pause.style & Style.SHORTENED
    assert rec.updates[-1].relayout == frozenset({0})
    commit(doc, model, SetPause("w2", None))
    assert model.token("pause:w2").text == "2.0s"


def test_rename_changes_the_heading_in_place() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    rec = Recorder(model)
    commit(doc, model, RenameSection("s0", "Cold open"))
    assert model.paragraphs[0].heading == "Cold open"
    assert rec.updates[-1] == Update(relayout=frozenset({0}))


@pytest.mark.parametrize(
    ("op", "event"),
    [
        (SplitSection("w3", "Part two", "s1"), "SectionInserted"),
        (MergeSection("s9"), "SectionRemoved"),
        (ReorderSection("s9", 0), "SectionMoved"),
        (InsertOverdub(Overdub("o1", "w1", "o1.wav", "warmly", 0.6)), "OverdubAdded"),
        (RemoveOverdub("o0"), "OverdubRemoved"),
        (RemoveTranscript("b"), "TrackRemoved"),
        (
            AddTranscript(TrackRef("c", "Cat", 9.0), (Word("c0", "c", "Hi", 7.0, 7.3),)),
            "TrackAdded",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_structural_events_reshape_and_match_a_fresh_model(op: Op, event: str) -> None:
    doc = two_hosts()
    doc.apply(SplitSection("w6", "Later", "s9"))
    doc.apply(InsertOverdub(Overdub("o0", "w4", "o0.wav", "again", 0.5)))
    model = TranscriptModel(doc)
    model.select_ids("w0", "w1")
    rec = Recorder(model)
    change, _ = commit_change(doc, op)
    assert event in {type(e).__name__ for e in change.events}
    model.apply(change)
    assert rec.updates[-1].structure
    assert shape(model) == shape(TranscriptModel(doc))
    assert model.selection is not None and model.selection.first == "w0"


def test_a_reset_event_reshapes_from_the_document() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    rec = Recorder(model)
    doc.apply(Delete("w0", "w2"))  # e.g. a resync replaced the state behind the model
    model.apply(Change.reset(doc.version))
    assert rec.updates[-1].structure
    assert shape(model) == shape(TranscriptModel(doc))


def test_overdub_token_follows_its_word_and_is_marked_generated() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    commit(doc, model, InsertOverdub(Overdub("o1", "w1", "o1.wav", "warmly", 0.6)))
    keys = [t.key for t in model.paragraphs[0].tokens]
    assert keys[:3] == ["w0", "w1", "overdub:o1"]
    tok = model.token("overdub:o1")
    assert tok.kind is Kind.OVERDUB and tok.style & Style.GENERATED and tok.word == "w1"


def test_reorder_moves_the_section_and_keeps_the_selection_by_id() -> None:
    doc = two_hosts()
    doc.apply(SplitSection("w3", "Part two", "s1"))
    model = TranscriptModel(doc)
    rec = Recorder(model)
    model.select_ids("w4", "w5")
    commit(doc, model, ReorderSection("s1", 0))
    assert model.paragraphs[0].heading == "Part two"
    sel = model.selection
    assert sel is not None and (sel.first, sel.last) == ("w4", "w5")
    assert (sel.first_ordinal, sel.last_ordinal) == (1, 2)
    assert rec.updates[-1].selection


def test_reset_shows_a_new_document_and_drops_a_selection_it_lacks() -> None:
    model = TranscriptModel(two_hosts())
    model.select_ids("w1", "w2")
    other = make_doc(random.Random(3), 30)
    model.reset(other)  # the factory's ids are w0, w1...: the selection is kept by id
    assert model.document is other and model.selection is not None
    assert shape(model) == shape(TranscriptModel(other))
    model.reset(Document())
    assert model.selection is None and model.words == []


def test_undo_of_a_cleanup_compound_restores_every_word() -> None:
    doc = make_doc(random.Random(5), 300)
    model = TranscriptModel(doc)
    inverse = commit(doc, model, cleanup.remove_fillers(doc))
    assert shape(model) == shape(TranscriptModel(doc))
    commit(doc, model, inverse)
    assert shape(model) == shape(TranscriptModel(doc))
    assert not any(t.style & Style.DELETED for t in model.words)


def test_cut_runs_skip_struck_words_without_splitting() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    commit(doc, model, Delete("w2", "w2"))
    sel = model.select_ids("w1", "w4")
    assert model.cut_runs(sel) == [("w1", "w4")]
    assert model.restore_runs(sel) == [("w2", "w2")]
    commit(doc, model, Delete("w1", "w4"))
    assert model.cut_runs(sel) == []
    assert model.restore_runs(sel) == [("w1", "w4")]


def test_selected_text_is_the_kept_words_one_line_per_paragraph() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    commit(doc, model, Delete("w5", "w5"))
    model.select_ids("w1", "w6")
    assert model.selected_text() == "and welcome.\nThanks Ann. today"
    model.select_ids("w5", "w5")
    assert model.selected_text() == "um"  # all struck: copy what was selected


def test_select_clamps_and_orders() -> None:
    model = TranscriptModel(two_hosts())
    sel = model.select(5, -3)
    assert sel is not None and (sel.first, sel.last, sel.anchor_ordinal) == ("w0", "w5", 5)
    assert sel.caret_ordinal == 0 and len(sel) == 6 and 3 in sel


def test_find_marks_hits_and_moves_the_marks_with_the_phrase() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    assert model.find("thanks ANN") == [("w3", "w4")]
    assert model.word("w3").style & Style.MATCH and model.word("w4").style & Style.MATCH
    assert model.find("hello") == [("w0", "w0")]
    assert not model.word("w3").style & Style.MATCH
    assert model.find("...") == []
    assert not any(t.style & Style.MATCH for t in model.words)


def test_playing_word_moves_and_survives_a_restyle() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    rec = Recorder(model)
    model.set_playing("w1")
    model.set_playing("w3")
    assert {t.key for t in rec.updates[-1].restyled} == {"w1", "w3"}
    commit(doc, model, Delete("w3", "w3"))
    assert model.word("w3").style == Style.DELETED | Style.PLAYING
    model.set_playing(None)
    assert model.playing is None and model.word("w3").style == Style.DELETED


def test_a_long_monologue_is_split_into_continued_paragraphs() -> None:
    doc = Document()
    words = tuple(Word(f"w{i}", "a", "word", i * 0.3, i * 0.3 + 0.2) for i in range(400))
    doc.apply(AddTranscript(TrackRef("a", "Solo"), words))
    paras = TranscriptModel(doc).paragraphs
    assert len(paras) == 3 and max(len(p.tokens) for p in paras) == SPLIT_HARD
    assert [p.continued for p in paras] == [False, True, True]


def test_an_empty_section_keeps_its_heading() -> None:
    doc = two_hosts()
    doc.apply(SplitSection("w3", "Part two", "s1"))
    doc.apply(RemoveTranscript("b"))
    doc.apply(RemoveTranscript("a"))
    model = TranscriptModel(doc)
    assert [p.heading for p in model.paragraphs] == ["Episode", "Part two"]
    assert all(p.tokens == [] for p in model.paragraphs)


def test_a_listener_that_raises_does_not_stop_the_others() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)

    def broken(u: Update) -> None:
        raise RuntimeError("boom")

    model.subscribe(broken)
    rec = Recorder(model)
    commit(doc, model, Delete("w0", "w0"))
    assert len(rec.updates) == 1


def test_find_hits_survive_a_reshape() -> None:
    doc = two_hosts()
    model = TranscriptModel(doc)
    assert model.find("thanks ann") == [("w3", "w4")]
    commit(doc, model, SplitSection("w3", "Part two", "s1"))
    assert model.matches == [("w3", "w4")]
    assert model.word("w3").style & Style.MATCH
    model.clear_find()
    commit(doc, model, ReorderSection("s1", 0))
    assert model.matches == [] and not model.word("w3").style & Style.MATCH
