"""The audio callback: copy from the ring, fill the rest with zeros, count what went wrong.

PortAudio calls :class:`Callback` on its own thread every buffer. It only copies (from the
preallocated :class:`~editor.playback.ring.Ring` into PortAudio's buffer), always fills the
whole output, never allocates arrays, never locks, logs or calls back into PortAudio. What it
learns it leaves in plain attributes and preallocated arrays that other threads read:

* ``underruns`` — callbacks that found the ring empty while the producer still had audio to
  give (``ring.final`` false); the real measure of a glitch, since PulseAudio's null sink never
  raises ``output_underflow``;
* ``status_flags`` / ``output_underflows`` — what the stream itself reported;
* ``heard`` — ``(ring index of this buffer's first frame, DAC time of that frame, frames
  copied)``, from which the transport computes the playhead; during a new stream's prefill
  PortAudio reports the DAC time equal to the current time, so the stream's latency is added
  there instead;
* ``durations``, ``starts``, ``read_after`` — for each of the last :data:`HISTORY` calls: how
  long it took, when it began (``clock()``) and the ring's read index after it (the benchmark
  finds from these which buffer first carried a seek's audio).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from editor.playback.ring import Ring
from render.sources import Frames

HISTORY = 8192
"""Callback durations kept for the p50/p99 figures."""


class Callback:
    """The consumer side of the ring, shaped as a sounddevice ``OutputStream`` callback."""

    def __init__(
        self,
        ring: Ring,
        latency_s: float,
        clock: Callable[[], float] = _time.perf_counter,
        on_first_call: Callable[[], object] | None = None,
    ) -> None:
        self.ring = ring
        self._on_first_call = on_first_call
        self.latency_s = latency_s
        self._clock = clock
        self.calls = 0
        self.underruns = 0
        self.status_flags = 0
        self.output_underflows = 0
        self.frames_out = 0
        """Every frame handed to the device, silence included."""
        self.heard: tuple[int, float, int] = (0, 0.0, 0)
        self.last_call = 0.0
        """``clock()`` at the start of the latest call (the watchdog's heartbeat)."""
        self.durations: npt.NDArray[np.float64] = np.zeros(HISTORY, dtype=np.float64)
        self.starts: npt.NDArray[np.float64] = np.zeros(HISTORY, dtype=np.float64)
        self.read_after: npt.NDArray[np.int64] = np.zeros(HISTORY, dtype=np.int64)

    def __call__(self, outdata: Frames, frames: int, time: Any, status: Any) -> None:
        if self._on_first_call is not None:  # once per stream: the thread's scheduling
            setup, self._on_first_call = self._on_first_call, None
            setup()
        start = self._clock()
        self.last_call = start
        ring = self.ring
        ring.in_read = True
        first = ring.read_index
        n = ring.read_into(outdata)
        if n < frames:
            outdata[n:] = 0.0
            if not ring.final:
                self.underruns += 1
        ring.reads += 1
        ring.in_read = False
        if status:
            self.status_flags += 1
            if status.output_underflow:
                self.output_underflows += 1
        dac = time.outputBufferDacTime
        now = time.currentTime
        if dac <= now:
            dac = now + self.latency_s
        self.heard = (first, dac, n)
        self.frames_out += frames
        slot = self.calls % HISTORY
        self.starts[slot] = start
        self.read_after[slot] = ring.read_index
        self.durations[slot] = self._clock() - start
        self.calls += 1

    def arm(self, setup: Callable[[], object]) -> None:
        """Run ``setup`` on the callback's own thread at the next call (a new stream's)."""
        self._on_first_call = setup

    def duration_percentiles(self) -> tuple[float, float]:
        """``(p50, p99)`` seconds over the recorded calls (zeros before the first call)."""
        kept = min(self.calls, HISTORY)
        if kept == 0:
            return 0.0, 0.0
        p50, p99 = np.percentile(self.durations[:kept], [50, 99])
        return float(p50), float(p99)
