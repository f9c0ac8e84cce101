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
