"""Document -> EDL, and the program-time <-> word maps that playback and subtitles need.

The EDL is on the project clock and every range mixes all tracks, so cuts are placed on that
clock. Rules (also in ``docs/operations.md``):

* Sections play in program order; inside one, words play in source order. A document with no
  words yet plays its tracks whole (when their durations are known).
* Consecutive kept words whose gap is not edited stay one range: the silence between them is
  kept audio.
* A deleted run between kept words is a cut: the range closes inside the silence after the last
  kept word and reopens inside the silence before the next, each at ``quietest(track, a, b)``
  (the lowest-energy point, from the cached peaks) or the middle of the gap. ``a`` is the latest
  end of *any* earlier word, so a cut never clips a word's tail, not even another speaker's.
* A pause edit keeps ``duration`` seconds of a gap between kept words: the removed stretch is
  centred on the quietest point of the gap (clamped inside it), so the join lands in silence.
  ``LEAD`` trims the silence before the first word, the last word's pause the silence after it.
* Overdub clips play after their word: at the quietest point of the gap after it when the word
  is kept (after the section's tail for a section's last word), or where the cut is when the word
  is deleted. Several after one word play in id order.
* A section starts and ends at the cut point of the gap on its boundary, so sections played in
  their original order join seamlessly (abutting ranges are merged, no crossfade is spent).
  Where speakers overlap across a boundary, the later section starts at its first word; only
  when the sections are reordered does the overlapping tail of the earlier one end there.

The program's length is therefore kept speech + kept gaps + clips, which the tests check against
an independent per-gap count.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from render.edl import (
    DEFAULT_CROSSFADE_MS,
    DEFAULT_SAMPLE_RATE,
    ClipInsert,
    Edl,
    EdlTrack,
    Segment,
    SourceRange,
    seconds_to_frame,
)
from sync.document import Document
from sync.errors import UnknownTarget
from sync.model import Overdub
from sync.ops import LEAD

Quietest = Callable[[str, float, float], float]
"""``(track_id, start_s, end_s) -> the quietest time in [start_s, end_s]`` on the project clock."""


@dataclass(frozen=True, slots=True)
class _Range:
    start: float
    end: float


_Piece = _Range | Overdub


class _Planner:
    """One linear pass over the document's edit points, producing ranges and clips in order.

    Only "interesting" positions are visited (deleted words, their kept neighbours, pause edits,
    overdub anchors), so the cost follows the number of edits, not the number of words.
    """

    def __init__(self, doc: Document, quietest: Quietest | None) -> None:
        self.doc = doc
        self.quietest = quietest
        self.order = doc.source_order
        self.max_ends = doc.running_max_ends()
        self.deleted = doc.deleted
        self.pauses = doc.pauses
        self.n = len(self.order)
        pos = doc.position
        self.deleted_pos = sorted(pos(i) for i in self.deleted)
        anchors = {o.after_word for o in doc.overdubs}
        self.extra_pos = sorted(
            {pos(i) for i in self.pauses if i != LEAD} | {pos(i) for i in anchors}
        )

    # Points in gaps -----------------------------------------------------------------------------

    def split(self, i: int, keep_left: bool) -> float:
        """The cut point in the gap after source position ``i``."""
        doc, order = self.doc, self.order
        a = self.max_ends[i]
        b = doc.word(order[i + 1]).start
        if b <= a:
            return a if keep_left else b
        if self.quietest is None:
            return (a + b) / 2
        track = doc.word(order[i] if keep_left else order[i + 1]).track
        return min(b, max(a, self.quietest(track, a, b)))

    def shortened(self, i: int) -> tuple[float, float] | None:
        """The stretch removed from the gap after ``i`` by its pause edit, if any."""
        d = self.pauses.get(self.order[i])
        if d is None:
            return None
        a = self.max_ends[i]
        b = self.doc.word(self.order[i + 1]).start
        removed = (b - a) - d
        if removed <= 0:
            return None
        m = self.split(i, True)
        x = min(max(m - removed / 2, a), b - removed)
        return (x, x + removed)

    def boundary(self, i: int) -> tuple[float, float]:
        """``(tail of the earlier section, head of the later)`` for the gap after ``i``."""
        cut = self.shortened(i)
        if cut is not None:
            return cut
        nxt = self.order[i + 1]
        if self.doc.word(nxt).start <= self.max_ends[i] and nxt not in self.deleted:
            # Crosstalk across the boundary: the section starts at its first word (it was split
            # there); in the original order the two ranges still abut and nothing is lost.
            m = self.split(i, False)
        else:
            m = self.split(i, True)
        return (m, m)

    def head(self, lo: int) -> float:
        if lo > 0:
            return self.boundary(lo - 1)[1]
        first = self.doc.word(self.order[0]).start
        d = self.pauses.get(LEAD)
        return first - d if d is not None and first > d else 0.0

    def tail(self, hi: int) -> float:
        if hi < self.n:
            return self.boundary(hi - 1)[0]
        a = self.max_ends[-1]
        end = self.doc.media_end()
        if end is None or end <= a:
            return a
        d = self.pauses.get(self.order[-1])
        return a + d if d is not None and end - a > d else end

    # The walk ---------------------------------------------------------------------------------

    def pieces(self) -> Iterator[_Piece]:
        if self.n == 0:
            # Nothing transcribed yet, so nothing edited: the program is the whole recording.
            end = self.doc.media_end()
            if end:
                yield _Range(0.0, end)
            return
        for sec in self.doc.sections:
            lo, hi = self.doc.section_slice(sec.id)
            if lo < hi:
                yield from self.section(lo, hi)

    def section(self, lo: int, hi: int) -> Iterator[_Piece]:
        doc, order, deleted = self.doc, self.order, self.deleted
        dpos = self.deleted_pos[
            bisect_left(self.deleted_pos, lo) : bisect_left(self.deleted_pos, hi)
        ]
        marks = set(dpos)
        marks.update(p - 1 for p in dpos if p > lo)
        marks.update(
            self.extra_pos[bisect_left(self.extra_pos, lo) : bisect_left(self.extra_pos, hi)]
        )
        marks.discard(hi - 1)
        open_at: float | None = None if order[lo] in deleted else self.head(lo)
        last_close = -1.0
        # Nothing of this section plays past its tail, the point where the next section (in
        # source order) begins: with crosstalk, a cut before a deleted last word would otherwise
        # reach into the next section's opening and play it twice.
        limit = self.tail(hi) if hi < self.n else math.inf
        for i in sorted(marks):
            wid = order[i]
            kept, kept_next = wid not in deleted, order[i + 1] not in deleted
            clips = doc.overdubs_after(wid)
            if kept and kept_next:
                cut = self.shortened(i)
                if cut is None and not clips:
                    continue
                if cut is None:
                    m = self.split(i, True)
                    cut = (m, m)
                x, y = cut
            elif kept:
                x = self.split(i, True)
                y = None
            elif kept_next:
                x = None
                y = self.split(i, False)
            else:
                x = y = None
            if x is not None and open_at is not None:
                x = min(x, limit)
                if x > open_at:
                    yield _Range(open_at, x)
                last_close = x
                open_at = None
            yield from clips
            if y is not None:
                open_at = max(y, last_close)
        last = order[hi - 1]
        if last in deleted:
            yield from doc.overdubs_after(last)
            return
        if open_at is not None:
            end = self.tail(hi)
            if end > open_at:
                yield _Range(open_at, end)
        yield from doc.overdubs_after(last)


def _segments(
    pieces: Iterator[_Piece], rate: int, clip_path: Callable[[str], Path]
) -> Iterator[Segment]:
    """Merge abutting ranges and drop ones shorter than a frame; clips become inserts."""
    pending: _Range | None = None
    for piece in pieces:
        if isinstance(piece, _Range):
            if pending is not None and abs(piece.start - pending.end) < 1e-9:
                pending = _Range(pending.start, piece.end)
                continue
            if pending is not None:
                yield from _emit(pending, rate)
            pending = piece
        else:
            if pending is not None:
                yield from _emit(pending, rate)
                pending = None
            yield ClipInsert(clip_path(piece.clip))
    if pending is not None:
        yield from _emit(pending, rate)


def _emit(r: _Range, rate: int) -> Iterator[Segment]:
    if seconds_to_frame(r.end, rate) > seconds_to_frame(r.start, rate):
        yield SourceRange(r.start, r.end)


def derive_edl(
    doc: Document,
    tracks: Mapping[str, EdlTrack],
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    crossfade_ms: float = DEFAULT_CROSSFADE_MS,
    quietest: Quietest | None = None,
    clip_path: Callable[[str], Path] = Path,
) -> Edl:
    """The program the document describes, as an EDL (see the module docstring for the rules).

    ``tracks`` maps the document's track ids to their media; tracks it names that the document
    lacks (a music bed) are mixed in too, after the document's own.
    """
    edl_tracks: list[EdlTrack] = []
    for t in doc.tracks:
        if t.id not in tracks:
            raise UnknownTarget(f"no media given for track {t.id!r} ({t.label})")
        edl_tracks.append(tracks[t.id])
    known = {t.id for t in doc.tracks}
    edl_tracks.extend(v for k, v in tracks.items() if k not in known)
    segments = tuple(_segments(_Planner(doc, quietest).pieces(), sample_rate, clip_path))
    return Edl(sample_rate, tuple(edl_tracks), segments, crossfade_ms)


class ProgramMap:
    """Where each kept word plays in the program, and which word plays at a program time.

    Program seconds count frames the way the reader does (each range is
    ``frames(end) - frames(start)`` long); clips count their overdub's ``duration``.
    """

    def __init__(
        self, spans: list[tuple[str, float, float]], sections: list[tuple[str, float]]
    ) -> None:
        self._spans = spans
        self._starts = [s for _, s, _ in spans]
        self._by_id = {w: (s, e) for w, s, e in spans}
        self._sections = sections

    @classmethod
    def build(cls, doc: Document, edl: Edl) -> ProgramMap:
        """Lay the document's kept words onto ``edl`` (which must be derived from ``doc``)."""
        rate = edl.sample_rate
        clips = iter(_program_overdubs(doc))
        spans: list[tuple[str, float, float]] = []
        started: dict[str, float] = {}
        t = 0.0
        order, deleted, words = doc.source_order, doc.deleted, doc.words_by_id()
        by_time = sorted(doc.sections, key=lambda s: s.start)
        bounds = [s.start for s in by_time] + [math.inf]
        for seg in edl.segments:
            if isinstance(seg, ClipInsert):
                o = next(clips, None)
                if o is not None:
                    started.setdefault(doc.section_of(o.after_word).id, t)
                    t += o.duration
                continue
            fa, fb = seg.frames(rate)
            base = t - seg.start
            lo, hi = doc.positions_between(seg.start, seg.end)
            first = True
            k, next_bound = -1, -math.inf
            for p in range(lo, hi):
                wid = order[p]
                if wid in deleted:
                    continue
                w = words[wid]
                if w.start >= next_bound:  # entered another section (by source time)
                    k = bisect_right(bounds, w.start) - 1
                    next_bound = bounds[k + 1]
                    sec = by_time[k]
                    if sec.id not in started:
                        at = t if first else base + max(seg.start, min(sec.start, w.start))
                        started[sec.id] = at
                first = False
                spans.append((wid, base + w.start, base + min(w.end, seg.end)))
            t += (fb - fa) / rate
        spans.sort(key=lambda s: s[1])
        sections = [(s.name, started[s.id]) for s in doc.sections if s.id in started]
        return cls(spans, sections)

    def word_at(self, program_seconds: float) -> str | None:
        """The word playing at a program time, or ``None`` in a gap or a clip."""
        i = bisect_right(self._starts, program_seconds) - 1
        # Spans overlap only where two tracks talk at once: the one before may still be playing.
        for j in (i, i - 1):
            if j >= 0:
                wid, s, e = self._spans[j]
                if s <= program_seconds < e:
                    return wid
        return None

    def word_span(self, word_id: str) -> tuple[float, float] | None:
        """``(start, end)`` program seconds of a kept word; ``None`` if cut (or unknown)."""
        return self._by_id.get(word_id)

    def spans(self) -> list[tuple[str, float, float]]:
        """Kept words as ``(id, start, end)`` in program order."""
        return list(self._spans)

    def section_starts(self) -> list[tuple[str, float]]:
        """``(section name, program seconds)`` for each section that plays, for chapters."""
        return list(self._sections)


def _program_overdubs(doc: Document) -> Iterator[Overdub]:
    """Overdubs in the order derivation plays them (anchors in program order, then by id)."""
    yield from sorted(doc.overdubs, key=lambda o: (doc.program_position(o.after_word), o.id))
