"""Choosing ≈30 s chunks cut at pauses, and joining their words without loss or doubling.

Why chunks: each finished chunk is a checkpoint, so a crash costs at most one chunk, and the
work is spread into units the model handles in one 30 s window (no drift across windows).

Method. A cut is placed at the quietest point of a search window that ends at the target
length (``smoothing`` seconds of moving-average level, so a pause beats a single quiet
frame). Each chunk is transcribed with ``overlap`` seconds of context on both sides; a word
belongs to the chunk whose own range holds its midpoint, so a word straddling a cut is seen
whole by both neighbours but kept by exactly one. As a second guard, when the last word of one
chunk and the first of the next are the same word at overlapping times, the later copy goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from editor.transcribe.envelope import Envelope
from editor.transcribe.wer import normalise
from editor.transcribe.words import TimedWord


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


def own_words(words: Sequence[TimedWord], chunk: Chunk, *, last: bool = False) -> list[TimedWord]:
    """The words (in track time) that this chunk owns by midpoint."""
    out = []
    for w in words:
        if chunk.start <= w.mid < chunk.end or (last and w.mid >= chunk.end):
            out.append(w)
    return out


def join_chunks(per_chunk: Sequence[Sequence[TimedWord]]) -> list[TimedWord]:
    """Concatenate owned words of consecutive chunks, dropping a doubled word at each seam."""
    out: list[TimedWord] = []
    for words in per_chunk:
        items = list(words)
        if out and items and _same_word(out[-1], items[0]):
            items = items[1:]
        out.extend(items)
    return out


def _same_word(a: TimedWord, b: TimedWord) -> bool:
    overlap = min(a.end, b.end) - max(a.start, b.start)
    return overlap > 0 and normalise(a.text) == normalise(b.text)
