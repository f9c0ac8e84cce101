"""Fake engines for the child process, and synthetic "speech" they can read.

The synthetic track is a sequence of tone bursts ("words"); each burst's frequency names the
word, so a fake engine can transcribe any span of it deterministically — the same word gets the
same text whichever chunk sees it, which is what boundary and resume tests need.
"""

from __future__ import annotations

import os
import time

import numpy as np
import numpy.typing as npt

from editor.transcribe.audio import RATE
from editor.transcribe.engine import DecodeOptions
from editor.transcribe.model import ModelSpec
from editor.transcribe.words import TimedWord

BASE_HZ = 300.0
STEP_HZ = 40.0
FAIL_HZ = 3900.0
CRASH_HZ = 3700.0


def word_track(
    n_words: int,
    *,
    word: float = 0.3,
    gap: float = 0.12,
    pause_every: int = 6,
    pause: float = 0.7,
    seed: int = 0,
) -> tuple[npt.NDArray[np.float32], list[tuple[str, float, float]]]:
    """Tone-burst words with short gaps and a longer pause every few words."""
    rng = np.random.default_rng(seed)
    pieces: list[npt.NDArray[np.float32]] = [np.zeros(int(0.5 * RATE), np.float32)]
    truth = []
    t = 0.5
    for i in range(n_words):
        k = i % 60
        freq = BASE_HZ + STEP_HZ * k
        n = int(word * RATE)
        tt = np.arange(n) / RATE
        pieces.append((0.3 * np.sin(2 * np.pi * freq * tt)).astype(np.float32))
        truth.append((f"w{k}", t, t + word))
        t += word
        g = pause if (i + 1) % pause_every == 0 else gap
        pieces.append((0.001 * rng.standard_normal(int(g * RATE))).astype(np.float32))
        t += g
    return np.concatenate(pieces), truth


def tone(freq: float, seconds: float) -> npt.NDArray[np.float32]:
    tt = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * freq * tt)).astype(np.float32)


class ToneEngine:
    """Reads tone bursts back as words; fails or crashes on the marker tones."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def transcribe(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> list[TimedWord]:
        if self.delay:
            time.sleep(self.delay)  # simulated decoding work, not synchronisation
        hop = RATE // 100
        n = len(audio) // hop
        if n == 0:
            return []
        frames = audio[: n * hop].reshape(n, hop)
        loud = np.sqrt(np.mean(frames**2, axis=1)) > 0.05
        out: list[TimedWord] = []
        i = 0
        while i < n:
            if not loud[i]:
                i += 1
                continue
            j = i
            while j < n and loud[j]:
                j += 1
            seg = audio[i * hop : j * hop]
            spec = np.abs(np.fft.rfft(seg))
            freq = float(np.argmax(spec)) * RATE / len(seg)
            if abs(freq - FAIL_HZ) < 20:
                raise RuntimeError("synthetic decoder failure")
            if abs(freq - CRASH_HZ) < 20:
                os._exit(3)
            k = round((freq - BASE_HZ) / STEP_HZ)
            out.append(TimedWord(f"w{k}", i / 100, j / 100, 0.9))
            i = j
        return out


def tone_engine(model: ModelSpec | None, threads: int, workers: int) -> ToneEngine:
    return ToneEngine()


def slow_tone_engine(model: ModelSpec | None, threads: int, workers: int) -> ToneEngine:
    return ToneEngine(delay=float(os.environ.get("WORDCUT_FAKE_DELAY", "0.4")))


def broken_engine(model: ModelSpec | None, threads: int, workers: int) -> ToneEngine:
    raise FileNotFoundError("no model here")
