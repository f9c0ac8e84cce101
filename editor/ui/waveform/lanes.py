"""What the waveform draws, per view, without Qt: min/max per pixel column for each track lane.

The edited programme is not stored anywhere as audio, so it is built for the visible span only:
the EDL's range segments are laid end to end on the programme clock (the same convention as
``sync.derive.ProgramMap``: each range ``frames(end) - frames(start)`` long, clips their overdub
duration), the ones overlapping the view are clipped to it with ``searchsorted``, each kept
stretch is mapped to the pyramid level with about one bin per pixel, and
``np.minimum/maximum.reduceat`` folds the bins into pixel columns. The cost follows the number
of pixels and of segments in view, never the episode's length, so a delete redraws in about a
millisecond. The source timeline (cuts shaded) is the same fold over one stretch per view.

The result is laid out for one ``PlotCurveItem`` per lane with ``connect='pairs'``: x repeats
each column's centre twice, y alternates its min and max, so every column is one vertical
segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from render.edl import ClipInsert, Edl, SourceRange

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]


class PeakSource:
    """What a lane reads: a track's peak pyramid (``render.media.Peaks``) and clock offset."""

    def __init__(self, peaks: object, offset: float, gain: float = 1.0) -> None:
        self.peaks = peaks
        self.offset = offset
        self.gain = gain

    @property
    def rate(self) -> int:
        return int(self.peaks.sample_rate)  # type: ignore[attr-defined]

    def levels(self) -> list[int]:
        return list(self.peaks.levels())  # type: ignore[attr-defined]

    def level(self, spb: int) -> tuple[F32, F32]:
        mins, maxs = self.peaks.level(spb)  # type: ignore[attr-defined]
        return mins, maxs


@dataclass(frozen=True, slots=True)
class Programme:
    """The EDL's pieces on the programme clock: where each starts, from where in the source.

    ``source`` is NaN for clips (no peaks: they draw as a flat line).
    """

    starts: F64
    lengths: F64
    source: F64

    @property
    def duration(self) -> float:
        return float(self.starts[-1] + self.lengths[-1]) if len(self.starts) else 0.0

    @classmethod
    def of(cls, edl: Edl, clip_seconds: Sequence[float] = ()) -> Programme:
        """Lay ``edl`` out; ``clip_seconds`` are the clips' durations in programme order."""
        rate = edl.sample_rate
        clips = iter(clip_seconds)
        starts: list[float] = []
        lengths: list[float] = []
        source: list[float] = []
        t = 0.0
        for seg in edl.segments:
            if isinstance(seg, SourceRange):
                fa, fb = seg.frames(rate)
                length = (fb - fa) / rate
                starts.append(t)
                lengths.append(length)
                source.append(fa / rate)
            elif isinstance(seg, ClipInsert):
                length = float(next(clips, 0.0))
                starts.append(t)
                lengths.append(length)
                source.append(np.nan)
            t += length
        return cls(np.array(starts), np.array(lengths), np.array(source))

    def to_source(self, t: float) -> float | None:
        """The project-clock time playing at programme time ``t`` (None inside a clip)."""
        if not len(self.starts):
            return None
        i = int(np.searchsorted(self.starts, t, side="right")) - 1
        i = min(max(i, 0), len(self.starts) - 1)
        src = self.source[i]
        if np.isnan(src):
            return None
        return float(src + min(max(t - self.starts[i], 0.0), self.lengths[i]))

    def from_source(self, t: float) -> float | None:
        """The programme time at which project-clock time ``t`` plays (None if it is cut)."""
        hit = np.flatnonzero((self.source <= t) & (t < self.source + self.lengths))
        if not len(hit):
            return None
        i = int(hit[0])
        return float(self.starts[i] + t - self.source[i])

    def cuts(self, media_end: float) -> list[tuple[float, float]]:
        """Project-clock spans that do not play (cut), in source order, for shading."""
        spans = sorted(
            (float(s), float(s + n))
            for s, n in zip(self.source, self.lengths, strict=True)
            if not np.isnan(s)
        )
        out: list[tuple[float, float]] = []
        t = 0.0
        for a, b in spans:
            if a > t + 1e-6:
                out.append((t, a))
            t = max(t, b)
        if media_end > t + 1e-6:
            out.append((t, media_end))
        return out


@dataclass(frozen=True, slots=True)
class Columns:
    """One lane's pixel columns for ``connect='pairs'`` (``x`` and ``y`` of length 2 × n)."""

    x: F64
    y: F64


def _spb_for(levels: list[int], samples_per_pixel: float) -> int:
    """The coarsest level with at most one bin per pixel, so no column is left empty."""
    chosen = levels[0]
    for spb in levels:
        if spb <= samples_per_pixel:
            chosen = spb
    return chosen


def _fold(
    src: PeakSource, view_t: F64, source_t: F64, length: F64, t0: float, dt: float, width: int
) -> Columns:
    """Fold stretches of one track — starting at ``view_t`` in the view, at ``source_t`` on the
    project clock, ``length`` long (arrays, one entry per stretch) — into ``width`` columns.

    Vectorised over the stretches: a zoomed-out view of a 90-minute programme with 300 cuts is
    300 stretches, and a Python loop over them cost more than the fold itself.
    """
    empty = Columns(np.zeros(0), np.zeros(0))
    if not len(view_t):
        return empty
    rate = src.rate
    spb = _spb_for(src.levels(), dt * rate)
    mins, maxs = src.level(spb)
    bin_s = spb / rate
    track_t = source_t - src.offset
    lo = np.maximum(0, np.floor(track_t / bin_s)).astype(np.int64)
    hi = np.minimum(len(mins), np.ceil((track_t + length) / bin_s)).astype(np.int64)
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    if total == 0:
        return empty
    first = np.cumsum(counts) - counts  # where each stretch's bins start in the flat array
    which = np.repeat(np.arange(len(counts)), counts)
    bins = np.arange(total, dtype=np.int64) - first[which] + lo[which]
    centre = (bins + 0.5) * bin_s - track_t[which] + view_t[which]  # view time of bin centres
    px = np.floor((centre - t0) / dt)
    keep = (px >= 0) & (px < width)
    bins, px = bins[keep], px[keep]
    if not len(bins):
        return empty
    order = np.argsort(px, kind="stable")  # already in programme order but for overlaps
    bins, px = bins[order], px[order]
    starts = np.flatnonzero(np.r_[True, px[1:] != px[:-1]])
    lo_v = np.minimum.reduceat(mins[bins], starts) * src.gain
    hi_v = np.maximum.reduceat(maxs[bins], starts) * src.gain
    cols = px[starts]
    x = np.repeat(t0 + (cols + 0.5) * dt, 2)
    y = np.empty(2 * len(cols))
    y[0::2] = np.clip(lo_v, -1.0, 1.0)
    y[1::2] = np.clip(hi_v, -1.0, 1.0)
    return Columns(x, y)


def programme_columns(
    programme: Programme, src: PeakSource, t0: float, t1: float, width: int
) -> Columns:
    """One lane of the edited programme over programme seconds ``[t0, t1)`` in ``width`` px."""
    if width <= 0 or t1 <= t0 or not len(programme.starts):
        return Columns(np.zeros(0), np.zeros(0))
    starts, lengths, source = programme.starts, programme.lengths, programme.source
    first = max(0, int(np.searchsorted(starts, t0, side="right")) - 1)
    last = int(np.searchsorted(starts, t1, side="left"))
    s, n, src_t = starts[first:last], lengths[first:last], source[first:last]
    a = np.maximum(t0, s)
    b = np.minimum(t1, s + n)
    ok = ~np.isnan(src_t) & (b > a)
    a, b, s, src_t = a[ok], b[ok], s[ok], src_t[ok]
    return _fold(src, a, src_t + (a - s), b - a, t0, (t1 - t0) / width, width)


def source_columns(src: PeakSource, t0: float, t1: float, width: int) -> Columns:
    """One lane of the unedited recording over project-clock seconds ``[t0, t1)``."""
    if width <= 0 or t1 <= t0:
        return Columns(np.zeros(0), np.zeros(0))
    one = np.array([t0])
    return _fold(src, one, one, np.array([t1 - t0]), t0, (t1 - t0) / width, width)
