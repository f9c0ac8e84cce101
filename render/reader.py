"""The program reader: an EDL played as one stream of float32 frames, from any position.

Playback and export both read through :class:`EdlReader`, so what you hear is what you export.

Layout
    Segments play one after another. A range segment ``[start, end)`` seconds lasts
    ``round(end*rate) - round(start*rate)`` frames; a clip lasts as long as its file (at the
    project rate). The program is exactly the sum of these lengths — crossfades add nothing.

Joins
    At the join between segment A (ending at source frame ``a_end``) and B (starting at
    ``b_start``) a crossfade of ``L`` frames (``Edl.crossfade_frames()``, clamped to half of the
    shorter neighbour) is centred on the join: ``h1 = L // 2`` frames before it, ``h2 = L - h1``
    after. Over those frames A keeps playing past its cut (source frames ``a_end - h1 ..
    a_end + h2``) while fading out, and B starts early (``b_start - h1 .. b_start + h2``) while
    fading in. Both take audio that exists just beyond the cut rather than stretching the
    program, which is why the length stays exact. The gains are ``cos``/``sin`` of a quarter
    period sampled at frame centres — equal power, ``g_out**2 + g_in**2 == 1``, for uncorrelated
    material (the usual speech cut) — normalised by the two sides' measured correlation so that
    alike material (a tone into itself) keeps its level instead of swelling 3 dB
    (:func:`correlated_fades`); a click guard falls back to equal gain where the mix would
    step harder than the sources around the cut do. A clip has nothing beyond its ends, so its
    pre- and post-roll read as silence and the clip simply fades. ``L == 0`` is a hard cut.

Mixing
    Each segment's frames are ``sum(gain_t * track_t)`` over unmuted tracks (mono duplicated to
    every output channel), times its fade envelope, added into the block — all in float32, never
    clipped here (export limits once at the end). Every output frame is computed by the same
    operations in the same order whatever the block boundaries, so any ``read(start, count)``
    equals the same slice of a full render exactly.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from render.edl import ClipInsert, Edl, SourceRange
from render.errors import EdlError, MediaError
from render.sources import AudioSource, Frames, SourceOpener, open_source

CLICK_GUARD_S = 0.025
"""Half-width of the source window whose largest step bounds the steps a join may make."""


@dataclass(frozen=True, slots=True)
class _Track:
    """An opened, unmuted track: where its first sample sits on the clock and its gain."""

    source: AudioSource
    offset: int
    gain: np.float32


@dataclass(frozen=True, slots=True)
class _Placed:
    """One segment placed on the program timeline, with the fades of its two joins.

    ``pre`` frames of pre-roll play before ``start`` (the first half of the incoming crossfade,
    of length ``fade_in``); ``post`` frames of post-roll play after ``end`` (the second half of
    the outgoing one, of length ``fade_out``).
    """

    index: int
    start: int
    length: int
    source_start: int
    clip: AudioSource | None
    clip_gain: np.float32
    fade_in: int
    pre: int
    fade_out: int
    post: int

    @property
    def end(self) -> int:
        return self.start + self.length


def equal_power_fades(length: int) -> tuple[Frames, Frames]:
    """``(fade_in, fade_out)`` gains of a crossfade ``length`` frames long, shape ``(length, 1)``.

    Sampled at frame centres so the curve is symmetric (``fade_out`` is ``fade_in`` reversed)
    and ``fade_in**2 + fade_out**2 == 1`` at every frame, up to float32 rounding.
    """
    return correlated_fades(length, 0.0)


def correlated_fades(length: int, correlation: float) -> tuple[Frames, Frames]:
    """Crossfade gains that keep the power of two signals with this correlation coefficient.

    The equal-power law (``sin``/``cos``) keeps the level of *uncorrelated* material, the usual
    case at a speech cut; but where both sides are alike (a sustained vowel or tone into
    itself) it swells by up to 3 dB and its steps grow by up to √2 — an audible bump, and a
    click by the "largest step" bar. Dividing both gains by ``sqrt(1 + r*sin(2θ))`` makes
    ``g_out² + g_in² + 2·r·g_out·g_in == 1``: equal power at ``r = 0``, equal gain
    (``g_out + g_in == 1``) at ``r = 1``. Negative correlation is treated as none.
    """
    r = min(max(correlation, 0.0), 1.0)
    theta = (np.arange(length, dtype=np.float64) + 0.5) / max(length, 1) * (math.pi / 2)
    norm = np.sqrt(1.0 + r * np.sin(2 * theta))
    fade_in = (np.sin(theta) / norm).astype(np.float32).reshape(-1, 1)
    fade_out = (np.cos(theta) / norm).astype(np.float32).reshape(-1, 1)
    return fade_in, fade_out


def correlation(a: Frames, b: Frames) -> float:
    """Pearson-style correlation (no mean removal) of two equally long blocks; 0 if either is
    silent. Computed in float64 so the same inputs always give the same curve."""
    x = a.astype(np.float64).ravel()
    y = b.astype(np.float64).ravel()
    energy = float(np.dot(x, x) * np.dot(y, y))
    if energy <= 0.0:
        return 0.0
    return float(np.dot(x, y)) / math.sqrt(energy)


def _max_step(block: Frames) -> float:
    """The largest sample-to-sample change in any channel (0 for fewer than two frames)."""
    if len(block) < 2:
        return 0.0
    return float(np.abs(np.diff(block, axis=0)).max())


def _gain(gain_db: float) -> np.float32:
    return np.float32(10.0 ** (gain_db / 20.0))


class EdlReader:
    """Reads an EDL's program as float32 ``(frames, channels)`` blocks from any position.

    Opens every track and clip once (through ``opener``), checks that every range lies inside
    the audio, and lays the program out. Not thread-safe: give another thread a :meth:`clone`.
    """

    def __init__(self, edl: Edl, opener: SourceOpener = open_source) -> None:
        self.edl = edl
        self._opener = opener
        self.sample_rate: int = edl.sample_rate
        self._sources: dict[Path, AudioSource] = {}
        self._closed = False
        try:
            self._open_all()
            self._tracks, self._track_end, self._longest = self._mix_tracks()
            self.channels: int = self._output_channels()
            self._placed = self._layout()
        except BaseException:
            self.close()
            raise
        self.frames: int = self._placed[-1].end if self._placed else 0
        self._starts = [p.start for p in self._placed]
        self._joins: dict[int, tuple[Frames, Frames]] = {}

    # -- construction ---------------------------------------------------------------------------

    def _open(self, path: Path) -> AudioSource:
        source = self._sources.get(path)
        if source is None:
            source = self._opener(path, self.sample_rate)
            self._sources[path] = source
            if source.sample_rate != self.sample_rate:
                raise MediaError(
                    path, f"opened at {source.sample_rate} Hz, not the project's {self.sample_rate}"
                )
        return source

    def _open_all(self) -> None:
        for track in self.edl.tracks:
            self._open(track.path)
        for seg in self.edl.segments:
            if isinstance(seg, ClipInsert):
                self._open(seg.path)

    def _mix_tracks(self) -> tuple[list[_Track], int, Path | None]:
        """The tracks that sound, and where the audio of the longest track ends on the clock."""
        rate = self.sample_rate
        mixed: list[_Track] = []
        end = 0
        longest: Path | None = None
        for track in self.edl.tracks:
            source = self._sources[track.path]
            offset = round(track.offset * rate)
            if longest is None or offset + source.frames > end:
                end, longest = offset + source.frames, track.path
            if not track.mute:
                mixed.append(_Track(source, offset, _gain(track.gain_db)))
        return mixed, end, longest

    def _output_channels(self) -> int:
        sounding = [t.source.channels for t in self._tracks]
        sounding += [
            self._sources[s.path].channels for s in self.edl.segments if isinstance(s, ClipInsert)
        ]
        if not sounding:
            sounding = [s.channels for s in self._sources.values()]
        return max(sounding, default=1)

    def _segment_bounds(self) -> list[tuple[int, int, AudioSource | None, np.float32]]:
        """Each segment as (source start, length, clip source or None, clip gain), validated."""
        rate = self.sample_rate
        bounds: list[tuple[int, int, AudioSource | None, np.float32]] = []
        for i, seg in enumerate(self.edl.segments):
            if isinstance(seg, SourceRange):
                a, b = seg.frames(rate)
                self._check_range(i, seg, a, b)
                bounds.append((a, b - a, None, np.float32(1.0)))
            else:
                clip = self._sources[seg.path]
                bounds.append((0, clip.frames, clip, _gain(seg.gain_db)))
        return bounds

    def _check_range(self, i: int, seg: SourceRange, a: int, b: int) -> None:
        if b <= self._track_end:
            return
        ends = self._track_end / self.sample_rate
        where = f"segment {i} ({seg.start:g}–{seg.end:g} s)"
        if a >= self._track_end:
            problem = "starts at or after the end of the audio"
        else:
            problem = "ends after the end of the audio"
        raise EdlError(f"{where} {problem}: {self._longest} ends at {ends:.6g} s")

    def _layout(self) -> list[_Placed]:
        bounds = self._segment_bounds()
        want = self.edl.crossfade_frames()
        joins = [
            min(want, bounds[i][1] // 2, bounds[i + 1][1] // 2) for i in range(len(bounds) - 1)
        ]
        placed: list[_Placed] = []
        start = 0
        for i, (source_start, length, clip, clip_gain) in enumerate(bounds):
            fade_in = joins[i - 1] if i > 0 else 0
            fade_out = joins[i] if i < len(joins) else 0
            placed.append(
                _Placed(
                    index=i,
                    start=start,
                    length=length,
                    source_start=source_start,
                    clip=clip,
                    clip_gain=clip_gain,
                    fade_in=fade_in,
                    pre=fade_in // 2,
                    fade_out=fade_out,
                    post=fade_out - fade_out // 2,
                )
            )
            start += length
        return placed

    # -- reading --------------------------------------------------------------------------------

    def segment_starts(self) -> list[int]:
        """The program frame where each segment begins, in EDL order (chapters, join marks)."""
        return list(self._starts)

    def read(self, start: int, count: int) -> Frames:
        """``count`` program frames from ``start``: float32, unclipped, zeros outside it."""
        if count < 0:
            raise ValueError(f"count must not be negative, not {count}")
        if self._closed:
            raise ValueError("the reader is closed")
        out = np.zeros((count, self.channels), dtype=np.float32)
        end = start + count
        # Segments whose post-roll may reach into [start, end): post-roll is at most half of the
        # next segment, so starting one segment before the one holding `start` is enough.
        i = max(bisect.bisect_right(self._starts, start) - 2, 0)
        for placed in self._placed[i:]:
            lo = max(start, placed.start - placed.pre)
            hi = min(end, placed.end + placed.post)
            if placed.start - placed.pre >= end:
                break
            if lo < hi:
                out[lo - start : hi - start] += self._segment_frames(placed, lo, hi)
        return out

    def _segment_frames(self, placed: _Placed, lo: int, hi: int) -> Frames:
        """Program frames ``[lo, hi)`` of one segment, mixed, gained and faded."""
        block = self._mixed(placed, lo, hi)
        if placed.fade_in:
            fade_start = placed.start - placed.pre
            self._envelope(block, lo, hi, fade_start, self._join(placed.index - 1)[0])
        if placed.fade_out:
            fade_start = placed.end + placed.post - placed.fade_out
            self._envelope(block, lo, hi, fade_start, self._join(placed.index)[1])
        return block

    def _mixed(self, placed: _Placed, lo: int, hi: int) -> Frames:
        """Program frames ``[lo, hi)`` of one segment's source, mixed and gained, not faded."""
        n = hi - lo
        at = placed.source_start + (lo - placed.start)
        block = np.zeros((n, self.channels), dtype=np.float32)
        if placed.clip is not None:
            self._add(block, placed.clip.read(at, n), placed.clip_gain)
        else:
            for track in self._tracks:
                self._add(block, track.source.read(at - track.offset, n), track.gain)
        return block

    def _join(self, j: int) -> tuple[Frames, Frames]:
        """The (fade in, fade out) gains of join ``j`` (between segments j and j+1).

        The gains follow :func:`correlated_fades` for the correlation of the two sides over the
        fade. A click guard then checks the bar directly: if the mixed join has a larger
        sample-to-sample step than either side's source has within ``CLICK_GUARD_S`` around its
        cut, the join falls back to equal gain (``r = 1``), whose steps are bounded by the
        sources' own. Measured once, from the very frames the join mixes, so every read of the
        join — in any block, in any order — applies the same curve.
        """
        curves = self._joins.get(j)
        if curves is None:
            a, b = self._placed[j], self._placed[j + 1]
            lo, hi = b.start - b.pre, a.end + a.post
            out_side, in_side = self._mixed(a, lo, hi), self._mixed(b, lo, hi)
            curves = correlated_fades(b.fade_in, correlation(out_side, in_side))
            mixed = out_side * curves[1] + in_side * curves[0]
            reach = round(CLICK_GUARD_S * self.sample_rate)
            bound = max(
                _max_step(self._mixed(a, b.start - reach, b.start + reach)),
                _max_step(self._mixed(b, b.start - reach, b.start + reach)),
            )
            if _max_step(mixed) > bound:
                curves = correlated_fades(b.fade_in, 1.0)
            self._joins[j] = curves
        return curves

    def _add(self, block: Frames, data: Frames, gain: np.float32) -> None:
        """``block += gain * data``, a mono source filling every output channel."""
        if gain != 1.0:
            data = data * gain
        channels = min(data.shape[1], block.shape[1])
        if channels == block.shape[1] or channels == 1:
            block += data[:, :channels]
        else:  # fewer channels than the output (not mono): the rest stay silent
            block[:, :channels] += data

    @staticmethod
    def _envelope(block: Frames, lo: int, hi: int, fade_start: int, curve: Frames) -> None:
        """Multiply the part of ``block`` (program ``[lo, hi)``) that the fade covers by it."""
        a = max(lo, fade_start)
        b = min(hi, fade_start + len(curve))
        if a < b:
            block[a - lo : b - lo] *= curve[a - fade_start : b - fade_start]

    def blocks(self, start: int = 0, block: int = 8192) -> Iterator[Frames]:
        """The program from ``start`` to its end, ``block`` frames at a time (the last shorter)."""
        if block <= 0:
            raise ValueError(f"block must be positive, not {block}")
        pos = max(start, 0)
        while pos < self.frames:
            n = min(block, self.frames - pos)
            yield self.read(pos, n)
            pos += n

    # -- lifetime -------------------------------------------------------------------------------

    def clone(self) -> EdlReader:
        """An independent reader over the same EDL, with its own sources (for another thread)."""
        return EdlReader(self.edl, self._opener)

    def close(self) -> None:
        """Close every source; safe to call twice."""
        self._closed = True
        sources, self._sources = self._sources, {}
        for source in sources.values():
            source.close()

    def __enter__(self) -> EdlReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
