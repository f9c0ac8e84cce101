"""Meter an encoded file as a listener's decoder will play it, and correct the gain plan.

A lossy encoder changes the signal it is given: MP3's and AAC's band limits and quantisation
noise push true peaks above the limiter's ceiling (measured here: +0.3 dB on the demo episode
through AAC 128k, +4.6 dB on clipped speech, most of it in the encoder's first frames), and
their low-pass lowers the loudness of bright material (-1.0 LU on white noise through MP3
192k). A platform checks the *decoded* file, so that is what is measured: the encoded file is
decoded in spans on several threads (each seeks on its own container) and metered with
FFmpeg's ``ebur128`` (BS.1770 integrated loudness) and :mod:`.truepeak` (4x true peak). When
the file misses the target, :func:`corrected_target` says how to plan again; the caller
re-encodes (once or twice at most).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
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
from render.export.truepeak import PeakTracker
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
    ceiling_db: float = 0.0,
) -> Measurement:
    """Integrated loudness and true peak of the encoded file at ``path``, as decoded.

    ``frames`` is the program length the file should decode to; spans of it are metered in
    parallel (``report`` counts decoded frames, ``cancel`` stops the work). The true peak is
    exact when it is above ``ceiling_db`` (what a check needs); under it, it may read low.
    """
    hop = sample_rate // 10
    floor = float(10.0 ** (ceiling_db / 20.0))
    groups = meter_windows(frames, sample_rate, workers, sampled=False)

    def window(ctx: SpanContext, first: int, last: int) -> tuple[list[float], float]:
        start_block = max(0, first - (WINDOW_HOPS - 1))
        start, end = start_block * hop, min(frames, last * hop)
        meter = Meter(sample_rate, channels, start_block, first, peak="none")
        tracker = PeakTracker(channels, floor)
        counted = first * hop
        for pos, block in _batched(_decode_from(path, start, end, channels)):
            ctx.check()
            meter.add(block)
            if pos >= first * hop:
                tracker.add(block)
            reached = min(end, pos + block.shape[0])
            if reached > counted:
                ctx.advance(reached - counted)
                counted = reached
        meter.finish()
        return meter.blocks, tracker.finish()

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
        have = stream.codec_context.channels
        if start > 0:
            # land a little early: the decoder needs a frame or two to settle after a seek
            target = max(0, start - rate // 2)
            base = stream.time_base or Fraction(1, rate)
            container.seek(round(target / rate / base), stream=stream)
        pos: int | None = None
        planar: bool | None = None
        for frame in container.decode(stream):
            if pos is None:  # after the first frame, positions are counted, not converted
                stamp = frame.pts if frame.pts is not None else 0
                pos = round(float(stamp * (frame.time_base or Fraction(1, rate))) * rate)
                planar = frame.format.is_planar
            data = np.asarray(frame.to_ndarray(), dtype=np.float32)  # mp3float, aac: fltp
            block = data.T if planar else data.reshape(-1, have)
            if block.shape[1] != channels:
                block = _fold(block, channels)
            n = block.shape[0]
            if pos + n > start:
                lo = max(0, start - pos)
                hi = min(n, end - pos)
                if hi > lo:
                    yield pos + lo, np.ascontiguousarray(block[lo:hi], dtype=np.float32)
            pos += n
            if pos >= end:
                break


def _fold(block: npt.NDArray[np.float32], channels: int) -> npt.NDArray[np.float32]:
    """The decoded channels as the ``channels`` the program was metered with."""
    if block.shape[1] > channels:
        return block[:, :channels]
    return np.repeat(block, channels, axis=1)


BATCH = 32768
"""Decoded frames metered at a time (decoders hand out 1024-1152 frames; per-call costs add up)."""


def _batched(
    blocks: Iterator[tuple[int, npt.NDArray[np.float32]]],
) -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
    """Join consecutive decoded blocks into runs of about :data:`BATCH` frames."""
    parts: list[npt.NDArray[np.float32]] = []
    first = 0
    held = 0
    for pos, block in blocks:
        if parts and pos != first + held:  # not contiguous (cannot happen after one seek)
            yield first, np.concatenate(parts)
            parts, held = [], 0
        if not parts:
            first = pos
        parts.append(block)
        held += block.shape[0]
        if held >= BATCH:
            yield first, np.concatenate(parts)
            parts, held = [], 0
    if parts:
        yield first, np.concatenate(parts)


def corrected_target(
    planned: Loudness,
    wanted: Loudness,
    decoded: Measurement,
    program_peak_db: float,
    plan: GainPlan,
) -> Loudness | None:
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
    return replace(
        planned,
        target_lufs=min(-5.0, max(-40.0, target_lufs)),
        true_peak_db=max(MIN_CEILING_DB, min(0.0, ceiling_db)),
    )
