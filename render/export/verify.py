"""Meter an encoded file as a listener's decoder will play it, and correct the gain plan.

A lossy encoder changes the signal it is given: MP3's and AAC's band limits and quantisation
noise push true peaks above the limiter's ceiling (measured here: +0.3 dB on the demo episode
through AAC 128k, +4.6 dB on clipped speech, most of it in the encoder's first frames), and
their low-pass lowers the loudness of bright material (-1.0 LU on white noise through MP3
192k). A platform checks the *decoded* file, so that is what is measured: the encoded file is
decoded in spans on several threads (each seeks on its own container) and metered with FFmpeg's
``ebur128`` (BS.1770 integrated loudness and 4x true peak). When the file misses the target,
:func:`corrected_target` says how to plan again; the caller re-encodes (once or twice at most).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from render.errors import ExportError
from render.export.loudness import (
    WINDOW_HOPS,
    GainPlan,
    Measurement,
    Meter,
    integrated_loudness,
    meter_windows,
)
from render.export.options import Loudness
from render.export.parallel import SpanContext, run_spans
from render.jobs import CancelFn

LOUDNESS_TOLERANCE_LU = 0.4
"""A decoded file further than this from the target is planned again (the bar is 1 LU)."""
PEAK_MARGIN_DB = 0.1
"""Extra headroom taken on a retry, beyond the overshoot the decoded file showed."""
MIN_CEILING_DB = -9.0
MAX_ATTEMPTS = 3
"""Encodes at most per export: the first, then up to two corrected ones."""


def measure_file(
    path: Path,
    frames: int,
    sample_rate: int,
    channels: int,
    workers: int,
    report: Callable[[int], None],
    cancel: CancelFn,
) -> Measurement:
    """Integrated loudness and true peak of the encoded file at ``path``, as decoded.

    ``frames`` is the program length the file should decode to; spans of it are metered in
    parallel (``report`` counts decoded frames, ``cancel`` stops the work).
    """
    hop = sample_rate // 10
    groups = meter_windows(frames, sample_rate, workers, sampled=False)

    def window(ctx: SpanContext, first: int, last: int) -> tuple[list[float], float]:
        start_block = max(0, first - (WINDOW_HOPS - 1))
        start, end = start_block * hop, min(frames, last * hop)
        meter = Meter(sample_rate, channels, start_block, first, peak="true")
        counted = first * hop
        for pos, block in _decode_from(path, start, end, channels):
            ctx.check()
            meter.add(block)
            reached = min(end, pos + block.shape[0])
            if reached > counted:
                ctx.advance(reached - counted)
                counted = reached
        meter.finish()
        return meter.blocks, meter.peak

    def worker(
        group: list[tuple[int, int]],
    ) -> Callable[[SpanContext], list[tuple[list[float], float]]]:
        def work(ctx: SpanContext) -> list[tuple[list[float], float]]:
            return [window(ctx, first, last) for first, last in group]

        return work

    done = run_spans([worker(g) for g in groups], report, cancel)
    found = [item for per_worker in done for item in per_worker]
    blocks = np.array([b for item in found for b in item[0]], dtype=np.float64)
    top = max((item[1] for item in found), default=0.0)
    return Measurement(
        integrated_loudness(blocks), 20.0 * math.log10(top) if top > 0 else -math.inf
    )


def _decode_from(
    path: Path, start: int, end: int, channels: int
) -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
    """Yield ``(program frame, block)`` of the decoded file covering ``[start, end)``."""
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise ExportError(f"{path}: cannot read back the encoded file: {exc}") from exc
    with container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        if start > 0:
            # land a little early: the decoder needs a frame or two to settle after a seek
            target = max(0, start - rate // 2)
            base = stream.time_base or Fraction(1, rate)
            container.seek(round(target / rate / base), stream=stream)
        pos: int | None = None
        for frame in container.decode(stream):
            if frame.pts is not None and frame.time_base is not None:
                pos = round(float(frame.pts * frame.time_base) * rate)
            elif pos is None:
                pos = 0
            data = np.asarray(frame.to_ndarray(), dtype=np.float32)
            block = (
                data.T if frame.format.is_planar else data.reshape(-1, len(frame.layout.channels))
            )
            if block.shape[1] != channels:
                block = (
                    block[:, :channels]
                    if block.shape[1] > channels
                    else np.repeat(block, channels, axis=1)
                )
            n = block.shape[0]
            if pos + n > start:
                lo = max(0, start - pos)
                hi = min(n, end - pos)
                if hi > lo:
                    yield pos + lo, np.ascontiguousarray(block[lo:hi])
            pos += n
            if pos >= end:
                break


@dataclass(frozen=True, slots=True)
class Correction:
    """What the next encode aims for, planned as if it were the user's target."""

    target: Loudness


def corrected_target(
    planned: Loudness,
    wanted: Loudness,
    decoded: Measurement,
    program_peak_db: float,
    plan: GainPlan,
) -> Correction | None:
    """The target to plan the next encode with, or ``None`` when ``decoded`` meets ``wanted``.

    ``planned`` is the target this encode was planned with (the user's ``wanted`` plus the
    corrections so far); ``program_peak_db`` is the true peak of the program before gain.
    The overshoot of the codec is the decoded peak minus the peak the encoder was given, so
    the next ceiling sits that far (plus a margin) under the wanted one; a loudness miss
    moves the planned loudness by the miss.
    """
    peak_over = decoded.peak_db - wanted.true_peak_db
    loud_miss = wanted.target_lufs - decoded.integrated_lufs
    loud_ok = not math.isfinite(decoded.integrated_lufs) or abs(loud_miss) <= LOUDNESS_TOLERANCE_LU
    if peak_over <= 0.0 and loud_ok:
        return None
    ceiling_db = planned.true_peak_db
    if peak_over > 0.0:
        given = program_peak_db + plan.gain_db
        if plan.ceiling is not None:
            given = min(given, 20.0 * math.log10(plan.ceiling))
        overshoot = decoded.peak_db - given
        ceiling_db = min(ceiling_db, wanted.true_peak_db - max(0.0, overshoot)) - PEAK_MARGIN_DB
    target_lufs = planned.target_lufs
    if not loud_ok:
        target_lufs += loud_miss
    return Correction(
        replace(
            planned,
            target_lufs=min(-5.0, max(-40.0, target_lufs)),
            true_peak_db=max(MIN_CEILING_DB, min(0.0, ceiling_db)),
        )
    )
