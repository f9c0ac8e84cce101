"""A short-time loudness envelope (dB per 10 ms frame), the one signal chunking and timing share.

Both choosing chunk cuts and snapping word edges ask the same question — "where is it quiet?"
— so the envelope is computed once per track, block by block, with bounded memory even for a
three-hour recording (one float per 10 ms: ~4 MB for 3 h).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FRAME_SECONDS = 0.01
_FLOOR_DB = -120.0

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Envelope:
    """RMS level in dBFS of consecutive ``frame`` second frames, starting at time 0."""

    db: npt.NDArray[np.float32]
    frame: float = FRAME_SECONDS

    @property
    def duration(self) -> float:
        return len(self.db) * self.frame

    def index(self, seconds: float) -> int:
        """The frame holding ``seconds``, clamped into the envelope."""
        return int(min(max(seconds / self.frame, 0), max(len(self.db) - 1, 0)))

    def level(self, start: float, end: float) -> float:
        """Mean power over [start, end) in dB; the floor for an empty range."""
        a, b = self.index(start), self.index(end)
        if b <= a or len(self.db) == 0:
            return _FLOOR_DB if len(self.db) == 0 else float(self.db[a])
        power = np.power(10.0, self.db[a:b].astype(np.float64) / 10.0)
        return float(10.0 * np.log10(max(float(power.mean()), 1e-12)))

    def noise_floor(self) -> float:
        """The 10th percentile level: a robust estimate of the room tone between words."""
        if len(self.db) == 0:
            return _FLOOR_DB
        return float(np.percentile(self.db, 10))

    def speech_level(self) -> float:
        """The 95th percentile level: loud speech without being thrown by a single click."""
        if len(self.db) == 0:
            return _FLOOR_DB
        return float(np.percentile(self.db, 95))


def frame_db(samples: FloatArray, sample_rate: int, frame: float = FRAME_SECONDS) -> FloatArray:
    """dB RMS of whole frames of a mono block; a trailing partial frame is measured alone."""
    hop = max(1, round(sample_rate * frame))
    n = len(samples)
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    whole = n // hop
    parts = []
    if whole:
        # Sum of squares per frame in one pass (float32 is exact enough for a level in dB
        # and keeps a 48 kHz track as cheap to measure as a 16 kHz one).
        blocks = np.asarray(samples[: whole * hop], dtype=np.float32).reshape(whole, hop)
        parts.append(np.einsum("ij,ij->i", blocks, blocks).astype(np.float64) / hop)
    if n % hop:
        tail = samples[whole * hop :].astype(np.float64)
        parts.append(np.array([np.mean(tail * tail)]))
    power = np.concatenate(parts)
    db: FloatArray = (10.0 * np.log10(np.maximum(power, 1e-12))).astype(np.float32)
    return db


def envelope_of_blocks(
    blocks: Iterable[FloatArray], sample_rate: int, frame: float = FRAME_SECONDS
) -> Envelope:
    """Build an envelope from consecutive mono blocks, carrying partial frames across blocks."""
    hop = max(1, round(sample_rate * frame))
    pieces: list[FloatArray] = []
    carry = np.zeros(0, dtype=np.float32)
    for block in blocks:
        data = np.concatenate([carry, np.asarray(block, dtype=np.float32)])
        whole = (len(data) // hop) * hop
        if whole:
            pieces.append(frame_db(data[:whole], sample_rate, frame))
        carry = data[whole:]
    if len(carry):
        pieces.append(frame_db(carry, sample_rate, frame))
    db = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    return Envelope(db=db.astype(np.float32), frame=frame)


def envelope_of(samples: FloatArray, sample_rate: int) -> Envelope:
    return envelope_of_blocks([samples], sample_rate)
