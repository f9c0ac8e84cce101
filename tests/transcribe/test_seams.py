"""Joining neighbouring chunks' words: nothing lost or doubled, even with Whisper's edge times."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from editor.transcribe.chunking import Chunk
from editor.transcribe.seams import Heard, stitch
from editor.transcribe.words import TimedWord

OVERLAP = 0.5


def W(text: str, start: float, end: float) -> TimedWord:
    return TimedWord(text, start, end, 0.9)


def chunks_of(bounds: list[float]) -> list[Chunk]:
    return [Chunk(i, bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def hear(words: list[TimedWord], chunk: Chunk, duration: float, *, whole_only: bool) -> Heard:
    """What a Whisper-like recogniser reports for one chunk's fed range.

    Times are squeezed into the window, the first word is stretched back to the window's start
    and the last one out to its end (the edge artefacts real decodes show). With ``whole_only``,
    a word the window cuts into is not recognised at all (a fragment the model skips).
    """
    lo, hi = chunk.padded(OVERLAP, duration)
    heard = []
    for w in words:
        if w.end <= lo or w.start >= hi:
            continue
        if whole_only and (w.start < lo or w.end > hi):
            continue
        heard.append(W(w.text, max(w.start, lo), min(w.end, hi)))
    if heard:
        heard[0] = W(heard[0].text, lo, heard[0].end)
        heard[-1] = W(heard[-1].text, heard[-1].start, hi)
    return Heard(chunk, lo, hi, heard)


@settings(max_examples=150, deadline=None)
@given(
    gaps=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60),
    lengths=st.lists(st.floats(0.05, 0.8), min_size=60, max_size=60),
    cuts=st.lists(st.floats(1.0, 40.0), max_size=6),
    whole_only=st.booleans(),
)
@example(gaps=[0.2, 0.0], lengths=[0.5] * 60, cuts=[0.95], whole_only=False)
def test_every_word_kept_exactly_once(
    gaps: list[float], lengths: list[float], cuts: list[float], whole_only: bool
) -> None:
    words, t = [], 0.0
    for i, (gap, length) in enumerate(zip(gaps, lengths, strict=False)):
        t += gap
        words.append(W(f"w{i}", t, t + length))
        t += length
    duration = t + 0.5
    bounds = [0.0]
    for c in sorted(cuts):  # chunks at least twice the overlap long, as real ones are
        if c - bounds[-1] > 2 * OVERLAP and duration - c > 2 * OVERLAP:
            bounds.append(c)
    bounds.append(duration)
    parts = [hear(words, c, duration, whole_only=whole_only) for c in chunks_of(bounds)]
    assert [w.text for w in stitch(parts)] == [w.text for w in words]


def test_stretched_first_word_is_not_lost() -> None:
    """Seen on the sonnets: each chunk put "to" on its own side's far side of the cut."""
    cut = 27.455
    a = Heard(
        Chunk(0, 0.0, cut),
        0.0,
        cut + OVERLAP,
        [W("foe", 26.92, 27.42), W("to", 27.42, 27.90), W("thy", 27.90, 27.98)],
    )
    b = Heard(
        Chunk(1, cut, 54.1),
        cut - OVERLAP,
        54.6,
        [W("to", 26.95, 27.75), W("thy", 27.75, 28.29), W("sweet", 28.29, 28.75)],
    )
    out = stitch([a, b])
    assert [w.text for w in out] == ["foe", "to", "thy", "sweet"]
    # the copy of "to" further from its window's edge keeps its times
    assert (out[1].start, out[1].end) == (27.42, 27.90)


def test_disagreeing_decodes_keep_one_version() -> None:
    cut = 10.0
    a = Heard(
        Chunk(0, 0.0, cut),
        0.0,
        10.5,
        [W("so", 9.0, 9.3), W("fond", 9.4, 9.9), W("will", 10.1, 10.5)],
    )
    b = Heard(
        Chunk(1, cut, 20.0),
        9.5,
        20.0,
        [W("found", 9.5, 9.9), W("will", 10.1, 10.3), W("be", 10.4, 10.6)],
    )
    assert [w.text for w in stitch([a, b])] == ["so", "fond", "will", "be"]


def test_unmatched_seam_keeps_a_word_nobody_else_kept() -> None:
    cut = 10.0
    a = Heard(Chunk(0, 0.0, cut), 0.0, 10.5, [W("now", 9.0, 9.6)])
    # "though" stretched back to the window start: its midpoint is before the cut, but the
    # earlier chunk has nothing at that time, so it stays.
    b = Heard(Chunk(1, cut, 20.0), 9.5, 20.0, [W("though", 9.5, 10.3), W("well", 10.6, 11.0)])
    assert [w.text for w in stitch([a, b])] == ["now", "though", "well"]
    # a fragment the earlier chunk already covers is dropped
    b2 = Heard(Chunk(1, cut, 20.0), 9.5, 20.0, [W("-ow", 9.5, 9.58), W("well", 10.6, 11.0)])
    assert [w.text for w in stitch([a, b2])] == ["now", "well"]


def test_gap_neighbours_use_the_midpoint_rule() -> None:
    a = Heard(Chunk(0, 0.0, 10.0), 0.0, 10.5, [W("x", 9.0, 9.4), W("y", 10.1, 10.4)])
    gap = Heard(Chunk(1, 10.0, 20.0), 9.5, 20.5, None)
    c = Heard(Chunk(2, 20.0, 30.0), 19.5, 30.0, [W("p", 19.6, 19.9), W("q", 20.2, 20.6)])
    assert [w.text for w in stitch([a, gap, c])] == ["x", "q"]


def test_seam_duplicate_with_other_spelling_dropped() -> None:
    a = Heard(Chunk(0, 0.0, 10.0), 0.0, 10.5, [W("hello", 1, 1.4), W("there,", 9.8, 10.2)])
    b = Heard(Chunk(1, 10.0, 20.0), 9.5, 20.0, [W("There", 9.85, 10.25), W("friend", 10.4, 10.8)])
    assert [w.text for w in stitch([a, b])] == ["hello", "There", "friend"]
