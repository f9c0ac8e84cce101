"""The speech backend (espeak-ng): paced, timed, and clear about what it cannot do."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from editor.errors import OverdubError
from editor.overdub.backend import VoiceContext, VoiceRequest
from editor.overdub.speech import SpeechBackend
from editor.overdub.text import parse_line

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


def _ctx(rate: int = 48000, channels: int = 2, wpm: float = 160.0) -> VoiceContext:
    def silent(a: float, b: float) -> np.ndarray:
        return np.zeros((max(0, round((b - a) * rate)), channels), np.float32)

    return VoiceContext("X", rate, channels, (), silent, 0.0, 1.0, wpm)


def test_line_at_the_project_rate_with_ordered_word_times() -> None:
    made = SpeechBackend().generate(VoiceRequest(parse_line("We had 12 episodes."), _ctx(), None))
    assert made.sample_rate == 48000 and made.samples.shape[1] == 2
    assert [s.first for s in made.spans] == [0, 1, 2, 3]
    ends = [s.end for s in made.spans]
    assert ends == sorted(ends) and ends[-1] <= made.duration
    assert float(np.abs(made.samples).max()) > 0.05  # it really spoke


def test_pace_follows_the_speaker() -> None:
    line = parse_line("the quick brown fox jumps over the lazy dog again and again")
    slow = SpeechBackend().generate(VoiceRequest(line, _ctx(wpm=120), None))
    fast = SpeechBackend().generate(VoiceRequest(line, _ctx(wpm=240), None))
    assert fast.duration < slow.duration * 0.75


def test_missing_voice_and_missing_program_are_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line = parse_line("hello")
    with pytest.raises(OverdubError, match="cannot speak with voice 'zz-none'"):
        SpeechBackend(voice="zz-none").generate(VoiceRequest(line, _ctx(), None))
    monkeypatch.setenv("WORDCUT_ESPEAK", "no-such-espeak-binary")
    with pytest.raises(OverdubError, match="needs espeak-ng, which is not installed"):
        SpeechBackend().generate(VoiceRequest(line, _ctx(), None))


def _speaker_ctx(hz: float, rate: int = 16000) -> VoiceContext:
    """A 'speaker' whose words are a harmonic voice at ``hz`` band-limited to 4 kHz."""
    from editor.overdub.backend import RecordedWord

    t = np.arange(rate * 12) / rate
    voice = sum(np.sin(2 * np.pi * hz * k * t) / k for k in range(1, int(4000 // hz)))
    voice = (0.1 * voice * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)
    audio = voice.reshape(-1, 1)

    def read(a: float, b: float) -> np.ndarray:
        return audio[max(0, round(a * rate)) : max(0, round(b * rate))]

    words = tuple(
        RecordedWord(f"w{k}", ("la",), 0.5 * k, 0.5 * k + 0.4, 0.1, 0.1) for k in range(20)
    )
    return VoiceContext("X", rate, 1, words, read, 5.0, 6.0, 160.0)


def _band_share(x: np.ndarray, rate: int, above: float) -> float:
    spec = np.abs(np.fft.rfft(x[:, 0].astype(np.float64))) ** 2
    f = np.fft.rfftfreq(len(x), 1 / rate)
    return float(spec[f > above].sum() / spec.sum())


def test_fill_is_pitched_and_equalised_to_the_speaker() -> None:
    from editor.overdub.speech import median_f0

    line = parse_line("remember the bright morning")
    for hz in (95.0, 140.0):
        ctx = _speaker_ctx(hz)
        assert median_f0(ctx.audio(0, 10), ctx.sample_rate) == pytest.approx(hz, rel=0.05)
    low = SpeechBackend().generate(VoiceRequest(line, _speaker_ctx(95.0), None))
    high = SpeechBackend().generate(VoiceRequest(line, _speaker_ctx(140.0), None))
    plain = SpeechBackend(match_speaker=False).generate(
        VoiceRequest(line, _speaker_ctx(95.0), None)
    )
    f_low, f_high = (median_f0(m.samples, 16000) for m in (low, high))
    assert f_low is not None and f_high is not None
    assert f_low == pytest.approx(95.0, rel=0.2) and f_high == pytest.approx(140.0, rel=0.2)
    assert any("pitched" in n for n in low.notes) and not plain.notes[1:]
    # the speaker has nothing above 4 kHz: the matched fill has next to nothing there either
    assert _band_share(low.samples, 16000, 4500) < 0.1 * _band_share(plain.samples, 16000, 4500)
