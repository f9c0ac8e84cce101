"""The splice's crossfade: new audio faded in against the audio already rendered there."""

from __future__ import annotations

import numpy as np

from render.reader import correlated_fades, correlation
from render.sources import Frames


def join(tail: Frames, head: Frames, fade: int) -> Frames:
    """``head`` with its first ``len(tail)`` frames crossfaded against ``tail`` (or, with no
    tail, faded in from silence over ``fade`` frames)."""
    n = min(len(tail), len(head))
    out = head.copy()
    if n == 0:
        fade = min(len(head), fade)
        if fade:
            out[:fade] *= correlated_fades(fade, 0.0)[0]
        return out
    a, b = tail[:n], head[:n]
    fade_in, fade_out = correlated_fades(n, correlation(a, b))
    mixed = a * fade_out + b * fade_in
    bound = max(max_step(a), max_step(b))
    if max_step(mixed) > bound:
        fade_in, fade_out = correlated_fades(n, 1.0)
        mixed = a * fade_out + b * fade_in
    out[:n] = mixed
    return out


def max_step(block: Frames) -> float:
    if len(block) < 2:
        return 0.0
    return float(np.abs(np.diff(block, axis=0)).max())
