"""From program frames to device frames: speed with the pitch kept, and the device's rate.

At 1.0× on a device that takes the project rate the stage is the identity, so what reaches
the device is bit for bit what export renders. Otherwise one FFmpeg filter graph through PyAV
does both jobs: ``atempo`` (WSOLA time stretching: the speech is faster, the voices keep their
pitch — not a naive resample) and ``aresample`` to the device's rate. The graph streams: push a
block, pull what is ready; a seek or swap simply builds a fresh stage.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import av
import av.error
import numpy as np
from av.filter import Graph

from editor.errors import PlaybackError
from render.sources import Frames

SPEEDS = (1.0, 1.25, 1.5, 2.0)
"""The speeds the transport offers (atempo takes 0.5–100; these are what users pick)."""

_LAYOUTS = {1: "mono", 2: "stereo"}


def check_speed(speed: float) -> float:
    """``speed`` if playback can use it; :class:`PlaybackError` otherwise."""
    if not 0.5 <= speed <= 4.0:
        raise PlaybackError(f"speed {speed:g} is not supported (choose from 0.5 to 4)")
    return float(speed)


class Stage:
    """Turns program blocks at ``in_rate`` into device blocks at ``out_rate`` and ``speed``."""

    def __init__(self, in_rate: int, out_rate: int, channels: int, speed: float = 1.0) -> None:
        if channels not in _LAYOUTS:
            raise PlaybackError(f"{channels}-channel output is not supported (mono or stereo)")
        self.in_rate = in_rate
        self.out_rate = out_rate
        self.channels = channels
        self.speed = check_speed(speed)
        self.ratio = speed * in_rate / out_rate
        """Program frames per device frame."""
        self.identity = speed == 1.0 and in_rate == out_rate
        self._graph: Any = None if self.identity else self._build()
        self._pts = 0

    def _build(self) -> Any:
        layout = _LAYOUTS[self.channels]
        graph = Graph()
        chain = [
            graph.add_abuffer(
                sample_rate=self.in_rate,
                format="flt",
                layout=layout,
                time_base=Fraction(1, self.in_rate),
            )
        ]
        if self.speed != 1.0:
            chain.append(graph.add("atempo", f"{self.speed:g}"))
        if self.in_rate != self.out_rate:
            chain.append(graph.add("aresample", str(self.out_rate)))
        chain.append(graph.add("aformat", f"sample_fmts=flt:channel_layouts={layout}"))
        chain.append(graph.add("abuffersink"))
        for a, b in itertools.pairwise(chain):
            a.link_to(b)
        graph.configure()
        return graph

    def process(self, block: Frames) -> Frames:
        """Device frames for ``block`` (may be fewer or more: filters hold some back)."""
        if self._graph is None:
            return block
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block, dtype=np.float32).reshape(1, -1),
            format="flt",
            layout=_LAYOUTS[self.channels],
        )
        frame.sample_rate = self.in_rate
        frame.time_base = Fraction(1, self.in_rate)
        frame.pts = self._pts
        self._pts += len(block)
        self._graph.push(frame)
        return self._pull()

    def flush(self) -> Frames:
        """What the filters still hold, at the end of the programme."""
        if self._graph is None:
            return np.zeros((0, self.channels), dtype=np.float32)
        self._graph.push(None)
        return self._pull()

    def _pull(self) -> Frames:
        out: list[Frames] = []
        while True:
            try:
                frame = self._graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                break
            out.append(np.asarray(frame.to_ndarray(), dtype=np.float32).reshape(-1, self.channels))
        if not out:
            return np.zeros((0, self.channels), dtype=np.float32)
        return out[0] if len(out) == 1 else np.concatenate(out)
