"""Program reader throughput against the plain reads it cannot avoid, measured in the same run.

Builds a synthetic episode in a temporary folder — two mono 48 kHz tracks (16-bit WAV) and an
MP3 of one of them — and an EDL with a cut every ~2 s (the 90-minute episode's ~280 cuts
scaled to the length chosen), then reports medians of:

* reader/WAV: ``EdlReader`` over the WAV tracks, 8192-frame blocks, vs reading the same
  number of frames of both tracks with soundfile (the I/O floor);
* reader/MP3: ``EdlReader`` over the MP3 (decoding source, seeks at every cut) vs one plain
  sequential PyAV decode + resample of the whole file.

Usage: ``.venv/bin/python bench/bench_reader.py [minutes] [repeats]`` (default 5 minutes, 5).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import soundfile as sf

from render.edl import Edl, EdlTrack, SourceRange
from render.reader import EdlReader

RATE = 48000


def _speech(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * RATE)) / RATE
    f0 = 120 + 50 * np.sin(2 * np.pi * 0.37 * t)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    voice = sum(np.sin(k * phase) / k for k in range(1, 6))
    env = 0.2 + 0.8 * np.sin(2 * np.pi * 3.1 * t) ** 2
    return (0.2 * env * voice + 0.02 * rng.standard_normal(len(t))).astype(np.float32)


def _mp3(path: Path, x: np.ndarray) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libmp3lame", rate=RATE, layout="mono")
        stream.bit_rate = 128_000
        resampler = av.AudioResampler(format="s16p", layout="mono", rate=RATE)
        for i in range(0, len(x), 1152):
            frame = av.AudioFrame.from_ndarray(x[None, i : i + 1152], format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE, i, Fraction(1, RATE)
            for r in resampler.resample(frame):
                out.mux(stream.encode(r))
        out.mux(stream.encode(None))


def _median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    seconds = minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        a, b = _speech(seconds, 1), _speech(seconds, 2)
        sf.write(folder / "a.wav", a, RATE, subtype="PCM_16")
        sf.write(folder / "b.wav", b, RATE, subtype="PCM_16")
        _mp3(folder / "a.mp3", a)
        rng = random.Random(0)
        ranges, t = [], 0.0
        while t < seconds - 3:
            length = rng.uniform(1.0, 3.0)
            ranges.append(SourceRange(t, t + length))
            t += length + rng.uniform(0.05, 0.6)
        wav = Edl(RATE, (EdlTrack(folder / "a.wav"), EdlTrack(folder / "b.wav")), tuple(ranges))
        mp3 = Edl(RATE, (EdlTrack(folder / "a.mp3"),), tuple(ranges))

        def render(edl: Edl) -> int:
            with EdlReader(edl) as reader:
                return sum(len(block) for block in reader.blocks(0, 8192))

        with EdlReader(wav) as reader:
            frames = reader.frames

        def floor_reads() -> None:
            for name in ("a.wav", "b.wav"):
                with sf.SoundFile(folder / name) as f:
                    left = frames
                    while left > 0:
                        left -= len(f.read(min(8192, left), dtype="float32"))

        def sequential_mp3() -> None:
            with av.open(str(folder / "a.mp3")) as c:
                res = av.AudioResampler(format="flt", layout="mono", rate=RATE)
                for frame in c.decode(audio=0):
                    res.resample(frame)

        r_wav = _median(lambda: render(wav), repeats)
        f_wav = _median(floor_reads, repeats)
        render(mp3)  # first open scans the MP3's length once; later opens reuse it
        r_mp3 = _median(lambda: render(mp3), repeats)
        f_mp3 = _median(sequential_mp3, repeats)
    audio_s = frames / RATE
    print(f"program {audio_s:.0f} s, {len(ranges)} segments, {repeats} runs (medians)")
    print(
        f"reader/WAV 2 tracks: {r_wav:.3f} s vs soundfile reads {f_wav:.3f} s "
        f"-> ratio {r_wav / f_wav:.2f}  ({audio_s / r_wav:.0f}x real time)"
    )
    print(
        f"reader/MP3 1 track:  {r_mp3:.3f} s vs sequential decode {f_mp3:.3f} s "
        f"-> ratio {r_mp3 / f_mp3:.2f}  ({audio_s / r_mp3:.0f}x real time)"
    )


if __name__ == "__main__":
    main()
