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


LIMIT_WINDOW = 0.005
"""Seconds of look-ahead (and release) of the peak limiter."""


def match(x: Samples, rate: int, target_lufs: float) -> tuple[Samples, float]:
    """``x`` gained to ``target_lufs`` (bounded to ±``MAX_GAIN_DB``); returns it and the gain.

    The match never makes the clip clip, but it does not give up loudness for one peak
    either: a spliced word with a hard plosive can peak 10 dB over its neighbours, and turning
    the whole line down for it left lines 2 LU under the speech around them. So the gain is the
    loudness match, and the few peaks it would push over −1 dBFS are taken down by a short
    look-ahead limiter (:func:`limit`); the loudness is then measured again and corrected once
    for what the limiter took."""
    found = loudness(x, rate)
    if not (math.isfinite(found) and math.isfinite(target_lufs)):
        return x, 0.0
    gain_db = max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target_lufs - found))
    out = x
    for _ in range(2):
        gained = limit((x * np.float32(10 ** (gain_db / 20))).astype(np.float32), rate)
        out = gained
        short = target_lufs - loudness(gained, rate)
        if not math.isfinite(short) or abs(short) < 0.05 or gain_db + short > MAX_GAIN_DB:
            break
        gain_db += short
    return out, gain_db


def limit(x: Samples, rate: int, ceiling: float = PEAK_CEILING) -> Samples:
    """``x`` with every sample at or under ``ceiling``, by a smooth gain that dips only around
    the peaks: the per-sample gain needed, its minimum over a ``LIMIT_WINDOW`` window, then
    averaged over the same window (so the gain at each sample is never above what that sample
    needs, and it moves over 5 ms rather than in a step)."""
    if not x.size:
        return x
    env = np.abs(x).max(axis=1) if x.ndim == 2 else np.abs(x)
    if float(env.max()) <= ceiling:
        return x
    need = np.minimum(1.0, ceiling / np.maximum(env.astype(np.float64), 1e-12))
    w = max(1, round(LIMIT_WINDOW * rate)) | 1
    half = w // 2
    padded = np.pad(need, half, mode="edge")
    low = np.lib.stride_tricks.sliding_window_view(padded, w).min(axis=1)
    padded = np.pad(low, half, mode="edge")
    csum = np.concatenate([[0.0], np.cumsum(padded)])
    gain = (csum[w:] - csum[:-w]) / w
    gain = np.minimum(gain, need)  # rounding of the average never lets a peak through
    shaped = x * (gain[:, None] if x.ndim == 2 else gain)
    return np.asarray(shaped, dtype=np.float32)
