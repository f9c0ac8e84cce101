"""A fake audio system for the playback tests: devices, a stream whose callback the test
calls with whatever buffer sizes it likes, and a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import soundfile as sf

from editor.playback.devices import OutputDevice, StreamCallback
from render.edl import ClipInsert, Edl, EdlTrack, SourceRange

RATE = 48_000


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class _Status:
    def __init__(self, underflow: bool = False) -> None:
        self.output_underflow = underflow

    def __bool__(self) -> bool:
        return self.output_underflow


class FakeStream:
    """Runs the player's callback when the test says so, as PortAudio would."""

    def __init__(
        self,
        clock: FakeClock,
        rate: int,
        channels: int,
        callback: StreamCallback,
        finished: Callable[[], None],
        latency: float,
    ) -> None:
        self.clock = clock
        self.rate = rate
        self.channels = channels
        self.callback = callback
        self.finished = finished
        self.latency = latency
        self.active = False
        self.closed = False

    @property
    def time(self) -> float:
        return self.clock()

    def start(self) -> None:
        self.active = True

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        self.active = False
        self.closed = True

    def run(self, frames: int, *, underflow: bool = False) -> np.ndarray:
        """One callback of ``frames`` frames; the clock advances by their duration."""
        out = np.full((frames, self.channels), np.nan, dtype=np.float32)
        now = self.clock()
        info = SimpleNamespace(currentTime=now, outputBufferDacTime=now + self.latency)
        self.callback(out, frames, info, _Status(underflow))
        self.clock.t += frames / self.rate
        return out

    def vanish(self) -> None:
        """The device went away: the stream stops calling back and says it finished."""
        self.active = False
        self.finished()


@dataclass
class FakeBackend:
    clock: FakeClock = field(default_factory=FakeClock)
    outputs: list[OutputDevice] = field(
        default_factory=lambda: [
            OutputDevice(0, "Speakers", "Fake", 2, RATE, is_default=True),
            OutputDevice(1, "USB Headset", "Fake", 2, 44_100),
        ]
    )
    rates: dict[int, tuple[int, ...]] = field(
        default_factory=lambda: {0: (RATE, 44_100), 1: (44_100,)}
    )
    latency: float = 0.02
    streams: list[FakeStream] = field(default_factory=list)
    refreshed: int = 0

    def devices(self) -> list[OutputDevice]:
        return list(self.outputs)

    def refresh(self) -> None:
        self.refreshed += 1

    def supports(self, device: OutputDevice, rate: int, channels: int) -> bool:
        return rate in self.rates.get(device.index, ()) and channels <= device.channels

    def open(
        self,
        device: OutputDevice,
        rate: int,
        channels: int,
        callback: StreamCallback,
        finished: Callable[[], None],
        latency: float = 0.03,
        blocksize: int = 256,
    ) -> Any:
        stream = FakeStream(self.clock, rate, channels, callback, finished, self.latency)
        stream.start()
        self.streams.append(stream)
        return stream

    @property
    def stream(self) -> FakeStream:
        return self.streams[-1]


def tone_source(folder: Path, seconds: float, name: str = "a.wav", channels: int = 1) -> Path:
    """A source whose every frame differs from its neighbours: frame i holds a ramp plus a
    tone, so an output frame tells which source frame it came from."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    mono = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * 0.5 * t)
    data = np.stack([mono * (1 - 0.1 * c) for c in range(channels)], axis=1).astype(np.float32)
    path = folder / name
    sf.write(path, data, RATE, subtype="FLOAT")
    return path


def cut_edl(source: Path, ranges: list[tuple[float, float]], clip: Path | None = None) -> Edl:
    segments: list[SourceRange | ClipInsert] = [SourceRange(a, b) for a, b in ranges]
    if clip is not None:
        segments.insert(1, ClipInsert(clip))
    return Edl(RATE, (EdlTrack(source),), tuple(segments), 10.0)
