"""The audible band: what splice measures levels on and keeps in a clip (pure, no I/O)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from editor.overdub.audible import audible, audible_audio, audible_level_db

RATE = 16000


def _tone(hz: float, amplitude: float, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * math.pi * hz * t)


def test_a_slow_swing_goes_and_the_voice_band_stays_sample_for_sample() -> None:
    """A 4 Hz swing at 0.6 of full scale (the MFA cold recording's kind) under a 200 Hz tone at
    0.01: what is left of the swing is over 42 dB down, and the tone comes back in place (zero
    phase), with nothing ringing past its own peak."""
    voice = _tone(200, 0.01)
    out = audible(voice + _tone(4, 0.6), RATE)
    assert out.dtype == np.float32 and out.shape == voice.shape
    assert np.max(np.abs(out - voice)) < 0.6 * 10 ** (-42 / 20)
    inner = slice(RATE // 50, -RATE // 50)  # a tone cut off mid-swing bends at its very end
    assert np.max(np.abs(audible(voice, RATE) - voice)[inner]) < 2e-4


def test_the_band_edge_is_where_it_says() -> None:
    """−3 dB near 50 Hz, a swing's range 40 dB down, the voice's within 0.45 dB."""

    def kept_db(hz: float) -> float:
        x = _tone(hz, 0.1)[RATE // 4 : -RATE // 4]
        y = audible(_tone(hz, 0.1), RATE)[RATE // 4 : -RATE // 4]
        return 20 * math.log10(float(np.std(y) / np.std(x)))

    assert kept_db(5) < -39
    assert kept_db(20) < -15
    assert kept_db(50) == pytest.approx(-3.0, abs=0.6)
    for hz in (100, 130, 150, 180, 250, 400, 1000, 4000):
        assert kept_db(hz) == pytest.approx(0.0, abs=0.45)


def test_channels_and_tiny_pieces_keep_their_shape() -> None:
    stereo = np.stack([_tone(300, 0.1), _tone(500, 0.2)], axis=1)
    out = audible(stereo, RATE)
    assert out.shape == stereo.shape
    assert np.max(np.abs(out - stereo)[RATE // 50 : -RATE // 50]) < 3e-3  # 1.5 % of 0.2
    for n in (0, 1, 2, 5):
        assert audible(np.ones((n, 1), np.float32), RATE).shape == (n, 1)


def test_a_piece_is_filtered_with_the_recording_around_it() -> None:
    """A piece cut out of a recording riding on the swing is the same as that stretch of the
    whole recording filtered (no edge of its own), and its power is the tone's alone: −43 dB,
    where the raw power reads over 20 dB more."""
    recording = (_tone(200, 0.01, 6.0) + _tone(3, 0.6, 6.0)).astype(np.float32)

    def read(a: float, b: float) -> np.ndarray:
        return recording[max(0, round(a * RATE)) : max(0, round(b * RATE))]

    piece = audible_audio(read, RATE, 2.0, 2.5)
    assert piece.shape == (RATE // 2,)
    whole = audible(recording, RATE)[2 * RATE : 2 * RATE + RATE // 2]
    assert np.max(np.abs(piece - whole)) < 1e-4
    expected = 10 * math.log10(0.01**2 / 2)
    assert 10 * math.log10(float(np.mean(np.square(piece, dtype=np.float64)))) == pytest.approx(
        expected, abs=0.5
    )
    raw = read(2.0, 2.5).astype(np.float64)
    assert 10 * math.log10(float(np.mean(raw**2))) > expected + 20
    assert audible_audio(read, RATE, 0.0, 0.1).shape == (RATE // 10,)  # at the recording's start


def test_a_words_level_is_the_power_of_its_audible_band() -> None:
    """The fast level (slow part on a 1 ms grid, the rest at 8 kHz) agrees with the power of
    the filtered samples: within 0.2 dB for a tone riding on the swing, at any rate, and at
    the very start of a recording."""
    for rate in (16000, 44100, 48000):
        t = np.arange(6 * rate) / rate
        recording = (
            0.01 * np.sin(2 * math.pi * 170 * t) + 0.6 * np.sin(2 * math.pi * 3 * t)
        ).astype(np.float32)

        def read(a: float, b: float, x: np.ndarray = recording, r: int = rate) -> np.ndarray:
            return x[max(0, round(a * r)) : max(0, round(b * r))]

        for a, b in ((2.0, 2.3), (0.0, 0.25), (3.1, 3.105), (4.0, 4.0)):
            fast = audible_level_db(read, rate, a, b)
            piece = audible_audio(read, rate, a, b)
            if not piece.size:
                assert fast == -120.0
                continue
            exact = 10 * math.log10(float(np.mean(np.square(piece, dtype=np.float64))))
            assert fast == pytest.approx(exact, abs=0.2), (rate, a, b)
