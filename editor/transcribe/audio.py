"""Audio as the recogniser wants it: 16 kHz mono float32, read span by span.

The job reads each chunk's span from a source when it is about to send it, so memory stays at a
few chunks whatever the episode's length. Sources:

* :class:`ArraySource` — samples already in memory (tests, short files);
* :class:`CacheSource` — a track's decoded project cache (``render.media.CachedMedia`` or
  anything with ``read(start, count)``, ``frames``, ``sample_rate``), downmixed and resampled
  per span with PyAV's resampler (swresample) and a little margin either side, so span edges
  carry no filter transient;
* :func:`file_source` — decode any file PyAV reads to 16 kHz once (benchmarks, ``align``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from editor.errors import TranscribeError

RATE = 16000
Samples = npt.NDArray[np.float32]


class AudioSource(Protocol):
    """What the transcription job needs from a track's audio."""

    ident: str
    duration: float
    level_rate: int
    """The rate of :meth:`blocks`' samples."""

    def read(self, start: float, end: float) -> Samples:
        """Mono 16 kHz samples of [start, end) seconds: what the model hears."""
        ...

    def blocks(self, seconds: float) -> Iterator[Samples]:
        """Consecutive mono blocks of the whole track at ``level_rate``, for the loudness
        envelope (which needs no resampling: levels are measured at any rate)."""
        ...


class ArraySource:
    """Mono 16 kHz samples in memory."""

    def __init__(self, samples: npt.ArrayLike, ident: str | None = None) -> None:
        self.samples = np.ascontiguousarray(np.asarray(samples, dtype=np.float32).reshape(-1))
        self.duration = len(self.samples) / RATE
        self.ident = ident or "array:" + hashlib.sha256(self.samples.tobytes()).hexdigest()[:16]
        self.level_rate = RATE

    def read(self, start: float, end: float) -> Samples:
        a, b = max(0, round(start * RATE)), max(0, round(end * RATE))
        return self.samples[a:b]

    def blocks(self, seconds: float) -> Iterator[Samples]:
        step = max(1, int(seconds * RATE))
        for i in range(0, len(self.samples), step):
            yield self.samples[i : i + step]


def to_mono(block: npt.NDArray[Any]) -> Samples:
    """Downmix (frames, channels) float audio to mono: the channels' mean."""
    data = np.asarray(block, dtype=np.float32)
    if data.ndim == 1:
        return data
    if data.shape[1] == 1:
        return data[:, 0]
    # A matrix product reads the interleaved frames once; mean(axis=1) is several times slower.
    weights = np.full(data.shape[1], 1.0 / data.shape[1], dtype=np.float32)
    mono: Samples = data @ weights
    return mono


def to_mono_16k(block: npt.NDArray[Any], rate: int) -> Samples:
    """Downmix (frames, channels) float audio at ``rate`` to mono 16 kHz with swresample."""
    mono = to_mono(block)
    if rate == RATE or len(mono) == 0:
        return np.ascontiguousarray(mono, dtype=np.float32)
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(mono.reshape(1, -1)), format="flt", layout="mono"
    )
    frame.sample_rate = rate
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


class CacheSource:
    """A decoded project cache (any rate and channel count) seen as 16 kHz mono."""

    MARGIN = 0.05

    def __init__(self, cache: Any, ident: str) -> None:
        self.cache = cache
        self.rate = int(cache.sample_rate)
        self.frames = int(cache.frames)
        self.duration = self.frames / self.rate
        self.ident = ident
        self.level_rate = self.rate

    def _frames(self, a: int, count: int) -> npt.NDArray[np.float32]:
        try:
            block: npt.NDArray[np.float32] = self.cache.read(a, count)
        except Exception as exc:
            raise TranscribeError(
                f"the audio cache cannot be read ({exc}); re-import the track"
            ) from exc
        return block

    def read(self, start: float, end: float) -> Samples:
        lo = max(0.0, start - self.MARGIN)
        hi = min(self.duration, end + self.MARGIN)
        a, b = round(lo * self.rate), round(hi * self.rate)
        if b <= a:
            return np.zeros(0, np.float32)
        pcm = to_mono_16k(self._frames(a, b - a), self.rate)
        skip = round((start - lo) * RATE) if start > lo else 0
        want = max(0, round((end - start) * RATE))
        return pcm[skip : skip + want]

    def blocks(self, seconds: float) -> Iterator[Samples]:
        step = max(1, round(seconds * self.rate))
        for a in range(0, self.frames, step):
            yield to_mono(self._frames(a, min(step, self.frames - a)))


def file_source(path: Path) -> ArraySource:
    """Decode a whole file to 16 kHz mono (for short inputs: benchmarks, tests, alignment)."""
    from faster_whisper.audio import decode_audio

    from render.media.probe import sha256_file

    try:
        samples = decode_audio(str(path), sampling_rate=RATE)
        digest = sha256_file(path)[:16]
    except Exception as exc:
        raise TranscribeError(f"{path}: cannot decode audio ({exc})") from exc
    return ArraySource(samples, ident=f"file:{digest}")
