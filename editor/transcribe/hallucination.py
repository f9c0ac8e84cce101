"""Dropping Whisper's repetition loops: the same few words over and over, said by no one.

On silence, music or noise Whisper can emit a phrase again and again ("Thank you. Thank you.
Thank you."). Real speech repeats too ("words words words" in a verbatim corpus), so a loop is
only dropped when it is long (more than ``max_repeats`` copies in a row) *and* the model itself
was unsure of it (mean confidence below ``max_confidence``).
"""

from __future__ import annotations

from collections.abc import Sequence

from editor.transcribe.wer import normalise
from editor.transcribe.words import TimedWord


def drop_repetition_loops(
    words: Sequence[TimedWord],
    *,
    max_repeats: int = 3,
    max_period: int = 6,
    max_confidence: float = 0.5,
) -> list[TimedWord]:
    """Remove runs of a 1..``max_period``-word unit repeated more than ``max_repeats`` times."""
    keys = [" ".join(normalise(w.text)) for w in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        best_end = i
        for period in range(1, max_period + 1):
            unit = keys[i : i + period]
            if len(unit) < period:
                break
            j = i + period
            while keys[j : j + period] == unit:
                j += period
            copies = (j - i) // period
            if copies > max_repeats and j > best_end:
                best_end = j
        if best_end > i:
            run = words[i:best_end]
            if sum(w.confidence for w in run) / len(run) < max_confidence:
                for k in range(i, best_end):
                    keep[k] = False
            i = best_end
        else:
            i += 1
    return [w for w, k in zip(words, keep, strict=True) if k]
