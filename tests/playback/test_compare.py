"""The capture comparison itself: a recording that lost audio is told from audio that differs."""

from __future__ import annotations

import numpy as np

from editor.playback.testing import align, compare_windows

RATE = 8000


def _signal(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(3)
    return (0.3 * rng.standard_normal((int(seconds * RATE), 1))).astype(np.float32)


def test_identical_audio_has_every_window_equal_and_no_jump() -> None:
    ref = _signal(8)
    heard = ref[1234:].copy()
    assert align(heard[: 2 * RATE], ref) == 1234
    assert compare_windows(heard, ref, rate=RATE) == (len(heard) // RATE, len(heard) // RATE, 0)


def test_a_dropout_is_one_jump_and_wrong_audio_is_unequal() -> None:
    ref = _signal(8)
    dropped = np.concatenate([ref[: 3 * RATE + 100], ref[3 * RATE + 900 :]])
    equal, windows, jumps = compare_windows(dropped, ref, rate=RATE)
    assert jumps == 1 and equal >= windows - 1
    wrong = ref.copy()
    wrong[4 * RATE : 5 * RATE] *= 0.5
    equal, windows, jumps = compare_windows(wrong, ref, rate=RATE)
    assert equal == windows - 1 and jumps == 0
