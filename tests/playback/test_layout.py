"""Carrying the playhead across an edit by source time (pure logic, hypothesis)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from editor.playback.layout import Layout, carry
from render.edl import ClipInsert, Edl, EdlTrack, SourceRange

RATE = 8000
TRACK = EdlTrack(Path("host.wav"))


def _layout(segments: list[SourceRange | ClipInsert], clip_frames: int = 300) -> Layout:
    edl = Edl(RATE, (TRACK,), tuple(segments), 0.0)
    starts, t = [], 0
    for seg in segments:
        starts.append(t)
        if isinstance(seg, SourceRange):
            a, b = seg.frames(RATE)
            t += b - a
        else:
            t += clip_frames
    return Layout(edl, starts, t)


@st.composite
def cut_ranges(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Sorted, disjoint source ranges in whole frames."""
    bounds = sorted(set(draw(st.lists(st.integers(0, 20_000), min_size=2, max_size=24))))
    pairs = list(zip(bounds[::2], bounds[1::2], strict=False))
    return [(a, b) for a, b in pairs if b > a] or [(0, 10)]


def _ranges(pairs: list[tuple[int, int]]) -> list[SourceRange | ClipInsert]:
    return [SourceRange(a / RATE, b / RATE) for a, b in pairs]


@settings(max_examples=80, deadline=None)
@given(cut_ranges(), st.data())
def test_carry_into_the_same_programme_is_the_identity(
    pairs: list[tuple[int, int]], data: st.DataObject
) -> None:
    layout = _layout(_ranges(pairs))
    p = data.draw(st.integers(0, layout.frames - 1))
    assert carry(layout, p, layout) == p


@settings(max_examples=80, deadline=None)
@given(cut_ranges(), st.data())
def test_a_kept_moment_stays_and_a_cut_one_moves_to_the_next_kept_range(
    pairs: list[tuple[int, int]], data: st.DataObject
) -> None:
    old = _layout(_ranges(pairs))
    drop = data.draw(st.sets(st.integers(0, len(pairs) - 1), max_size=len(pairs) - 1))
    kept = [r for i, r in enumerate(pairs) if i not in drop]
    new = _layout(_ranges(kept))
    p = data.draw(st.integers(0, old.frames - 1))
    point = old.locate(p)
    assert point is not None and point.source_frame is not None
    s = point.source_frame
    q = carry(old, p, new)
    if any(a <= s < b for a, b in kept):
        moved = new.locate(q)
        assert moved is not None and moved.source_frame == s
    else:
        later = [a for a, _ in kept if a > s]
        if later:
            moved = new.locate(q)
            assert moved is not None and moved.source_frame == min(later)
        else:
            assert q == new.frames


def test_inside_a_clip_stays_in_the_clip_or_falls_back_to_where_it_was() -> None:
    clip = ClipInsert(Path("fix.wav"))
    old = _layout([SourceRange(0, 1), clip, SourceRange(2, 3)])
    assert carry(old, 8100, old) == 8100  # 100 frames into the clip
    moved = _layout([SourceRange(0.5, 1), clip, SourceRange(2, 3)])
    assert carry(old, 8100, moved) == 4100  # the clip now starts at 4000
    gone = _layout([SourceRange(0, 1), SourceRange(2, 3)])
    assert carry(old, 8100, gone) == 8000  # the moment after the clip: source 2 s
