"""Loudness measurement (ITU BS.1770 / EBU R128) and the gain plan for normalisation.

Normalisation reads the program, never the sources, and never changes them:

1. **measure** integrated loudness and true peak (4x oversampled: bright material overshoots
   its sample peaks by several dB, and platforms check the true peak). FFmpeg's ``ebur128``
   filter does the K-weighting in C (true peaks: :mod:`render.export.truepeak`); we feed it
   exact 100 ms frames and
   keep every 400 ms block loudness it reports, then apply BS.1770's gates (absolute −70 LUFS,
   relative −10 LU) ourselves. Because the blocks are kept rather than a running total, the
   program can be metered in spans on several threads and the blocks joined;
2. **plan** one constant gain to the target. If the gained true peak would pass the ceiling, a
   look-ahead limiter (:mod:`render.export.limiter`) is needed — and since limiting lowers the
   loudness a little, the gained-and-limited program is metered once more and the gain
   corrected by the difference, so the file lands on the target by an independent meter.

A constant gain keeps the dynamics the hosts recorded, unlike FFmpeg's one-pass ``loudnorm``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt

from render.export.limiter import ceiling_for_true_peak
from render.export.options import Loudness
from render.export.parallel import SpanContext, run_spans
from render.export.program import READ_BLOCK, ProgramReader, Shaper, SpanReaders
from render.export.truepeak import PeakTracker
from render.jobs import CancelFn, never_cancel

MAX_GAIN_DB = 30.0
"""Never raise a near-silent program by more than this: it would only amplify noise."""
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
WINDOW_HOPS = 4
"""A BS.1770 block is 400 ms = 4 hops of 100 ms; blocks overlap by 75 %."""
MIN_SPAN_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Measurement:
    """What a metering pass found."""

    integrated_lufs: float
    """``-inf`` for a silent program."""
    peak_db: float
    """Highest peak in dBFS: sample peak, or true peak when metered with ``peak="true"``;
    ``-inf`` when peaks were not metered."""


@dataclass(frozen=True, slots=True)
class GainPlan:
    """What the encoder applies: a gain and, when needed, a limiter ceiling (linear)."""

    gain_db: float
    ceiling: float | None

    @property
    def gain(self) -> float:
        return float(10.0 ** (self.gain_db / 20.0))


def integrated_loudness(blocks: npt.NDArray[np.float64]) -> float:
    """BS.1770 gated loudness of 400 ms block loudnesses (LUFS); ``-inf`` if all are gated."""
    above = blocks[blocks > ABSOLUTE_GATE]
    if above.size == 0:
        return -math.inf
    energy = 10.0 ** ((above + 0.691) / 10.0)
    relative = -0.691 + 10.0 * math.log10(float(energy.mean())) + RELATIVE_GATE
    kept = energy[above > relative]
    return -0.691 + 10.0 * math.log10(float(kept.mean()))


class Meter:
    """Streaming meter over one contiguous run of the program.

    ``first_block`` is the index (in 100 ms hops from the program start) of the run's first
    sample, which must fall on a hop; blocks whose 400 ms window reaches before ``keep_from``
    are dropped (they belong to the previous span, or to the program's first 300 ms where the
    window is not yet full).
    """

    def __init__(
        self,
        sample_rate: int,
        channels: int,
        first_block: int = 0,
        keep_from: int = 0,
        peak: str = "sample",
    ) -> None:
        if channels not in (1, 2):
            raise ValueError("the meter takes mono or stereo")
        if sample_rate % 10:
            raise ValueError("the sample rate must be a multiple of 10 Hz")
        self.channels = channels
        self.sample_rate = sample_rate
        self.hop = sample_rate // 10
        self._layout = "mono" if channels == 1 else "stereo"
        graph = av.filter.Graph()
        src = graph.add_abuffer(sample_rate=sample_rate, format="flt", layout=self._layout)
        if peak not in ("sample", "true", "none"):
            raise ValueError(f"peak must be sample, true or none, not {peak!r}")
        meter = graph.add("ebur128", f"metadata=1:peak={peak}")
        self._peak_key = f"lavfi.r128.{peak}_peak"
        sink = graph.add("abuffersink")
        src.link_to(meter)
        meter.link_to(sink)
        graph.configure()
        self._graph = graph
        self._pts = 0
        self._block = first_block
        self._keep_from = max(keep_from, WINDOW_HOPS - 1)
        self._pending = np.zeros((0, channels), dtype=np.float32)
        self.blocks: list[float] = []
        self.peak = 0.0

    def add(self, data: npt.NDArray[np.float32]) -> None:
        """Meter ``data`` (frames, channels) float32."""
        if self._pending.shape[0]:
            data = np.concatenate([self._pending, data])
        usable = data.shape[0] - data.shape[0] % self.hop
        for i in range(0, usable, self.hop):
            self._push(data[i : i + self.hop], whole=True)
        self._pending = data[usable:]

    def finish(self) -> None:
        """Meter the final partial hop (its peak counts; a partial block has no loudness)."""
        if self._pending.shape[0]:
            self._push(self._pending, whole=False)
            self._pending = self._pending[:0]

    def _push(self, hop: npt.NDArray[np.float32], whole: bool) -> None:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(hop, dtype=np.float32).reshape(1, -1),
            format="flt",
            layout=self._layout,
        )
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts
        self._pts += hop.shape[0]
        self._graph.push(frame)
        while True:
            try:
                out = self._graph.pull()
            except (av.BlockingIOError, av.EOFError):
                break
            meta = out.metadata
            peak = meta.get(self._peak_key)
            if peak is not None:
                self.peak = max(self.peak, float(peak))
            if whole:
                if self._block >= self._keep_from:
                    self.blocks.append(float(meta.get("lavfi.r128.M", "-inf")))
                self._block += 1


SAMPLE_WINDOW_HOPS = 200
SAMPLE_EVERY_HOPS = 600
"""Sampled metering reads 20 s windows, one per minute: a third of the program, spread out."""


def meter_windows(
    frames: int, rate: int, workers: int, sampled: bool
) -> list[list[tuple[int, int]]]:
    """Windows of 100 ms hops ``[first, last)`` to meter, grouped per worker thread.

    Whole-program metering splits the program into one contiguous window per worker. Sampled
    metering (used to learn how much the limiter costs, a ratio that is the same everywhere in
    an episode) takes evenly spread windows, dealt round-robin to the workers.
    """
    hop = rate // 10
    hops = -(-frames // hop)
    if sampled and hops >= 3 * SAMPLE_EVERY_HOPS:
        offset = (SAMPLE_EVERY_HOPS - SAMPLE_WINDOW_HOPS) // 2
        windows = [
            (a, min(a + SAMPLE_WINDOW_HOPS, hops)) for a in range(offset, hops, SAMPLE_EVERY_HOPS)
        ]
        count = max(1, min(workers, len(windows)))
        return [windows[i::count] for i in range(count)]
    count = max(1, min(workers, frames // (MIN_SPAN_SECONDS * rate)))
    bounds = [round(hops * i / count) for i in range(count + 1)]
    return [[(bounds[i], bounds[i + 1])] for i in range(count)]


def measure_program(
    reader: ProgramReader,
    channels: int,
    plans: Sequence[GainPlan],
    workers: int,
    report: Callable[[int], None],
    cancel: CancelFn,
    peak: str = "sample",
    sampled: bool = False,
) -> list[Measurement]:
    """Meter the program as ``channels`` channels once per plan (gain, limiter), in one read.

    ``peak`` is ``"sample"``, ``"true"`` (4x oversampled, by :mod:`render.export.truepeak`:
    FFmpeg's ``ebur128`` true-peak mode resamples everything and costs half the pass again) or
    ``"none"``; ``sampled`` meters about a third of the program (see :func:`meter_windows`).
    """
    rate = reader.sample_rate
    hop = rate // 10
    groups = meter_windows(reader.frames, rate, workers, sampled)
    metered = sum(
        min(reader.frames, last * hop) - first * hop for group in groups for first, last in group
    )
    scale = reader.frames / max(1, metered)  # progress counts the whole program's share
    readers = SpanReaders(reader)

    def window(
        own: ProgramReader, ctx: SpanContext, first: int, last: int
    ) -> list[tuple[list[float], float]]:
        """Meter one window; keep only the block loudnesses and peak (meters hold MBs)."""
        start_block = max(0, first - (WINDOW_HOPS - 1))
        start, end = start_block * hop, min(reader.frames, last * hop)
        meter_peak = "sample" if peak == "true" else peak
        meters = [Meter(rate, channels, start_block, first, meter_peak) for _ in plans]
        shapers = [Shaper(channels, 1.0, plan.ceiling, rate) for plan in plans]
        gains = [np.float32(plan.gain) for plan in plans]
        peaks = [PeakTracker(channels) if peak == "true" else None for _ in plans]
        pre = (first - start_block) * hop
        for block in Shaper(channels).blocks(own, start, end, never_cancel, READ_BLOCK):
            ctx.check()
            for meter, shaper, gain, tracker in zip(meters, shapers, gains, peaks, strict=True):
                shaped = shaper.shape(block * gain if gain != 1.0 else block)
                meter.add(shaped)
                if tracker is not None:
                    tracker.add(shaped)
            ctx.advance(round(max(0, block.shape[0] - pre) * scale))
            pre = max(0, pre - block.shape[0])
        found = []
        for meter, shaper, tracker in zip(meters, shapers, peaks, strict=True):
            tail = shaper.tail()
            meter.add(tail)
            meter.finish()
            top = meter.peak
            if tracker is not None:
                tracker.add(tail)
                top = max(top, tracker.finish())
            found.append((meter.blocks, top))
        return found

    Found = list[list[tuple[list[float], float]]]

    def worker(group: list[tuple[int, int]]) -> Callable[[SpanContext], Found]:
        def work(ctx: SpanContext) -> Found:
            with readers.open() as own:
                return [window(own, ctx, first, last) for first, last in group]

        return work

    done = run_spans([worker(group) for group in groups], report, cancel)
    every = [found for per_worker in done for found in per_worker]
    results = []
    for k in range(len(plans)):
        blocks = np.array([b for found in every for b in found[k][0]], dtype=np.float64)
        top = max(found[k][1] for found in every)
        results.append(
            Measurement(
                integrated_loudness(blocks), 20.0 * math.log10(top) if top > 0 else -math.inf
            )
        )
    return results


LIMITER_PROBE_DB = 1.5
"""Second trial gain above the first, to learn how limiting bends loudness around the target."""


def plan_gain(
    measured: Measurement,
    target: Loudness,
    remeasure: Callable[[Sequence[GainPlan]], list[Measurement]],
) -> GainPlan:
    """The gain to reach ``target``; with a limiter (and a corrective re-measure) if needed.

    If the gained peaks (true peaks, when ``measured`` was metered with ``peak="true"``) stay
    under the limiter's ceiling a plain gain is exact. Otherwise limiting lowers the loudness by an
    amount that grows with the gain, so ``remeasure`` meters, in one read, the program
    unchanged and limited at two trial gains; the loss it shows is carried over to the whole
    program (``remeasure`` may sample it) and the gain that hits the target is interpolated.
    """
    if not math.isfinite(measured.integrated_lufs):
        return GainPlan(0.0, None)
    gain_db = min(MAX_GAIN_DB, target.target_lufs - measured.integrated_lufs)
    ceiling = ceiling_for_true_peak(target.true_peak_db)
    if measured.peak_db + gain_db <= 20.0 * math.log10(ceiling):
        return GainPlan(gain_db, None)
    low = GainPlan(gain_db, ceiling)
    high = GainPlan(gain_db + LIMITER_PROBE_DB, ceiling)
    plain, at_low, at_high = (
        m.integrated_lufs for m in remeasure([GainPlan(0.0, None), low, high])
    )
    if not all(math.isfinite(v) for v in (plain, at_low, at_high)):
        return low
    # loudness of the whole program at each trial gain = measured + (limited - plain) there
    full_low = measured.integrated_lufs + at_low - plain
    full_high = measured.integrated_lufs + at_high - plain
    slope = (full_high - full_low) / LIMITER_PROBE_DB
    if slope < 0.1:  # the limiter swallows the extra gain: more cannot reach the target
        slope = 1.0
    corrected = gain_db + (target.target_lufs - full_low) / slope
    return GainPlan(min(MAX_GAIN_DB, corrected, gain_db + 6.0), ceiling)
