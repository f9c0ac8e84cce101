"""Joining pieces of audio the way the reader does: short equal-power crossfades, in gaps.

Every join in an overdub clip happens in the non-speech between words (room tone of the same
recording), where both sides are quiet and alike; a 10 ms equal-power crossfade there leaves no
step larger than the recording's own (the reader's no-click rule, checked by the tests and the
benchmark).
"""

from __future__ import annotations

import numpy as np

from editor.overdub.backend import Samples
from render.reader import equal_power_fades

CROSSFADE = 0.010
"""Seconds of overlap at every join."""


class Assembler:
    """Appends pieces with crossfades and keeps track of where each one landed."""

    def __init__(self, sample_rate: int, channels: int, crossfade: int | None = None) -> None:
        self.rate = sample_rate
        self.channels = channels
        self._parts: list[Samples] = []
        self._length = 0
        self.xf = max(1, round(CROSSFADE * sample_rate)) if crossfade is None else crossfade
        """Frames of overlap at each join."""

    @property
    def frames(self) -> int:
        return self._length

    @property
    def seconds(self) -> float:
        return self._length / self.rate

    def append(self, piece: Samples, crossfade: bool = True) -> float:
        """Add ``piece`` (overlapping the end by one crossfade when both sides are long enough);
        returns the second of the output where the piece starts."""
        piece = _channels(piece, self.channels)
        if not len(piece):
            return self.seconds
        n = min(self.xf, len(piece), self._tail_frames()) if crossfade else 0
        if n == 0:
            self._parts.append(piece)
            start = self._length
            self._length += len(piece)
            return start / self.rate
        fade_in, fade_out = equal_power_fades(n)
        tail = self._take_tail(n)
        mixed = tail * fade_out + piece[:n] * fade_in
        self._parts.append(mixed.astype(np.float32))
        self._parts.append(piece[n:])
        start = self._length - n
        self._length += len(piece) - n
        return start / self.rate

    def _tail_frames(self) -> int:
        return self._parts[-1].shape[0] if self._parts else 0

    def _take_tail(self, n: int) -> Samples:
        last = self._parts[-1]
        self._parts[-1] = last[: len(last) - n]
        return last[len(last) - n :]

    def result(self) -> Samples:
        if not self._parts:
            return np.zeros((0, self.channels), dtype=np.float32)
        return np.ascontiguousarray(np.concatenate(self._parts), dtype=np.float32)


def _channels(x: Samples, channels: int) -> Samples:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.shape[1] == channels:
        return x
    if x.shape[1] == 1:
        return np.repeat(x, channels, axis=1)
    return np.asarray(x.mean(axis=1, keepdims=True), dtype=np.float32).repeat(channels, axis=1)


def fade_edges(x: Samples, rate: int, seconds: float = 0.005) -> Samples:
    """Short raised fades at both ends so a clip never starts or stops on a step."""
    n = min(len(x) // 2, max(1, round(seconds * rate)))
    if n == 0:
        return x
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float64))).astype(np.float32)
    out = x.copy()
    out[:n] *= ramp[:, None]
    out[len(out) - n :] *= ramp[::-1, None]
    return out


def loop_to(tone: Samples, frames: int, xf: int) -> Samples:
    """``tone`` repeated (crossfaded into itself) to ``frames`` frames."""
    if frames <= 0:
        return tone[:0]
    if len(tone) >= frames:
        return tone[:frames]
    if len(tone) <= 2 * xf:
        reps = -(-frames // max(1, len(tone)))
        return np.tile(tone, (reps, 1))[:frames]
    out = Assembler(1, tone.shape[1], crossfade=xf)  # the rate is unused: frames only
    while out.frames < frames:
        out.append(tone)
    return out.result()[:frames]
