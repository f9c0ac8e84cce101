"""Lossy encoding (MP3 with LAME, AAC in M4A) through PyAV, in parallel spans for MP3.

Encoders want fixed-size frames (1152 samples for MP3, 1024 for AAC) in planar float; the
:class:`FrameChunker` cuts the program's blocks into exactly those.

LAME is the slow part of an MP3 export and runs on one core. On a 2-core machine that alone
would lose to the ``ffmpeg`` CLI, so the program is split into spans, each encoded by its own
LAME instance on its own thread (PyAV releases the GIL inside ``avcodec_send_frame`` /
``avcodec_receive_packet``), and the packets are joined into one stream:

* every span after the first starts :data:`PREROLL_FRAMES` MP3 frames *before* its share and
  drops the packets of that pre-roll, so its encoder's psychoacoustic state, MDCT overlap and
  limiter state have settled on the same audio the previous span encoded;
* span boundaries fall on multiples of 1152 samples, so span *k*'s packet *j* encodes the same
  samples as a single encoder's packet ``j + start/1152`` would, and the packet count of the
  joined stream is exactly a single encoder's;
* spans after the first run with LAME's bit reservoir off, so their first kept frame never
  points back into bytes of a dropped pre-roll frame (the main span keeps the reservoir);
* the final packet, with its trailing-padding side data, comes from the last span's own flush,
  so the muxer's LAME/Xing header states the true encoder delay and padding: gapless players
  (and FFmpeg) decode exactly the program's length.

Packets from the helper spans are spooled to a temporary file next to the output so memory
stays flat however long the episode is.
"""

from __future__ import annotations

import os
import struct
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import av
import numpy as np

from render.errors import Cancelled, ExportError
from render.export.program import Block

MP3_FRAME = 1152
PREROLL_FRAMES = 8
"""MP3 frames (≈190 ms at 48 kHz) each helper span encodes before its share and throws away."""
MIN_SPAN_FRAMES = 48000 * 60
"""Spans shorter than about a minute are not worth a thread."""


@dataclass(frozen=True, slots=True)
class CodecSpec:
    """How one lossy format is produced."""

    codec: str
    container: str
    frame_size: int
    sample_format: str


CODECS = {
    "mp3": CodecSpec("libmp3lame", "mp3", MP3_FRAME, "fltp"),
    "m4a": CodecSpec("aac", "ipod", 1024, "fltp"),
}


class FrameChunker:
    """Re-chunk ``(n, ch)`` float blocks into planar frames of exactly ``size`` samples."""

    def __init__(self, size: int, channels: int, sample_rate: int) -> None:
        self.size = size
        self.channels = channels
        self.sample_rate = sample_rate
        self.layout = "mono" if channels == 1 else "stereo"
        self._pending = np.zeros((channels, 0), dtype=np.float32)
        self._pts = 0

    def frames(self, block: Block) -> Iterator[av.AudioFrame]:
        """Frames made whole by ``block``; a remainder waits for the next call."""
        planar = np.clip(block.T, -1.0, 1.0)
        if self._pending.shape[1]:
            planar = np.concatenate([self._pending, planar], axis=1)
        usable = planar.shape[1] - planar.shape[1] % self.size
        for i in range(0, usable, self.size):
            yield self._frame(planar[:, i : i + self.size])
        self._pending = np.ascontiguousarray(planar[:, usable:])

    def tail(self) -> Iterator[av.AudioFrame]:
        """The last, short frame (encoders accept one at the end)."""
        if self._pending.shape[1]:
            yield self._frame(self._pending)
            self._pending = self._pending[:, :0]

    def _frame(self, planar: np.ndarray[Any, Any]) -> av.AudioFrame:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(planar, dtype=np.float32), format="fltp", layout=self.layout
        )
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts  # encoders derive packet timestamps (and priming) from these
        self._pts += planar.shape[1]
        return frame


def configure(
    ctx: Any, spec: CodecSpec, sample_rate: int, channels: int, bitrate: int, reservoir: bool = True
) -> None:
    """Set up an encoder context: constant bitrate, planar float, the export's layout."""
    ctx.sample_rate = sample_rate
    ctx.layout = "mono" if channels == 1 else "stereo"
    ctx.format = spec.sample_format
    ctx.bit_rate = bitrate
    ctx.time_base = Fraction(1, sample_rate)
    if spec.codec == "libmp3lame":
        ctx.options = {"reservoir": "1" if reservoir else "0"}
    ctx.thread_count = 1


@dataclass(frozen=True, slots=True)
class Span:
    """One share of an MP3 program: input frames [read_start, read_end), packets kept."""

    read_start: int
    read_end: int
    drop: int
    keep: int | None
    """Packets to keep after dropping ``drop``; ``None`` = all, through the flush."""


def plan_spans(total: int, workers: int) -> list[Span]:
    """Split ``total`` frames into up to ``workers`` spans on MP3 frame boundaries."""
    pre = PREROLL_FRAMES * MP3_FRAME
    count = max(1, min(workers, total // MIN_SPAN_FRAMES))
    if count == 1:
        return [Span(0, total, 0, None)]
    packets = -(-total // MP3_FRAME)
    bounds = [round(packets * i / count) for i in range(count + 1)]
    spans = []
    for i in range(count):
        first, last = bounds[i], bounds[i + 1]
        start = max(0, first * MP3_FRAME - pre)
        drop = first - start // MP3_FRAME
        if i == count - 1:
            spans.append(Span(start, total, drop, None))
        else:
            end = min(total, last * MP3_FRAME + pre)
            spans.append(Span(start, end, drop, last - first))
    return spans


BlockSource = Callable[[int, int], Iterable[Block]]
"""Produces the shaped program for ``[start, end)``; called once per span, from its thread."""


class _Spool:
    """Length-prefixed packet bytes on disk, plus the final packets kept whole (side data)."""

    def __init__(self, folder: Path) -> None:
        fd, name = tempfile.mkstemp(prefix=".wordcut-spool.", dir=folder)
        self.path = Path(name)
        self.file: BinaryIO = os.fdopen(fd, "w+b")
        self.count = 0
        self.tail: list[Any] = []

    def add(self, packet: Any) -> None:
        data = bytes(packet)
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


class _Progress:
    """Frames encoded so far, summed over spans (read by the calling thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.done = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.done += n


def encode_lossy(
    path: Path,
    fmt: str,
    source: BlockSource,
    total: int,
    sample_rate: int,
    channels: int,
    bitrate: int,
    workers: int,
    report: Callable[[int], None],
    cancel: Callable[[], bool],
) -> int:
    """Encode ``total`` frames from ``source`` into ``path``; return the frames encoded.

    ``report(done)`` and ``cancel()`` are only called on the calling thread.
    """
    spec = CODECS[fmt]
    spans = plan_spans(total, workers) if fmt == "mp3" else [Span(0, total, 0, None)]
    stop = threading.Event()
    progress = _Progress()
    helpers: list[_Helper] = []
    container = av.open(str(path), mode="w", format=spec.container)
    try:
        stream: Any = container.add_stream(spec.codec, rate=sample_rate)
        configure(stream.codec_context, spec, sample_rate, channels, bitrate)
        for span in spans[1:]:
            helper = _Helper(
                span, spec, source, sample_rate, channels, bitrate, path.parent, stop, progress
            )
            helpers.append(helper)
            helper.start()

        def stopped() -> bool:
            if cancel():
                stop.set()
            return stop.is_set()

        main = spans[0]
        kept = 0
        chunker = FrameChunker(spec.frame_size, channels, sample_rate)

        next_pts = 0

        def mux_all(packets: Iterable[Any]) -> None:
            nonlocal kept, next_pts
            for packet in packets:
                if main.keep is None or kept < main.keep:
                    if packet.pts is not None:
                        next_pts = packet.pts + spec.frame_size
                    container.mux(packet)
                    kept += 1

        for block in source(main.read_start, main.read_end):
            if stopped():
                raise Cancelled("cancelled")
            for frame in chunker.frames(block):
                mux_all(stream.encode(frame))
            progress.add(block.shape[0])
            report(progress.done)
        for frame in chunker.tail():
            mux_all(stream.encode(frame))
        mux_all(stream.encode(None))

        pts = next_pts
        for helper in helpers:
            while helper.is_alive():
                helper.join(timeout=0.2)
                if stopped():
                    break
                report(progress.done)
            helper.join()
            if helper.error is not None:
                raise helper.error
            pts = _replay(container, stream, helper, pts, spec.frame_size, sample_rate)
        report(progress.done)
    except BaseException:
        stop.set()
        for helper in helpers:
            helper.join()
        raise
    finally:
        container.close()
        for helper in helpers:
            helper.spool.close()
    return total


def _replay(container: Any, stream: Any, helper: _Helper, pts: int, size: int, rate: int) -> int:
    """Mux a helper span's spooled packets, then its final packets with their side data."""

    base = Fraction(1, rate)
    for data in helper.spool.replay():
        packet = av.Packet(data)
        packet.stream = stream
        packet.time_base = base
        packet.pts = packet.dts = pts
        packet.duration = size
        container.mux(packet)
        pts += size
    for packet in helper.spool.tail:
        packet.stream = stream
        packet.time_base = base
        packet.pts = packet.dts = pts
        container.mux(packet)
        pts += size
    return pts


class _Helper(threading.Thread):
    """Encodes one span after the first into a spool file."""

    def __init__(
        self,
        span: Span,
        spec: CodecSpec,
        source: BlockSource,
        sample_rate: int,
        channels: int,
        bitrate: int,
        folder: Path,
        stop: threading.Event,
        progress: _Progress,
    ) -> None:
        super().__init__(name="wordcut-mp3-span", daemon=True)
        self.span = span
        self.spec = spec
        self.source = source
        self.sample_rate = sample_rate
        self.channels = channels
        self.bitrate = bitrate
        self.stop = stop
        self.progress = progress
        self.spool = _Spool(folder)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._encode()
        except BaseException as exc:  # handed to the calling thread, which re-raises it
            self.error = exc
            self.stop.set()

    def _encode(self) -> None:
        span = self.span
        ctx: Any = av.CodecContext.create(self.spec.codec, "w")
        configure(ctx, self.spec, self.sample_rate, self.channels, self.bitrate, reservoir=False)
        ctx.open()
        chunker = FrameChunker(self.spec.frame_size, self.channels, self.sample_rate)
        seen = 0
        kept = 0

        def take(packets: Iterable[Any], final: bool = False) -> None:
            nonlocal seen, kept
            for packet in packets:
                seen += 1
                if seen <= span.drop or (span.keep is not None and kept >= span.keep):
                    continue
                kept += 1
                if final:
                    self.spool.tail.append(packet)
                else:
                    self.spool.add(packet)

        pre = span.drop * MP3_FRAME
        for block in self.source(span.read_start, span.read_end):
            if self.stop.is_set():
                return
            for frame in chunker.frames(block):
                take(ctx.encode(frame))
            counted = min(block.shape[0], max(0, block.shape[0] - pre))
            pre = max(0, pre - block.shape[0])
            self.progress.add(counted)
        for frame in chunker.tail():
            take(ctx.encode(frame), final=span.keep is None)
        take(ctx.encode(None), final=span.keep is None)
        if span.keep is not None and kept != span.keep:
            raise ExportError(f"MP3 span produced {kept} packets, expected {span.keep}")
