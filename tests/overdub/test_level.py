"""Loudness matching: on target even when one peak would stop a plain gain, never over −1 dBFS."""

from __future__ import annotations

import math

import numpy as np

from editor.overdub import level


def _speechlike(rate: int, seconds: float, seed: int = 1) -> np.ndarray:
    """Noise shaped by a 4 Hz syllable envelope: a stand-in with speech's level changes."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(rate * seconds)) / rate
    env = 0.5 + 0.5 * np.sin(2 * math.pi * 4 * t) ** 2
    return (0.05 * env * rng.standard_normal(len(t))).astype(np.float32).reshape(-1, 1)


def test_one_plosive_does_not_hold_the_line_under_its_target() -> None:
    rate = 48000
    x = _speechlike(rate, 3.0)
    x[rate : rate + 48] = 0.85  # a 1 ms burst ~25 dB over the rest
    target = level.loudness(x, rate) + 8.0  # the speech around the line is 8 LU louder
    out, gain = level.match(x, rate, target)
    assert abs(level.loudness(out, rate) - target) < 0.5
    assert float(np.abs(out).max()) <= level.PEAK_CEILING + 1e-6
    assert gain > 7.0
    # away from the burst the line is simply gained: the limiter touched only around the peak
    far = slice(2 * rate, 3 * rate)
    np.testing.assert_allclose(out[far], x[far] * 10 ** (gain / 20), rtol=1e-4, atol=1e-6)


def test_limit_leaves_quiet_audio_alone_and_moves_smoothly() -> None:
    rate = 16000
    x = _speechlike(rate, 1.0)
    assert level.limit(x, rate) is x
    loud = x * 30
    out = level.limit(loud, rate)
    assert float(np.abs(out).max()) <= level.PEAK_CEILING + 1e-6
    gain = np.abs(out[:, 0]) / np.maximum(np.abs(loud[:, 0]), 1e-9)
    live = np.abs(loud[:, 0]) > 1e-3
    # the gain never jumps by more than the 5 ms window's share from one sample to the next
    assert float(np.abs(np.diff(gain[live])).max()) < 0.5
