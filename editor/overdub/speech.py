"""The speech backend: system text-to-speech (espeak-ng), for a whole line or splice's holes.

It imitates nobody, so it needs no voice profile; its words are marked generated like any
overdub's. It is paced to the speaker's own speaking rate and, like every backend's output,
level- and loudness-matched to the surrounding speech afterwards (:mod:`editor.overdub.compose`).

espeak-ng reports no word times on its command line, so each token's span is estimated by
sharing the spoken stretch out in proportion to the tokens' lengths; good enough to place
captions, and marked as estimated in the clip's record.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import numpy as np
import soundfile as sf

from editor.errors import OverdubError
from editor.overdub.backend import Generated, Samples, TokenSpan, VoiceRequest
from render.export.resample import resample_blocks, resampled_length

DEFAULT_VOICE = "en-us"
SILENCE_DB = -45.0
TIMEOUT = 60.0


def espeak_binary() -> str:
    """The espeak-ng executable, or :class:`OverdubError` saying how to get it."""
    found = shutil.which(os.environ.get("WORDCUT_ESPEAK", "espeak-ng"))
    if found is None:
        raise OverdubError(
            "the speech backend needs espeak-ng, which is not installed "
            "(apt install espeak-ng, brew install espeak-ng); or use --backend splice"
        )
    return found


def synthesize(
    text: str, *, voice: str, words_per_minute: float, pitch: int | None = None
) -> tuple[Samples, int]:
    """espeak-ng's rendering of ``text``: mono float32 samples and their rate."""
    wpm = int(min(260, max(110, round(words_per_minute))))
    extra = [] if pitch is None else ["-p", str(min(99, max(0, pitch)))]
    try:
        done = subprocess.run(
            [espeak_binary(), "-v", voice, "-s", str(wpm), *extra, "--stdout", text],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OverdubError(f"espeak-ng failed to run: {exc}") from None
    problem = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not done.stdout or "not found" in problem.lower():
        detail = problem.splitlines()[0] if problem else f"exit status {done.returncode}"
        raise OverdubError(f"espeak-ng cannot speak with voice {voice!r}: {detail}")
    try:
        samples, rate = sf.read(io.BytesIO(done.stdout), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise OverdubError(f"espeak-ng produced unreadable audio: {exc}") from None
    return np.ascontiguousarray(samples[:, :1]), int(rate)


def _speech_edges(x: Samples, rate: int) -> tuple[int, int]:
    """First and last frame above the silence threshold (10 ms frames)."""
    hop = max(1, rate // 100)
    n = len(x) // hop
    if n == 0:
        return 0, len(x)
    frames = x[: n * hop, 0].reshape(n, hop)
    db = 10 * np.log10(np.mean(np.square(frames, dtype=np.float64), axis=1) + 1e-12)
    loud = np.flatnonzero(db > max(SILENCE_DB, float(db.max()) - 40.0))
    if loud.size == 0:
        return 0, len(x)
    return int(loud[0]) * hop, min(len(x), (int(loud[-1]) + 1) * hop)


class SpeechBackend:
    """espeak-ng, paced to the speaker; ``voice`` is an espeak-ng voice name, ``pitch`` its
    0–99 pitch (espeak's default when None)."""

    name = "speech"
    clones_voice = False

    def __init__(self, voice: str | None = None, pitch: int | None = None) -> None:
        self.voice = voice or os.environ.get("WORDCUT_ESPEAK_VOICE", DEFAULT_VOICE)
        self.pitch = pitch

    def generate(self, request: VoiceRequest) -> Generated:
        ctx, line = request.context, request.line
        raw, raw_rate = synthesize(
            line.spoken, voice=self.voice, words_per_minute=ctx.words_per_minute, pitch=self.pitch
        )
        lo, hi = _speech_edges(raw, raw_rate)
        pad = round(0.03 * raw_rate)
        raw = raw[max(0, lo - pad) : min(len(raw), hi + pad)]
        lo_s = min(lo, pad) / raw_rate
        speech_s = (hi - lo) / raw_rate
        samples = _to_rate(raw, raw_rate, ctx.sample_rate)
        if ctx.channels > 1:
            samples = np.repeat(samples, ctx.channels, axis=1)
        weights = [len(t) + 2 for t in line.tokens]
        total = float(sum(weights))
        spans: list[TokenSpan] = []
        t = lo_s
        for k, wgt in enumerate(weights):
            d = speech_s * wgt / total
            spans.append(TokenSpan(k, k, t, t + d, self.name))
            t += d
        return Generated(
            samples, ctx.sample_rate, tuple(spans), notes=("word times estimated (espeak-ng)",)
        )


def _to_rate(x: Samples, rate: int, out_rate: int) -> Samples:
    if rate == out_rate:
        return x
    frames = len(x)
    out = list(resample_blocks([x], frames, rate, out_rate, 1))
    y = np.concatenate(out) if out else np.zeros((0, 1), np.float32)
    want = resampled_length(frames, rate, out_rate)
    return np.ascontiguousarray(y[:want], dtype=np.float32).reshape(-1, 1)
