"""Multi-resolution waveform peaks, computed once while importing and memory-mapped after.

The waveform view asks for "min/max per pixel column" over any span at any zoom; cut placement
asks "where is it quietest between these two words". Both are answered from a small pyramid
(about 1/64 of the PCM's size) so neither ever touches the PCM, and a 3-hour track opens
instantly. Level 0 keeps, per bin of :data:`BASE_BIN` frames, the minimum and maximum sample
over all channels and the mean square (energy); each further level groups
:data:`LEVEL_FACTOR` bins of the one below (min/max only).

On disk (``peaks.f32``, little-endian float32): for each level its mins then its maxs, then
level 0's energies. :meth:`Peaks.layout` is what the cache records to read it back.
"""

from __future__ import annotations

import contextlib
import math
import mmap
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from render.errors import MediaError

BASE_BIN = 256
"""Frames per bin of the finest level: 5.3 ms at 48 kHz, finer than any word boundary."""
LEVEL_FACTOR = 4
LEVEL_COUNT = 5
"""256, 1024, 4096, 16384, 65536 frames per bin."""

QUIET_TOLERANCE = 2.0
"""Energy ratio (3 dB) within which bins count as equally quiet for :meth:`Peaks.quietest_point`."""

F32 = npt.NDArray[np.float32]
_DTYPE = np.dtype("<f4")


class Peaks:
    """A min/max pyramid over one track's cached PCM (all channels together).

    Instances are read-only and safe to share between threads.
    """

    def __init__(
        self,
        sample_rate: int,
        frames: int,
        levels: list[tuple[int, F32, F32]],
        energy: F32,
    ) -> None:
        """``levels`` holds ``(frames per bin, mins, maxs)`` from finest to coarsest;
        ``energy`` the finest level's mean squares."""
        if not levels:
            raise ValueError("Peaks need at least one level")
        self.sample_rate = sample_rate
        self.frames = frames
        self._levels = levels
        self._energy = energy
        self._mapping: mmap.mmap | None = None

    def levels(self) -> list[int]:
        """Frames per bin of each level, finest first."""
        return [spb for spb, _, _ in self._levels]

    def level(self, samples_per_bin: int) -> tuple[F32, F32]:
        """The whole ``(mins, maxs)`` of one level (read-only views); KeyError if no such level."""
        for spb, mins, maxs in self._levels:
            if spb == samples_per_bin:
                return mins, maxs
        raise KeyError(samples_per_bin)

    def get(self, start_frame: int, end_frame: int, max_bins: int) -> tuple[F32, F32]:
        """``(mins, maxs)`` for ``[start_frame, end_frame)`` from the coarsest level that still
        gives at least ``max_bins`` bins (the finest level if none does).

        The span is clipped to the track; an empty span gives two empty arrays. The bins are the
        level's own, so the first may begin up to one bin before ``start_frame``.
        """
        start = max(0, start_frame)
        end = min(self.frames, end_frame)
        if end <= start:
            empty = np.zeros(0, np.float32)
            return empty, empty.copy()
        chosen = self._levels[0]
        for level in self._levels:
            spb = level[0]
            if math.ceil(end / spb) - start // spb >= max_bins:
                chosen = level
        spb, mins, maxs = chosen
        lo, hi = start // spb, math.ceil(end / spb)
        return np.array(mins[lo:hi], dtype=np.float32), np.array(maxs[lo:hi], dtype=np.float32)

    def quietest_point(self, start: float, end: float) -> float:
        """Seconds at the centre of the lowest-energy finest bin lying wholly in ``[start, end]``.

        Used to put a cut inside the silence between two words. Bins within
        :data:`QUIET_TOLERANCE` of the quietest count as equally quiet (room noise flickers by
        a dB or so from bin to bin) and the one nearest the middle of the span wins, which keeps
        the cut away from both words. A span shorter than a bin gives its midpoint.
        """
        mid = (start + end) / 2
        spb = self._levels[0][0]
        first = max(0, math.ceil(start * self.sample_rate / spb))
        stop = min(len(self._energy), math.floor(end * self.sample_rate / spb))
        if stop <= first:
            return mid
        energy = np.asarray(self._energy[first:stop], dtype=np.float64)
        quietest = float(energy.min())
        candidates = np.flatnonzero(energy <= quietest * QUIET_TOLERANCE + 1e-12)
        centres = (first + candidates + 0.5) * spb / self.sample_rate
        return float(centres[int(np.argmin(np.abs(centres - mid)))])

    def layout(self) -> dict[str, Any]:
        """The JSON-able description :func:`read_peaks` needs."""
        return {
            "levels": self.levels(),
            "bins": [len(mins) for _, mins, _ in self._levels],
            "bytes": self.nbytes(),
        }

    def nbytes(self) -> int:
        """Size of the on-disk form in bytes."""
        values = sum(2 * len(mins) for _, mins, _ in self._levels) + len(self._energy)
        return values * _DTYPE.itemsize

    def write(self, path: Path) -> None:
        """Write the on-disk form to ``path`` (callers write inside an atomic folder)."""
        with open(path, "wb") as f:
            for _, mins, maxs in self._levels:
                f.write(np.ascontiguousarray(mins, dtype=_DTYPE).tobytes())
                f.write(np.ascontiguousarray(maxs, dtype=_DTYPE).tobytes())
            f.write(np.ascontiguousarray(self._energy, dtype=_DTYPE).tobytes())

    def close(self) -> None:
        """Release the file mapping of peaks read by :func:`read_peaks` (a no-op otherwise)."""
        mapping, self._mapping = self._mapping, None
        if mapping is not None:
            self._levels = [
                (spb, np.zeros(0, np.float32), np.zeros(0, np.float32))
                for spb, _, _ in self._levels
            ]
            self._energy = np.zeros(0, np.float32)
            # A caller may still hold a view; the mapping goes when it does.
            with contextlib.suppress(BufferError):
                mapping.close()


def read_peaks(path: Path, layout: dict[str, Any], sample_rate: int, frames: int) -> Peaks:
    """Memory-map peaks written by :meth:`Peaks.write`; MediaError if the file does not match."""
    try:
        levels = [int(x) for x in layout["levels"]]
        bins = [int(x) for x in layout["bins"]]
        expected = int(layout["bytes"])
    except (KeyError, TypeError, ValueError):
        raise MediaError(path, "corrupt cache: peaks description is malformed") from None
    if not levels or len(levels) != len(bins):
        raise MediaError(path, "corrupt cache: peaks description is malformed")
    if expected != (2 * sum(bins) + bins[0]) * _DTYPE.itemsize:
        raise MediaError(path, "corrupt cache: peaks description is inconsistent")
    try:
        size = path.stat().st_size
    except OSError:
        raise MediaError(path, "incomplete cache: peaks file is missing") from None
    if size != expected:
        raise MediaError(path, f"corrupt cache: peaks file has {size} bytes, expected {expected}")
    try:
        with open(path, "rb") as f:
            mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise MediaError(path, f"cannot read the peaks file ({exc.strerror or exc})") from None
    values: F32 = np.frombuffer(mapping, dtype=_DTYPE)
    pos = 0
    parts: list[tuple[int, F32, F32]] = []
    for spb, n in zip(levels, bins, strict=True):
        parts.append((spb, values[pos : pos + n], values[pos + n : pos + 2 * n]))
        pos += 2 * n
    peaks = Peaks(sample_rate, frames, parts, values[pos : pos + bins[0]])
    peaks._mapping = mapping
    return peaks


class PeaksBuilder:
    """Accumulates level 0 block by block during import; :meth:`finish` builds the pyramid.

    ``scale`` maps stored samples to [-1, 1] (1/32768 for int16 caches, 1 for float32), so
    peaks always read as float amplitudes whatever the cache stores.
    """

    def __init__(self, channels: int, scale: float) -> None:
        self._channels = channels
        self._scale = scale
        self._mins: list[F32] = []
        self._maxs: list[F32] = []
        self._energy: list[F32] = []
        self._rest: npt.NDArray[np.generic] | None = None

    def add(self, block: npt.NDArray[np.generic]) -> None:
        """Fold in the next ``(frames, channels)`` block; any length, whole bins are cheapest."""
        if self._rest is not None:
            block = np.concatenate([self._rest, block])
            self._rest = None
        whole = len(block) // BASE_BIN * BASE_BIN
        if whole < len(block):
            self._rest = block[whole:].copy()
        if whole:
            self._add_bins(block[:whole].reshape(-1, BASE_BIN * self._channels))

    def _add_bins(self, rows: npt.NDArray[np.generic]) -> None:
        self._mins.append(rows.min(axis=1).astype(np.float32) * np.float32(self._scale))
        self._maxs.append(rows.max(axis=1).astype(np.float32) * np.float32(self._scale))
        # Square while converting (one pass, no float copy of the block), scale per bin after.
        squares = np.square(rows, dtype=np.float32)
        energy = squares.sum(axis=1, dtype=np.float32)
        energy *= np.float32(self._scale * self._scale / rows.shape[1])
        self._energy.append(energy)

    def finish(self, sample_rate: int, frames: int) -> Peaks:
        """The pyramid over everything added (a final partial bin included)."""
        if self._rest is not None and len(self._rest):
            self._add_bins(self._rest.reshape(1, -1))
            self._rest = None
        mins = _concat(self._mins)
        maxs = _concat(self._maxs)
        energy = _concat(self._energy)
        levels: list[tuple[int, F32, F32]] = [(BASE_BIN, mins, maxs)]
        for _ in range(LEVEL_COUNT - 1):
            spb, lower_mins, lower_maxs = levels[-1]
            levels.append(
                (
                    spb * LEVEL_FACTOR,
                    _group(lower_mins, np.minimum, np.inf),
                    _group(lower_maxs, np.maximum, -np.inf),
                )
            )
        return Peaks(sample_rate, frames, levels, energy)


def _concat(parts: list[F32]) -> F32:
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def _group(values: F32, reduce: np.ufunc, pad: float) -> F32:
    """Reduce groups of LEVEL_FACTOR neighbours, padding a partial last group with ``pad``."""
    n = math.ceil(len(values) / LEVEL_FACTOR)
    padded = np.full(n * LEVEL_FACTOR, pad, dtype=np.float32)
    padded[: len(values)] = values
    result: F32 = reduce.reduce(padded.reshape(n, LEVEL_FACTOR), axis=1)
    return result
