"""Export: render an EDL's program to MP3, WAV, FLAC or M4A, normalised, tagged, atomically.

The one entry point is :func:`export`::

    result = export(edl, "episode.mp3", ExportOptions("mp3", bitrate=192_000),
                    chapters=[Chapter("Intro", 0.0)], progress=bar, cancel=stop.is_set)

Stages (each its own module): :mod:`.options` (validated choices), :mod:`.loudness` (metering
and the gain plan), :mod:`.program` (read, fold channels, gain, :mod:`.limiter`),
:mod:`.resample` (other rates), :mod:`.pcm` (WAV/FLAC), :mod:`.mp3` with :mod:`.lame`
(parallel MP3), :mod:`.aac` (M4A), :mod:`.parallel` (spans on threads), :mod:`.tags` (ID3 /
MP4 metadata and chapters). Everything is written to a temporary file beside the target and
renamed only when complete, so a failure or a cancel leaves no file behind; the sources are
only ever read.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from render.atomic import atomic_path
from render.chapters import Chapter, resolve_ends
from render.edl import Edl
from render.errors import ExportError
from render.export.aac import encode_aac
from render.export.lame import MP3_FRAME
from render.export.loudness import GainPlan, Measurement, measure_program, plan_gain
from render.export.mp3 import BlockSource, encode_mp3
from render.export.options import ExportOptions, Loudness, Tags, format_for_path, parse_bitrate
from render.export.pcm import write_pcm
from render.export.program import Block, ProgramReader, Shaper, SpanReaders
from render.export.resample import resample_blocks, resampled_length
from render.export.tags import cover_bytes, nero_title, write_m4a_tags, write_mp3_tags
from render.export.verify import MAX_ATTEMPTS, corrected_target, measure_file
from render.jobs import CancelFn, ProgressFn, check_cancel, never_cancel, no_progress

__all__ = [
    "Chapter",
    "ExportOptions",
    "ExportResult",
    "Loudness",
    "Tags",
    "export",
    "format_for_path",
    "parse_bitrate",
]


RESAMPLE_TAIL = 64
"""Extra input frames a resampled span reads past its end, so its last output is filtered."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What was written."""

    path: Path
    format: str
    frames: int
    """Frames in the file at ``sample_rate`` (after gapless trimming, for MP3/M4A)."""
    sample_rate: int
    channels: int
    measured: Measurement | None
    """The program's loudness and sample peak before normalisation (``None`` when off)."""
    gain_db: float
    limited: bool

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate


def export(
    source: Edl | ProgramReader,
    out_path: str | Path,
    options: ExportOptions | None = None,
    *,
    chapters: Sequence[Chapter] = (),
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
) -> ExportResult:
    """Render ``source`` (an EDL, or an open reader) to ``out_path``.

    ``options`` defaults to the format implied by the file extension with default settings.
    ``progress(done, total)`` counts frames (twice the program when loudness is measured);
    ``cancel()`` is polled between blocks and stops the job with
    :class:`~render.errors.Cancelled`. Both are only called on the calling thread.
    """
    out = Path(out_path)
    opts = options or ExportOptions(format_for_path(out))
    if not out.parent.is_dir():
        raise ExportError(f"{out}: the folder {out.parent} does not exist")
    if opts.tags.cover is not None:
        cover_bytes(opts.tags.cover)  # a bad cover fails before a long render, not after
    owned = isinstance(source, Edl)
    reader: ProgramReader = _open_reader(source) if isinstance(source, Edl) else source
    try:
        return _export(reader, out, opts, chapters, progress, cancel)
    finally:
        if owned:
            reader.close()


def _open_reader(edl: Edl) -> ProgramReader:
    from render.reader import EdlReader

    return EdlReader(edl)


CODEC_HEADROOM_DB = {"mp3": 0.2, "m4a": 0.5}
"""Ceiling headroom a lossy encode starts with (measured on speech: MP3 192k reads 0.2 dB *under*
its input's true peak, AAC 128k 0.3 dB over); the decoded file is then checked and, where the
codec overshot more (bright or clipped material), encoded again (:mod:`.verify`)."""


def _export(
    reader: ProgramReader,
    out: Path,
    opts: ExportOptions,
    chapters: Sequence[Chapter],
    progress: ProgressFn,
    cancel: CancelFn,
) -> ExportResult:
    frames = reader.frames
    if frames <= 0:
        raise ExportError(f"{out}: the program is empty; nothing to export")
    rate = reader.sample_rate
    out_rate = opts.output_rate(rate)
    channels = opts.output_channels(reader.channels)
    workers = opts.threads or min(os.cpu_count() or 1, 4)
    lossy = opts.format in CODEC_HEADROOM_DB
    # progress runs over the passes: measure, (re-measure after limiting), encode, (verify)
    passes = 1 if opts.loudness is None else (4 if lossy else 3)
    total = frames * passes
    offset = 0

    def report(done: int) -> None:
        progress(min(total, offset + min(done, frames)), total)

    measured: Measurement | None = None
    plan = GainPlan(0.0, None)
    wanted = opts.loudness
    planned = wanted or Loudness()
    out_frames = resampled_length(frames, rate, out_rate)

    def remeasure(trials: Sequence[GainPlan]) -> list[Measurement]:
        return measure_program(
            reader, channels, trials, workers, report, cancel, peak="none", sampled=True
        )

    if wanted is not None:
        # true peaks decide whether the limiter is needed: bright material overshoots its
        # sample peaks between samples by up to several dB
        (measured,) = measure_program(
            reader, channels, [plan], workers, report, cancel, peak="true"
        )
        offset = frames
        if lossy:
            planned = replace(
                wanted,
                true_peak_db=max(-9.0, wanted.true_peak_db - CODEC_HEADROOM_DB[opts.format]),
            )
        plan = plan_gain(measured, planned, remeasure)
    encode_at = 2 * frames if wanted is not None else 0

    job = _Job(reader, opts, chapters, rate, out_rate, channels, workers, report, cancel)
    with atomic_path(out, suffix=out.suffix or f".{opts.format}") as tmp:
        for attempt in range(MAX_ATTEMPTS):
            offset = encode_at
            _encode(tmp, plan, job)
            if wanted is None or measured is None or not lossy or attempt == MAX_ATTEMPTS - 1:
                break
            offset = encode_at + frames
            decoded = measure_file(
                tmp, out_frames, out_rate, channels, workers, report, cancel, wanted.true_peak_db
            )
            fix = corrected_target(planned, wanted, decoded, measured.peak_db, plan)
            if fix is None:
                break
            planned = fix
            offset = frames
            plan = plan_gain(measured, planned, remeasure)
        if opts.format in ("mp3", "m4a"):
            duration = out_frames / out_rate
            if opts.format == "mp3":
                write_mp3_tags(tmp, opts.tags, chapters, duration)
            else:
                write_m4a_tags(tmp, opts.tags, chapters, duration)
        check_cancel(cancel)
    progress(total, total)
    return ExportResult(
        out,
        opts.format,
        out_frames,
        out_rate,
        channels,
        measured,
        plan.gain_db,
        plan.ceiling is not None,
    )


@dataclass(frozen=True, slots=True)
class _Job:
    """What every encode of one export shares."""

    reader: ProgramReader
    opts: ExportOptions
    chapters: Sequence[Chapter]
    rate: int
    out_rate: int
    channels: int
    workers: int
    report: Callable[[int], None]
    cancel: CancelFn


def _encode(tmp: Path, plan: GainPlan, job: _Job) -> None:
    """Encode the whole program, shaped by ``plan``, into ``tmp`` (overwriting it)."""
    opts, rate, out_rate, channels = job.opts, job.rate, job.out_rate, job.channels
    report, cancel, chapters = job.report, job.cancel, job.chapters
    frames = job.reader.frames
    readers = SpanReaders(job.reader)
    out_frames = resampled_length(frames, rate, out_rate)

    def span(start: int, end: int) -> Iterator[Block]:
        """The shaped program for ``[start, end)``; other threads read through a clone."""
        shaper = Shaper(channels, plan.gain, plan.ceiling, rate)
        with readers.open() as own:
            blocks = shaper.blocks(own, start, end, never_cancel)
            if start == 0 and opts.format in CODEC_HEADROOM_DB:
                blocks = fade_in(blocks, round(LOSSY_FADE_IN_S * rate))
            yield from blocks

    if opts.format in ("wav", "flac"):
        blocks = _with_progress(span(0, frames), report, cancel)
        if out_rate != rate:
            blocks = resample_blocks(blocks, frames, rate, out_rate, channels)
        written = write_pcm(tmp, opts.format, blocks, out_rate, channels, opts.bit_depth)
        if written != out_frames:
            raise ExportError(f"{tmp}: wrote {written} frames, expected {out_frames}")
    elif opts.format == "m4a":
        blocks = span(0, frames)
        if out_rate != rate:
            blocks = resample_blocks(blocks, frames, rate, out_rate, channels)
        marks = [
            (nero_title(c.title), c.start_seconds, end)
            for c, end in resolve_ends(chapters, out_frames / out_rate)
        ]
        encode_aac(tmp, blocks, out_rate, channels, opts.bitrate, report, cancel, marks)
    else:
        source: BlockSource = span
        grid = MP3_FRAME
        if out_rate != rate:
            # spans start where an output frame falls exactly on an input frame
            grid = math.lcm(MP3_FRAME, out_rate // math.gcd(rate, out_rate))

            def source(start: int, end: int) -> Iterable[Block]:
                first = start * rate // out_rate  # exact: start is on the grid
                last = min(frames, -(-end * rate // out_rate) + RESAMPLE_TAIL)
                return resample_blocks(span(first, last), last - first, rate, out_rate, channels)

        encode_mp3(
            tmp,
            source,
            out_frames,
            out_rate,
            channels,
            opts.bitrate,
            job.workers,
            report,
            cancel,
            grid,
        )


LOSSY_FADE_IN_S = 0.02
"""A lossy file starts with this raised-cosine fade: AAC's encoder rings on an abrupt loud
start (clipped speech from its first sample decoded +5.7 dB above its input in the first
1024 samples; a 20 ms fade removes it, 10 ms does not)."""


def fade_in(blocks: Iterable[Block], frames: int) -> Iterator[Block]:
    """``blocks`` with their first ``frames`` faded in (a raised cosine from silence)."""
    done = 0
    for block in blocks:
        if done < frames:
            n = min(frames - done, block.shape[0])
            k = np.arange(done, done + n, dtype=np.float64)
            ramp = (0.5 - 0.5 * np.cos(np.pi * (k + 0.5) / frames)).astype(np.float32)
            block = block.copy()
            block[:n] *= ramp[:, None]
        done += block.shape[0]
        yield block


def _with_progress(
    blocks: Iterable[Block], report: Callable[[int], None], cancel: CancelFn
) -> Iterator[Block]:
    done = 0
    for block in blocks:
        check_cancel(cancel)
        done += block.shape[0]
        report(done)
        yield block
