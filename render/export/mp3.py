"""MP3 export: LAME on several threads at once, joined into one gapless stream.

LAME runs on one core; on a 2-core machine that alone would lose to the ``ffmpeg`` CLI. So the
program is split into spans, each encoded by its own LAME instance on its own thread (the
encoders of :mod:`render.export.lame` release the GIL), and their frames are joined:

* every span after the first starts :data:`PREROLL_FRAMES` MP3 frames *before* its share and
  drops the frames of that pre-roll, so its encoder's psychoacoustic state, MDCT overlap and the
  limiter have settled on the same audio the previous span encoded;
* span boundaries fall on multiples of 1152 samples, so span *k*'s frame *j* encodes the same
  samples as a single encoder's frame ``j + start/1152`` would, and the joined stream has exactly
  a single encoder's frame count;
* spans after the first run with LAME's bit reservoir off, so their first kept frame never
  points back into bytes of a dropped pre-roll frame (the first span keeps the reservoir);
* FFmpeg's MP3 muxer writes the Xing/LAME header from two numbers we hand it as packet side
  data — the encoder delay (first packet) and the trailing padding (last packet), computed for
  the whole joined stream — so gapless players and FFmpeg decode exactly the program's length.

Frames from the helper spans are spooled to a temporary file beside the output, so memory stays
flat however long the episode is.
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import av
import numpy as np
from av.packet import PacketSideData

from render.atomic import sweep_orphans, temp_prefix
from render.errors import ExportError
from render.export.lame import DECODER_DELAY, MP3_FRAME, FrameEncoder, open_encoder
from render.export.parallel import SpanContext, run_spans
from render.export.program import Block
from render.jobs import CancelFn

PREROLL_FRAMES = 8
"""MP3 frames (≈190 ms at 48 kHz) each helper span encodes before its share and throws away."""
MIN_SPAN_SECONDS = 60
"""Spans shorter than about a minute are not worth a thread."""

BlockSource = Callable[[int, int], Iterable[Block]]
"""Produces the shaped program for ``[start, end)``; called once per span, from its thread."""


@dataclass(frozen=True, slots=True)
class Span:
    """One share of the program: input frames ``[read_start, read_end)``, MP3 frames kept."""

    read_start: int
    read_end: int
    drop: int
    keep: int | None
    """Frames to keep after dropping ``drop``; ``None`` = all of them, through the flush."""

    @property
    def first(self) -> int:
        """The program sample where this span's kept share starts."""
        return self.read_start + self.drop * MP3_FRAME


def plan_spans(
    total: int, workers: int, sample_rate: int = 48000, grid: int = MP3_FRAME
) -> list[Span]:
    """Split ``total`` frames into up to ``workers`` spans on MP3 frame boundaries.

    Each span starts reading at a multiple of ``grid`` (a multiple of 1152): when the program is
    resampled on the way, ``grid`` is chosen so that the start is also a whole input frame, and
    a span resampled on its own lines up with the one resampled whole.
    """
    if grid % MP3_FRAME:
        raise ValueError(f"grid must be a multiple of {MP3_FRAME}, not {grid}")
    pre = PREROLL_FRAMES * MP3_FRAME
    count = max(1, min(workers, total // (MIN_SPAN_SECONDS * sample_rate)))
    if count == 1:
        return [Span(0, total, 0, None)]
    frames = -(-total // MP3_FRAME)
    bounds = [round(frames * i / count) for i in range(count + 1)]
    spans = []
    for i in range(count):
        first, last = bounds[i], bounds[i + 1]
        start = max(0, (first * MP3_FRAME - pre) // grid * grid)
        drop = first - start // MP3_FRAME
        if i == count - 1:
            spans.append(Span(start, total, drop, None))
        else:
            spans.append(Span(start, min(total, last * MP3_FRAME + pre), drop, last - first))
    return spans


def encode_mp3(
    path: Path,
    source: BlockSource,
    total: int,
    sample_rate: int,
    channels: int,
    bitrate: int,
    workers: int,
    report: Callable[[int], None],
    cancel: CancelFn,
    grid: int = MP3_FRAME,
) -> int:
    """Encode ``total`` frames from ``source`` into ``path``; return the frames encoded.

    ``report(done)`` and ``cancel()`` are only called on the calling thread; ``grid`` is
    :func:`plan_spans`'s.
    """
    spans = plan_spans(total, workers, sample_rate, grid)
    muxer = _Muxer(path, sample_rate, channels, bitrate)
    spools: list[_Spool] = []
    try:
        for _ in spans[1:]:
            spools.append(_Spool(path.parent))

        def main(ctx: SpanContext) -> None:
            encoder = _SpanEncoder(spans[0], sample_rate, channels, bitrate, reservoir=True)
            muxer.delay = encoder.encoder.delay
            encoder.run(source, muxer.add, ctx)

        def helper(span: Span, spool: _Spool) -> Callable[[SpanContext], None]:
            def work(ctx: SpanContext) -> None:
                encoder = _SpanEncoder(span, sample_rate, channels, bitrate, reservoir=False)
                encoder.run(source, spool.add, ctx)

            return work

        run_spans(
            [main, *(helper(span, spool) for span, spool in zip(spans[1:], spools, strict=True))],
            report,
            cancel,
        )
        for spool in spools:
            for frame in spool.replay():
                muxer.add(frame)
        muxer.finish(total)
    finally:
        muxer.close()
        for spool in spools:
            spool.close()
    return total


class _SpanEncoder:
    """Encodes one span, passing the frames it keeps to ``sink``."""

    def __init__(
        self, span: Span, sample_rate: int, channels: int, bitrate: int, reservoir: bool
    ) -> None:
        self.span = span
        self.encoder: FrameEncoder = open_encoder(sample_rate, channels, bitrate, reservoir)
        self.seen = 0
        self.kept = 0

    def run(self, source: BlockSource, sink: Callable[[bytes], None], ctx: SpanContext) -> None:
        span = self.span
        pre = span.drop * MP3_FRAME
        try:
            for block in source(span.read_start, span.read_end):
                ctx.check()
                self._take(self.encoder.encode(np.clip(block, -1.0, 1.0)), sink)
                fresh = max(0, block.shape[0] - pre)
                pre = max(0, pre - block.shape[0])
                ctx.advance(fresh)
            self._take(self.encoder.flush(), sink)
        finally:
            self.encoder.close()
        if span.keep is not None and self.kept != span.keep:
            raise ExportError(f"MP3 span produced {self.kept} frames, expected {span.keep}")

    def _take(self, frames: list[bytes], sink: Callable[[bytes], None]) -> None:
        span = self.span
        for frame in frames:
            self.seen += 1
            if self.seen <= span.drop or (span.keep is not None and self.kept >= span.keep):
                continue
            self.kept += 1
            sink(frame)


class _Muxer:
    """FFmpeg's MP3 muxer fed with our frames; it writes the Xing/LAME (gapless) header."""

    def __init__(self, path: Path, sample_rate: int, channels: int, bitrate: int) -> None:
        self.container: Any = av.open(str(path), mode="w", format="mp3")
        stream: Any = self.container.add_stream("libmp3lame", rate=sample_rate)
        ctx = stream.codec_context
        ctx.sample_rate = sample_rate
        ctx.layout = "mono" if channels == 1 else "stereo"
        ctx.format = "fltp"
        ctx.bit_rate = bitrate
        self.stream = stream
        self.time_base = Fraction(1, sample_rate)
        self.delay = 576
        self.count = 0
        self._held: bytes | None = None

    def add(self, frame: bytes) -> None:
        """Queue a frame; the previous one is written (the last is held for its side data)."""
        if self._held is not None:
            self._write(self._held, None)
        self._held = frame

    def finish(self, total: int) -> None:
        """Write the last frame, telling the muxer how much trailing padding the stream has."""
        if self._held is None:
            raise ExportError("the MP3 encoder produced no audio")
        skip = self.delay + DECODER_DELAY
        padding = (self.count + 1) * MP3_FRAME - skip - total
        if padding < 0:
            raise ExportError(f"MP3 stream is {-padding} samples short of the program")
        self._write(self._held, padding)
        self._held = None

    def _write(self, data: bytes, padding: int | None) -> None:
        packet = av.Packet(data)
        skip = self.delay + DECODER_DELAY if self.count == 0 else 0
        if skip or padding is not None:
            _set_skip_samples(packet, skip, padding or 0)
        packet.stream = self.stream
        packet.time_base = self.time_base
        packet.pts = packet.dts = self.count * MP3_FRAME - (self.delay + DECODER_DELAY)
        packet.duration = MP3_FRAME
        self.container.mux(packet)
        self.count += 1

    def close(self) -> None:
        self.container.close()


@cache
def _side_data_template() -> Any:
    """A packet carrying ``skip_samples`` side data, made by PyAV's own MP3 encoder.

    PyAV can copy side data between packets but not create it from scratch; this tiny encode
    gives a packet of the right kind to copy from.
    """
    ctx: Any = av.CodecContext.create("libmp3lame", "w")
    ctx.sample_rate = 48000
    ctx.layout = "mono"
    ctx.format = "fltp"
    ctx.bit_rate = 128000
    frame = av.AudioFrame.from_ndarray(np.zeros((1, 64), np.float32), format="fltp", layout="mono")
    frame.sample_rate = 48000
    frame.pts = 0
    for packet in [*ctx.encode(frame), *ctx.encode(None)]:
        if packet.has_sidedata("skip_samples"):
            return packet
    raise ExportError("this FFmpeg build does not mark MP3 encoder delay")


def _set_skip_samples(packet: Any, skip: int, discard: int) -> None:
    """Attach FFmpeg's ``AV_PKT_DATA_SKIP_SAMPLES`` (skip at start, discard at end)."""
    side = PacketSideData.from_packet(_side_data_template(), "skip_samples")
    side.update(struct.pack("<IIBB", skip, discard, 0, 0))
    side.to_packet(packet)


class _Spool:
    """Length-prefixed frame bytes in a temporary file beside the output."""

    def __init__(self, folder: Path) -> None:
        sweep_orphans(folder, ".wordcut-mp3.")
        fd, name = tempfile.mkstemp(prefix=temp_prefix("wordcut-mp3"), suffix=".tmp", dir=folder)
        self.path = Path(name)
        self.file: BinaryIO = os.fdopen(fd, "w+b")
        self.count = 0

    def add(self, data: bytes) -> None:
        self.file.write(struct.pack("<I", len(data)))
        self.file.write(data)
        self.count += 1

    def replay(self) -> Iterator[bytes]:
        self.file.flush()
        self.file.seek(0)
        for _ in range(self.count):
            (size,) = struct.unpack("<I", self.file.read(4))
            yield self.file.read(size)

    def close(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)
