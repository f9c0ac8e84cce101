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
from dataclasses import dataclass
from pathlib import Path

from render.atomic import atomic_path
from render.chapters import Chapter
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
from render.export.tags import cover_bytes, write_m4a_tags, write_mp3_tags
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
    # progress runs over up to three passes: measure, (re-measure after limiting), encode
    passes = 3 if opts.loudness is not None else 1
    total = frames * passes
    offset = 0

    def report(done: int) -> None:
        progress(offset + min(done, frames), total)

    measured: Measurement | None = None
    plan = GainPlan(0.0, None)
    if opts.loudness is not None:
        (measured,) = measure_program(reader, channels, [plan], workers, report, cancel)
        offset = frames

        def remeasure(trials: Sequence[GainPlan]) -> list[Measurement]:
            return measure_program(
                reader, channels, trials, workers, report, cancel, peak="none", sampled=True
            )

        plan = plan_gain(measured, opts.loudness, remeasure)
        offset = total - frames

    readers = SpanReaders(reader)

    def span(start: int, end: int) -> Iterator[Block]:
        """The shaped program for ``[start, end)``; other threads read through a clone."""
        shaper = Shaper(channels, plan.gain, plan.ceiling, rate)
        with readers.open() as own:
            yield from shaper.blocks(own, start, end, never_cancel)

    out_frames = resampled_length(frames, rate, out_rate)
    with atomic_path(out, suffix=out.suffix or f".{opts.format}") as tmp:
        if opts.format in ("wav", "flac"):
            blocks = _with_progress(span(0, frames), report, cancel)
            if out_rate != rate:
                blocks = resample_blocks(blocks, frames, rate, out_rate, channels)
            written = write_pcm(tmp, opts.format, blocks, out_rate, channels, opts.bit_depth)
            if written != out_frames:
                raise ExportError(f"{out}: wrote {written} frames, expected {out_frames}")
        elif opts.format == "m4a":
            blocks = span(0, frames)
            if out_rate != rate:
                blocks = resample_blocks(blocks, frames, rate, out_rate, channels)
            encode_aac(tmp, blocks, out_rate, channels, opts.bitrate, report, cancel)
        else:
            source: BlockSource = span
            grid = MP3_FRAME
            if out_rate != rate:
                # spans start where an output frame falls exactly on an input frame
                grid = math.lcm(MP3_FRAME, out_rate // math.gcd(rate, out_rate))

                def source(start: int, end: int) -> Iterable[Block]:
                    first = start * rate // out_rate  # exact: start is on the grid
                    last = min(frames, -(-end * rate // out_rate) + RESAMPLE_TAIL)
                    return resample_blocks(
                        span(first, last), last - first, rate, out_rate, channels
                    )

            encode_mp3(
                tmp,
                source,
                out_frames,
                out_rate,
                channels,
                opts.bitrate,
                workers,
                report,
                cancel,
                grid,
            )
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


def _with_progress(
    blocks: Iterable[Block], report: Callable[[int], None], cancel: CancelFn
) -> Iterator[Block]:
    done = 0
    for block in blocks:
        check_cancel(cancel)
        done += block.shape[0]
        report(done)
        yield block
