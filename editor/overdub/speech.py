"""The speech backend: system text-to-speech (espeak-ng), for a whole line or splice's holes.

It imitates nobody, so it needs no voice profile; its words are marked generated like any
overdub's. It is paced to the speaker's own speaking rate and, like every backend's output,
level- and loudness-matched to the surrounding speech afterwards (:mod:`editor.overdub.compose`).

Matched to the speaker (the default, ``match_speaker=True``), so words it says next to the
speaker's own sound like they belong rather than like a different recording:

* **pitch** — the speaker's median F0 over their words near the line (autocorrelation of voiced
  frames) is mapped to espeak-ng's 0–99 pitch scale through that voice's own measured F0 at
  three settings (measured once per voice and process), and a speaker above 165 Hz gets the
  voice's female variant (``+f3``) when no variant was named;
* **spectrum** — the clip is equalised towards the speaker's long-term spectrum (octave-band
  gains of the speaker's words over espeak-ng's, bounded to ±12 dB, smooth in frequency), which
  also band-limits it to the recording's bandwidth (a 16 kHz recording has nothing above 8 kHz;
  espeak-ng's 22 kHz output does);
* **pace** — espeak-ng's words per minute is the speaker's own speaking rate near the line;
* loudness is matched afterwards like every backend's (:mod:`editor.overdub.compose`).

espeak-ng reports no word times on its command line, so each token's span is estimated by
sharing the spoken stretch out in proportion to the tokens' lengths; good enough to place
captions, and marked as estimated in the clip's record.
"""

from __future__ import annotations

import functools
import io
import math
import os
import shutil
import subprocess

import numpy as np
import numpy.typing as npt
import soundfile as sf

from editor.errors import OverdubError
from editor.overdub.backend import Generated, Samples, TokenSpan, VoiceContext, VoiceRequest
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
    0–99 pitch (when None: matched to the speaker if ``match_speaker``, else espeak's default).
    ``match_speaker=False`` is espeak-ng as it comes (the benchmark's comparison)."""

    name = "speech"
    clones_voice = False

    def __init__(
        self, voice: str | None = None, pitch: int | None = None, *, match_speaker: bool = True
    ) -> None:
        self.voice = voice or os.environ.get("WORDCUT_ESPEAK_VOICE", DEFAULT_VOICE)
        self.pitch = pitch
        self.match_speaker = match_speaker

    def generate(self, request: VoiceRequest) -> Generated:
        ctx, line = request.context, request.line
        voice, pitch, notes = self.voice, self.pitch, ["word times estimated (espeak-ng)"]
        reference = speaker_audio(ctx) if self.match_speaker else None
        if reference is not None and pitch is None:
            hz = median_f0(reference, ctx.sample_rate)
            if hz is not None:
                if hz > FEMALE_HZ and "+" not in voice:
                    voice = f"{voice}+f3"
                pitch = espeak_pitch_for(voice, hz)
                notes.append(f"pitched to the speaker's {hz:.0f} Hz")
        raw, raw_rate = synthesize(
            line.spoken, voice=voice, words_per_minute=ctx.words_per_minute, pitch=pitch
        )
        lo, hi = _speech_edges(raw, raw_rate)
        pad = round(0.03 * raw_rate)
        raw = raw[max(0, lo - pad) : min(len(raw), hi + pad)]
        lo_s = min(lo, pad) / raw_rate
        speech_s = (hi - lo) / raw_rate
        samples = _to_rate(raw, raw_rate, ctx.sample_rate)
        if reference is not None:
            samples = match_spectrum(samples, reference, ctx.sample_rate)
            notes.append("equalised to the speaker's spectrum")
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
        return Generated(samples, ctx.sample_rate, tuple(spans), notes=tuple(notes))


FEMALE_HZ = 165.0
"""Above this median F0 the speaker is matched with the voice's female variant."""
REFERENCE_WORDS = 40
"""The speaker's words nearest the line that their pitch and spectrum are measured on."""
MAX_EQ_DB = 12.0


def speaker_audio(ctx: VoiceContext) -> Samples | None:
    """The speaker's own words nearest the line, joined (mono), or None when there are few."""
    near = sorted(ctx.words, key=lambda w: abs(w.start - ctx.line_start))[:REFERENCE_WORDS]
    parts = [ctx.audio(w.start, w.end) for w in sorted(near, key=lambda w: w.start)]
    parts = [p.mean(axis=1) for p in parts if len(p)]
    if not parts or sum(len(p) for p in parts) < ctx.sample_rate // 2:
        return None
    return np.concatenate(parts).astype(np.float32)


def median_f0(x: Samples, rate: int) -> float | None:
    """Median fundamental frequency (Hz, 60–400) of the voiced 40 ms frames, by normalised
    autocorrelation (FFT); frames more than 30 dB under the loudest are left out, so the
    estimate does not depend on the recording's level. None when too few frames are voiced."""
    mono = x.mean(axis=1) if x.ndim == 2 else x
    step = max(1, rate // 16000)
    mono, rate = mono[::step].astype(np.float64), rate // step
    size, hop = rate // 25, rate // 100
    if len(mono) < size:
        return None
    n = 1 + (len(mono) - size) // hop
    frames = np.lib.stride_tricks.sliding_window_view(mono, size)[::hop][:n]
    frames = frames - frames.mean(axis=1, keepdims=True)
    energy = np.einsum("ij,ij->i", frames, frames)
    loud = frames[energy > energy.max() * 1e-3]
    if len(loud) < 5:
        return None
    spec = np.fft.rfft(loud * np.hanning(size), 2 * size, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :size]
    lo, hi = rate // 400, rate // 60
    # search only past the autocorrelation's first dip below zero, so the main lobe around
    # lag 0 (noise, a cold's breathy voice) is never taken for a period
    window = ac[:, :hi].copy()
    first_dip = np.argmax(window < 0, axis=1)
    first_dip[~(window < 0).any(axis=1)] = hi
    window[np.arange(hi)[None, :] < np.maximum(first_dip, lo)[:, None]] = -np.inf
    lags = np.argmax(window, axis=1)
    keep = np.isfinite(window[np.arange(len(window)), lags])
    ac, lags = ac[keep], lags[keep]
    if len(lags) < 5:
        return None
    strength = ac[np.arange(len(ac)), lags] / np.maximum(ac[:, 0], 1e-12)
    voiced = lags[strength > 0.6]
    if len(voiced) < 5:
        return None
    return float(np.median(rate / voiced))


@functools.lru_cache(maxsize=8)
def _pitch_scale(voice: str) -> tuple[tuple[int, float], ...]:
    """(espeak pitch setting, measured F0) for this voice at three settings."""
    out = []
    for setting in (10, 50, 90):
        x, rate = synthesize(
            "the quick brown fox jumps over the lazy dog",
            voice=voice,
            words_per_minute=160,
            pitch=setting,
        )
        hz = median_f0(x, rate)
        if hz is not None:
            out.append((setting, hz))
    return tuple(out)


def espeak_pitch_for(voice: str, hz: float) -> int | None:
    """The espeak-ng pitch setting at which ``voice`` speaks nearest ``hz`` (interpolated on
    the log-frequency scale of its measured settings); None if it could not be measured."""
    scale = _pitch_scale(voice)
    if len(scale) < 2:
        return None
    settings = np.array([s for s, _ in scale], dtype=np.float64)
    logs = np.log([f for _, f in scale])
    if np.any(np.diff(logs) <= 0):
        return None
    return round(float(np.clip(_extrapolate(math.log(hz), logs, settings), 0, 99)))


def _extrapolate(v: float, xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64]) -> float:
    if v <= xs[0]:
        return float(ys[0] + (v - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0]))
    if v >= xs[-1]:
        return float(ys[-1] + (v - xs[-1]) * (ys[-1] - ys[-2]) / (xs[-1] - xs[-2]))
    return float(np.interp(v, xs, ys))


def _band_levels(x: npt.NDArray[np.float64], rate: int, size: int) -> npt.NDArray[np.float64]:
    """The long-term power spectrum (Welch, ``size``-point frames) of ``x``."""
    if len(x) < size:
        x = np.pad(x, (0, size - len(x)))
    frames = np.lib.stride_tricks.sliding_window_view(x, size)[:: size // 2]
    power = np.abs(np.fft.rfft(frames * np.hanning(size), axis=1)) ** 2
    return np.asarray(power.mean(axis=0), dtype=np.float64)


def match_spectrum(x: Samples, reference: Samples, rate: int) -> Samples:
    """``x`` equalised towards ``reference``'s long-term spectrum: per-octave power ratios
    (bounded to ±``MAX_EQ_DB``), interpolated smoothly over frequency and applied as one
    zero-phase filter (the clip is short)."""
    size = 1024
    ref = _band_levels(reference.astype(np.float64), rate, size)
    own = _band_levels(x.mean(axis=1).astype(np.float64), rate, size)
    freqs = np.fft.rfftfreq(size, 1 / rate)
    edges = [62.5 * 2**k for k in range(12) if 62.5 * 2**k < rate / 2]
    centres, gains = [], []
    for lo in edges:
        band = (freqs >= lo) & (freqs < 2 * lo)
        if not band.any():
            continue
        ratio = (ref[band].sum() + 1e-12) / (own[band].sum() + 1e-12)
        centres.append(math.log(lo * math.sqrt(2)))
        gains.append(float(np.clip(10 * math.log10(ratio), -MAX_EQ_DB, MAX_EQ_DB)))
    if len(gains) < 2:
        return x
    gains_arr = np.array(gains) - np.median(gains)  # loudness is matched later; only shape
    n = 1 << max(10, int(len(x) + size).bit_length())
    f = np.fft.rfftfreq(n, 1 / rate)
    curve = np.interp(np.log(np.maximum(f, 1.0)), centres, gains_arr)
    top = rate / 2
    # nothing above the reference's bandwidth (where its spectrum falls 50 dB under its peak)
    ref_db = 10 * np.log10(ref + 1e-20)
    alive = freqs[ref_db > ref_db.max() - 50]
    if alive.size:
        top = float(alive.max())
    curve = np.where(f > top, -MAX_EQ_DB * 4, curve)
    response = 10 ** (curve / 20)
    out = np.empty_like(x)
    for c in range(x.shape[1]):
        spec = np.fft.rfft(x[:, c].astype(np.float64), n)
        out[:, c] = np.fft.irfft(spec * response, n)[: len(x)]
    return out.astype(np.float32)


def _to_rate(x: Samples, rate: int, out_rate: int) -> Samples:
    if rate == out_rate:
        return x
    frames = len(x)
    out = list(resample_blocks([x], frames, rate, out_rate, 1))
    y = np.concatenate(out) if out else np.zeros((0, 1), np.float32)
    want = resampled_length(frames, rate, out_rate)
    return np.ascontiguousarray(y[:want], dtype=np.float32).reshape(-1, 1)
