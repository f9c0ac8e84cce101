"""Where each program frame comes from, and where that source moment lands in another EDL.

When the document changes during playback the new programme must continue from the *same
moment of the recording*, not the same program time: a cut earlier in the episode shifts every
later program time, but the word under the playhead has not moved in the source. So the
position is carried by source time:

* inside a range segment, the source frame under the playhead; in the new EDL, the range that
  contains that source frame (the one nearest to the old segment's place when several do);
* if no range contains it (that word was just cut), the kept range that starts soonest after it
  in the source — playback continues from the next kept word;
* inside an overdub clip, the same clip (by path) at the same offset if the new EDL still has
  it, else the source moment where the clip was inserted;
* nothing after it at all: the end of the new programme.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from render.edl import ClipInsert, Edl


@dataclass(frozen=True, slots=True)
class Placed:
    """One segment on the program timeline (frames at the project rate)."""

    index: int
    program_start: int
    length: int
    source_start: int | None
    """First source frame of a range segment; ``None`` for a clip."""
    clip: Path | None


@dataclass(frozen=True, slots=True)
class SourcePoint:
    """A moment of the material: a source frame, or an offset inside a clip."""

    source_frame: int | None
    clip: Path | None = None
    clip_offset: int = 0
    segment: int = 0
    """Index of the segment it was found in (to break ties in the new layout)."""


class Layout:
    """The program's segments placed end to end, as the reader lays them out."""

    def __init__(self, edl: Edl, starts: list[int], frames: int) -> None:
        if len(starts) != len(edl.segments):
            raise ValueError("one program start per segment is needed")
        self.frames = frames
        rate = edl.sample_rate
        placed: list[Placed] = []
        for i, (seg, start) in enumerate(zip(edl.segments, starts, strict=True)):
            end = starts[i + 1] if i + 1 < len(starts) else frames
            if isinstance(seg, ClipInsert):
                placed.append(Placed(i, start, end - start, None, seg.path))
            else:
                placed.append(Placed(i, start, end - start, seg.frames(rate)[0], None))
        self.placed = placed

    def _segment_at(self, program_frame: int) -> Placed | None:
        for p in self.placed:  # a few hundred segments at most; called once per swap
            if p.program_start <= program_frame < p.program_start + p.length:
                return p
        return None

    def locate(self, program_frame: int) -> SourcePoint | None:
        """The source moment at ``program_frame`` (``None`` at or past the end)."""
        p = self._segment_at(program_frame)
        if p is None:
            return None
        offset = program_frame - p.program_start
        if p.source_start is not None:
            return SourcePoint(p.source_start + offset, segment=p.index)
        # Inside a clip: remember where it was inserted, in case the new EDL drops it.
        anchor = self._source_before(p.index)
        return SourcePoint(anchor, p.clip, offset, p.index)

    def _source_before(self, index: int) -> int | None:
        """The source frame where the material before segment ``index`` ended."""
        for p in reversed(self.placed[:index]):
            if p.source_start is not None:
                return p.source_start + p.length
        for p in self.placed[index + 1 :]:
            if p.source_start is not None:
                return p.source_start
        return None

    def find(self, point: SourcePoint) -> int:
        """Where ``point`` plays in this layout, by the rules in the module docstring."""
        if point.clip is not None:
            clips = [p for p in self.placed if p.clip == point.clip]
            if clips:
                p = min(clips, key=lambda c: abs(c.index - point.segment))
                return p.program_start + min(point.clip_offset, max(p.length - 1, 0))
        s = point.source_frame
        if s is None:
            return 0
        ranges = [p for p in self.placed if p.source_start is not None]
        inside = [
            p for p in ranges if p.source_start is not None and 0 <= s - p.source_start < p.length
        ]
        if inside:
            p = min(inside, key=lambda c: abs(c.index - point.segment))
            assert p.source_start is not None
            return p.program_start + (s - p.source_start)
        later = [p for p in ranges if p.source_start is not None and p.source_start > s]
        if later:
            p = min(later, key=lambda c: (c.source_start, abs(c.index - point.segment)))
            return p.program_start
        return self.frames


def carry(old: Layout, program_frame: int, new: Layout) -> int:
    """The program frame in ``new`` that continues from ``program_frame`` of ``old``."""
    point = old.locate(program_frame)
    if point is None:
        return new.frames
    return new.find(point)
