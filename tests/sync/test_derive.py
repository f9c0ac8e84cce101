"""Document -> EDL: cuts in silence, pause edits, clips, section order, and the program maps."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from render.edl import ClipInsert, EdlTrack, SourceRange
from sync import cleanup
from sync.derive import ProgramMap, derive_edl
from sync.document import Document
from sync.errors import OpError, UnknownTarget
from sync.model import Overdub, TrackRef, Word
from sync.ops import (
    AddTranscript,
    Delete,
    InsertOverdub,
    ReorderSection,
    SetPause,
    SplitSection,
)
from tests.sync.factory import OpMaker, make_doc
from tests.sync.invariants import check_derivation, edl_seconds, media


def _line(n: int = 10, *, duration: float | None = 12.0) -> Document:
    """Words 0.5 s long every second, starting at 1 s: w0 1.0-1.5, w1 2.0-2.5, ..."""
    doc = Document()
    words = tuple(Word(f"w{i}", "A", f"word{i}", 1.0 + i, 1.5 + i) for i in range(n))
    doc.apply(AddTranscript(TrackRef("A", "Ann", duration), words))
    return doc


def _ranges(doc: Document, **kw: object) -> list[tuple[float, float] | str]:
    edl = derive_edl(doc, media(doc), **kw)  # type: ignore[arg-type]
    return [
        (round(s.start, 6), round(s.end, 6)) if isinstance(s, SourceRange) else s.path.name
        for s in edl.segments
    ]


def test_an_unedited_document_is_one_range_of_the_whole_media() -> None:
    assert _ranges(_line()) == [(0.0, 12.0)]
    assert _ranges(_line(duration=None)) == [(0.0, 10.5)]


def test_a_document_without_words_plays_its_tracks_whole() -> None:
    doc = Document()
    assert derive_edl(doc, {}).segments == ()
    doc.apply(AddTranscript(TrackRef("A", "Ann", 30.0), ()))
    assert _ranges(doc) == [(0.0, 30.0)]
    assert ProgramMap.build(doc, derive_edl(doc, media(doc))).spans() == []


def test_a_deleted_run_is_cut_at_the_middle_of_both_gaps() -> None:
    doc = _line()
    doc.apply(Delete("w3", "w5"))
    # w2 ends 3.5, w3 starts 4.0 -> cut at 3.75; w5 ends 6.5, w6 starts 7.0 -> resume at 6.75.
    assert _ranges(doc) == [(0.0, 3.75), (6.75, 12.0)]


def test_cut_points_go_where_quietest_says_inside_the_gap() -> None:
    doc = _line()
    doc.apply(Delete("w3", "w5"))
    rate = 1000
    t = np.arange(0, 12.0, 1 / rate)
    envelope = np.ones_like(t)
    envelope[int(3.6 * rate)] = 0.0  # the quietest instant after w2
    envelope[int(6.9 * rate)] = 0.0  # and before w6
    asked: list[tuple[str, float, float]] = []

    def quietest(track: str, a: float, b: float) -> float:
        asked.append((track, a, b))
        lo, hi = round(a * rate), round(b * rate)
        return float(t[lo + int(np.argmin(envelope[lo:hi]))])

    assert _ranges(doc, quietest=quietest) == [(0.0, 3.6), (6.9, 12.0)]
    assert asked == [("A", 3.5, 4.0), ("A", 6.5, 7.0)]
    # A quietest that answers outside the gap is clamped into it: never into a word.
    assert _ranges(doc, quietest=lambda tr, a, b: a - 5) == [(0.0, 3.5), (6.5, 12.0)]


def test_a_shortened_pause_keeps_exactly_the_duration_around_the_quiet_point() -> None:
    doc = _line()
    doc.apply(SetPause("w2", 0.1))  # gap 3.5..4.0 keeps 0.1 s: removes 3.55..3.95
    assert _ranges(doc) == [(0.0, 3.55), (3.95, 12.0)]
    edl = derive_edl(doc, media(doc))
    assert edl_seconds(edl, doc) == pytest.approx(12.0 - 0.4)


def test_trim_silence_trims_lead_and_tail() -> None:
    doc = _line()
    doc.apply(cleanup.trim_silence(doc, keep=0.25))
    assert _ranges(doc) == [(0.75, 10.75)]


def test_overdubs_play_after_their_word_kept_deleted_or_last() -> None:
    doc = _line()
    doc.apply(InsertOverdub(Overdub("o1", "w1", "one.wav", "x", 1.0)))
    doc.apply(InsertOverdub(Overdub("o0", "w1", "zero.wav", "x", 1.0)))
    doc.apply(Delete("w4", "w4"))
    doc.apply(InsertOverdub(Overdub("o2", "w4", "two.wav", "x", 1.0)))
    doc.apply(InsertOverdub(Overdub("o3", "w9", "three.wav", "x", 1.0)))
    assert _ranges(doc) == [
        (0.0, 2.75),
        "zero.wav",  # several after one word play in id order
        "one.wav",
        (2.75, 4.75),
        "two.wav",  # where the deleted word was
        (5.75, 12.0),
        "three.wav",  # after the tail of the last section
    ]


def test_sections_play_in_their_order_and_chapters_follow() -> None:
    doc = _line()
    doc.apply(SplitSection("w5", "Second", "s2"))
    assert _ranges(doc) == [(0.0, 12.0)]  # in order: boundaries abut and merge
    doc.apply(ReorderSection("s2", 0))
    assert _ranges(doc) == [(5.75, 12.0), (0.0, 5.75)]
    edl = derive_edl(doc, media(doc))
    pm = ProgramMap.build(doc, edl)
    assert pm.section_starts() == [("Second", 0.0), ("Episode", pytest.approx(6.25))]
    assert [w for w, _, _ in pm.spans()][:2] == ["w5", "w6"]
    assert pm.word_span("w5") == (pytest.approx(0.25), pytest.approx(0.75))
    assert pm.word_span("w0") == (pytest.approx(7.25), pytest.approx(7.75))


def test_program_map_both_ways() -> None:
    doc = _line()
    doc.apply(Delete("w2", "w3"))
    doc.apply(InsertOverdub(Overdub("o", "w5", "o.wav", "x", 2.0)))
    edl = derive_edl(doc, media(doc))
    pm = ProgramMap.build(doc, edl)
    assert pm.word_span("w2") is None and pm.word_span("nope") is None
    for wid, a, b in pm.spans():
        w = doc.word(wid)
        assert b - a == pytest.approx(w.end - w.start)
        assert pm.word_at((a + b) / 2) == wid
    a5 = pm.word_span("w5")
    assert a5 is not None
    assert pm.word_at(a5[1] + 0.5) is None  # the clip: no word plays
    a6 = pm.word_span("w6")
    assert a6 is not None and a6[0] - a5[1] == pytest.approx(2.0 + 0.5)


def test_missing_media_for_a_track_is_a_typed_error() -> None:
    doc = _line()
    with pytest.raises(UnknownTarget, match="no media"):
        derive_edl(doc, {})
    extra = derive_edl(doc, {"A": EdlTrack(Path("a.wav")), "bed": EdlTrack(Path("bed.wav"))})
    assert [t.path.name for t in extra.tracks] == ["a.wav", "bed.wav"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(0, 25))
@example(seed=179, edits=19)  # a cut before a deleted last word reached into the next section
def test_overlapping_speakers_are_never_clipped(seed: int, edits: int) -> None:
    """With crosstalk the cut waits for every earlier word to end; kept words always play."""
    rnd = random.Random(seed)
    doc = make_doc(rnd, 40, 2, overlap=True)
    maker = OpMaker(rnd)
    for _ in range(edits):
        op = maker.make(doc, rnd.choice(("delete", "restore", "set_pause", "split_section")))
        if op is not None:
            with contextlib.suppress(OpError):  # random ops may be refused; fine here
                doc.apply(op)
    edl = check_derivation(doc, overlap_free=False)
    pm = ProgramMap.build(doc, edl)
    kept = [w.id for w in doc.words if w.id not in doc.deleted]
    assert sorted(w for w, _, _ in pm.spans()) == sorted(kept)


def test_program_length_counts_clip_durations() -> None:
    doc = _line()
    doc.apply(InsertOverdub(Overdub("o", "w0", "o.wav", "x", 1.25)))
    edl = derive_edl(doc, media(doc))
    assert sum(isinstance(s, ClipInsert) for s in edl.segments) == 1
    assert edl_seconds(edl, doc) == pytest.approx(12.0 + 1.25)
