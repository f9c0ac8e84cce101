"""Matching a generated clip's loudness to the speech around the line it replaces.

Loudness is BS.1770 integrated loudness (the export's own meter, :mod:`render.export.loudness`),
so "within 1 LU of the surrounding speech" is measured the way the episode is normalised. A
stretch too short for a 400 ms block falls back to the RMS of its active (speech) frames.
"""

from __future__ import annotations

import math

import numpy as np

from editor.overdub.backend import Samples, VoiceContext

CONTEXT_SECONDS = 8.0
"""Speech either side of the line that sets the target."""
MAX_GAIN_DB = 20.0
PEAK_CEILING = 0.89
"""−1 dBFS: the match never makes the clip clip."""


def loudness(x: Samples, rate: int) -> float:
    """Integrated loudness in LUFS (−inf for silence)."""
    from render.export.loudness import Meter, integrated_loudness

    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.shape[1] > 2:
        x = x.mean(axis=1, keepdims=True)
    if len(x) < rate // 2 or rate % 10:
        return _active_rms_db(x, rate)
    meter = Meter(rate, x.shape[1], peak="none")
    meter.add(np.ascontiguousarray(x, dtype=np.float32))
    meter.finish()
    value = integrated_loudness(np.asarray(meter.blocks, dtype=np.float64))
    return value if math.isfinite(value) else _active_rms_db(x, rate)


def _active_rms_db(x: Samples, rate: int) -> float:
    hop = max(1, rate // 100)
    n = len(x) // hop
    if n == 0:
        return -math.inf
    frames = np.square(x[: n * hop].astype(np.float64)).reshape(n, -1).mean(axis=1)
    db = 10 * np.log10(frames + 1e-12)
    active = frames[db > max(-60.0, float(db.max()) - 30.0)]
    return 10 * math.log10(float(active.mean())) - 0.691 if active.size else -math.inf


def context_audio(ctx: VoiceContext) -> Samples:
    """The speaker's track just before and just after the replaced words."""
    before = ctx.audio(max(0.0, ctx.line_start - CONTEXT_SECONDS), ctx.line_start)
    after = ctx.audio(ctx.line_end, ctx.line_end + CONTEXT_SECONDS)
    return np.concatenate([before, after]) if len(before) or len(after) else before


def target_loudness(ctx: VoiceContext) -> float:
    return loudness(context_audio(ctx), ctx.sample_rate)


def match(x: Samples, rate: int, target_lufs: float) -> tuple[Samples, float]:
    """``x`` gained to ``target_lufs`` (bounded, never past −1 dBFS); returns it and the gain."""
    found = loudness(x, rate)
    if not (math.isfinite(found) and math.isfinite(target_lufs)):
        return x, 0.0
    gain_db = max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target_lufs - found))
    peak = float(np.abs(x).max()) if x.size else 0.0
    if peak > 0:
        gain_db = min(gain_db, 20 * math.log10(PEAK_CEILING / peak))
    gained = (x * np.float32(10 ** (gain_db / 20))).astype(np.float32)
    return gained, gain_db
