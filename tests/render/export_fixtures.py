"""Shared material for the export tests: synthetic sources, EDLs and decoding helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import soundfile as sf

from render.edl import Edl, EdlTrack, SourceRange

RATE = 48_000
HAS_FFMPEG = shutil.which("ffmpeg") is not None


def speechlike(seconds: float, channels: int = 2, rate: int = RATE, seed: int = 0) -> np.ndarray:
    """Bursts of harmonic tone and noise with pauses: peaky like speech, deterministic."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    f0 = 140 + 40 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 8))
    envelope = (np.sin(2 * np.pi * 1.7 * t) > -0.2) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.23 * t))
    mono = 0.15 * voice * envelope + 0.01 * rng.standard_normal(n)
    out = np.stack([mono * (1.0 - 0.2 * c) for c in range(channels)], axis=1)
    return out.astype(np.float32)


def write_source(
    folder: Path, seconds: float, channels: int = 2, name: str = "host.wav", seed: int = 0
) -> Path:
    path = folder / name
    sf.write(path, speechlike(seconds, channels, seed=seed), RATE, subtype="PCM_24")
    return path


def cut_edl(source: Path, seconds: float, pieces: int = 4, crossfade_ms: float = 10.0) -> Edl:
    """Keep ``pieces`` ranges of the source with gaps between them."""
    slot = seconds / pieces
    segments = tuple(
        SourceRange(round(i * slot + 0.05 * slot, 3), round((i + 1) * slot - 0.15 * slot, 3))
        for i in range(pieces)
    )
    return Edl(RATE, (EdlTrack(source),), segments, crossfade_ms)


def decode(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """Decode with PyAV (which honours MP3 gapless headers and MP4 priming); (frames, ch)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        channels = stream.codec_context.channels
        parts = []
        resampler = av.AudioResampler(format="flt", layout=stream.codec_context.layout, rate=rate)
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray().reshape(-1, channels))
        for out in resampler.resample(None):
            parts.append(out.to_ndarray().reshape(-1, channels))
    return np.concatenate(parts).astype(np.float32), rate


class ArrayReader:
    """A program reader over an array (the reader protocol without files)."""

    def __init__(self, data: npt.NDArray[np.float32], sample_rate: int = RATE) -> None:
        self.data = np.asarray(data, dtype=np.float32)
        self.sample_rate = sample_rate
        self.channels = self.data.shape[1]
        self.frames = self.data.shape[0]
        self.clones = 0
        self.closed = False

    def read(self, start: int, count: int) -> npt.NDArray[np.float32]:
        out = np.zeros((count, self.channels), dtype=np.float32)
        lo, hi = max(start, 0), min(start + count, self.frames)
        if lo < hi:
            out[lo - start : hi - start] = self.data[lo:hi]
        return out

    def clone(self) -> ArrayReader:
        self.clones += 1
        return ArrayReader(self.data, self.sample_rate)

    def close(self) -> None:
        self.closed = True
