"""Choosing ≈30 s chunks cut at pauses (their words are joined in ``seams``).

Why chunks: each finished chunk is a checkpoint, so a crash costs at most one chunk, and the
work is spread into units the model handles in one 30 s window (no drift across windows).

Method. A cut is placed at the quietest point of a search window that ends at the target
length (``smoothing`` seconds of moving-average level, so a pause beats a single quiet
frame). Each chunk is transcribed with ``overlap`` seconds of context on both sides, so a word
straddling a cut is heard whole by both neighbours; :mod:`editor.transcribe.seams` keeps it
once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.transcribe.envelope import Envelope


@dataclass(frozen=True, slots=True)
class Chunk:
    """The range of track seconds this chunk owns: words whose midpoint lies in [start, end)."""

    index: int
    start: float
    end: float

    def padded(self, overlap: float, duration: float) -> tuple[float, float]:
        """The range actually fed to the model: the owned range plus context either side."""
        return max(0.0, self.start - overlap), min(duration, self.end + overlap)

    @property
    def length(self) -> float:
        return self.end - self.start


def plan_chunks(
    env: Envelope,
    *,
    target: float = 30.0,
    window: float = 8.0,
    smoothing: float = 0.3,
) -> list[Chunk]:
    """Split the envelope's duration into chunks of at most ``target`` s, cut in pauses.

    Deterministic in the audio alone, so a resumed job plans exactly the same chunks.
    """
    duration = env.duration
    if duration <= 0:
        return []
    if duration <= target:
        return [Chunk(0, 0.0, duration)]
    k = max(1, round(smoothing / env.frame))
    power = np.power(10.0, env.db.astype(np.float64) / 10.0)
    smooth = np.convolve(power, np.ones(k) / k, mode="same")
    cuts = [0.0]
    pos = 0.0
    while duration - pos > target:
        lo = env.index(pos + target - window)
        hi = env.index(pos + target)
        seg = smooth[lo : hi + 1]
        # Quietest frame; among equals, the latest (longer chunks, fewer of them).
        best = lo + int(len(seg) - 1 - np.argmin(seg[::-1]))
        cut = round(best * env.frame + env.frame / 2, 3)
        if cut <= pos:
            cut = pos + target
        cuts.append(cut)
        pos = cut
    cuts.append(duration)
    return [Chunk(i, cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
