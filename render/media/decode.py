"""Stream a source file as large blocks of interleaved PCM at the project rate.

One PyAV pass does everything in C: decode, then an FFmpeg filter graph (``aformat``, i.e.
swresample, as in :class:`av.AudioResampler`) converts rate, channel layout and sample format
and regroups the decoder's small frames (1,152 samples for MP3) into blocks of
``block_frames``. Handing Python a few big arrays instead of hundreds of thousands of small
ones is what keeps import close to the speed of the ``ffmpeg`` CLI.

Channels: mono stays mono, everything else becomes stereo (FFmpeg's standard downmix for
surround layouts). A podcast editor plays and exports mono or stereo, and two channels bound
the cache size for any source.

Damaged input is decoded as far as it goes, the way FFmpeg itself does: packets that fail to
decode are skipped and counted, a demuxer error ends the stream early, and both are reported in
:class:`DecodeReport` so the importer can warn (or refuse, when asked to be strict).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import av
import av.error
import numpy as np
import numpy.typing as npt
from av.audio.frame import AudioFrame
from av.filter import Graph

from render.media.probe import open_audio

StoreFormat = Literal["s16", "flt"]
"""PyAV sample format names of the two cache sample types (int16 / float32, interleaved)."""


@dataclass(slots=True)
class DecodeReport:
    """What happened while decoding; filled in as the blocks are produced."""

    source_frames: int = 0
    """Samples per channel the decoder produced, at the source rate."""
    bad_packets: int = 0
    first_bad_at: float | None = None
    """Seconds into the source of the first packet that failed to decode."""
    stopped_early: str = ""
    """The demuxer's complaint when it could not read on to the end, else empty."""


def output_channels(source_channels: int) -> int:
    """Channels the cache keeps for a source with ``source_channels``: 1 stays 1, else 2."""
    return 1 if source_channels == 1 else 2


def decode_blocks(
    path: Path,
    *,
    sample_rate: int,
    channels: int,
    store: StoreFormat,
    block_frames: int,
    report: DecodeReport,
) -> Generator[npt.NDArray[np.generic], None, None]:
    """Yield ``(frames, channels)`` int16 or float32 arrays; every block but the last is full.

    ``channels`` (1 or 2, see :func:`output_channels`) is fixed by the caller for the whole
    stream: a stream whose channel count changes midway is converted to it throughout.

    Raises :class:`render.errors.MediaError` if the file cannot be opened at all. Closing the
    generator early (the importer does on cancel) closes the file.
    """
    with open_audio(path) as (container, stream):
        stream.codec_context.thread_type = "AUTO"
        layout = "mono" if channels == 1 else "stereo"
        converter = _Converter(store, layout, sample_rate, block_frames)
        ctx = stream.codec_context
        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except av.error.FFmpegError as exc:
                report.stopped_early = str(exc.strerror or exc)
                break
            try:
                frames = ctx.decode(packet)
            except av.error.FFmpegError:
                report.bad_packets += 1
                if report.first_bad_at is None and packet.pts is not None and packet.time_base:
                    report.first_bad_at = float(packet.pts * packet.time_base)
                continue
            for frame in frames:
                report.source_frames += frame.samples
                blocks = converter.convert(frame)
                if blocks:
                    for out in blocks:
                        yield out.reshape(-1, channels)
        try:
            tail = ctx.decode(None)
        except av.error.FFmpegError:
            tail = []
        for frame in tail:
            report.source_frames += frame.samples
            for out in converter.convert(frame):
                yield out.reshape(-1, channels)
        for out in converter.flush():
            yield out.reshape(-1, channels)


class _Converter:
    """Decoded frames in, ``block_frames``-sized arrays out, through one FFmpeg filter graph.

    This is what :class:`av.AudioResampler` does, minus its habit of trying to pull after every
    push: with ~100 small frames per block that costs an exception per frame (about a fifth of
    the whole import time for an MP3). Here we pull only once enough input is buffered. A
    mid-stream change of rate, layout or format (concatenated MP3s, radio captures) flushes the
    graph and starts a new one.
    """

    def __init__(self, store: StoreFormat, layout: str, rate: int, block_frames: int) -> None:
        self._store = store
        self._layout = layout
        self._rate = rate
        self._block = block_frames
        self._graph: Graph | None = None
        self._ratio = 1.0
        """Output frames per input frame of the current graph."""
        self._pending = 0.0
        """Output frames the graph holds (estimated from the input pushed, minus output pulled)."""

    def convert(self, frame: AudioFrame) -> list[npt.NDArray[np.generic]]:
        out: list[npt.NDArray[np.generic]] = []
        if self._graph is None:
            self._graph = self._new_graph(frame)
        try:
            self._graph.push(frame)
        except av.error.FFmpegError:
            # FFmpeg's abuffer refuses a frame whose rate, layout or format changed; checking
            # that ourselves per frame would cost more than the whole graph does.
            out = self.flush()
            self._graph = self._new_graph(frame)
            self._graph.push(frame)
        self._pending += frame.samples * self._ratio
        # The resampler's filter delay (a few dozen frames) keeps the last output back; the
        # margin means a pull normally finds a whole block waiting.
        while self._pending >= self._block + _PULL_MARGIN:
            try:
                block = self._graph.pull()
            except (av.error.BlockingIOError, EOFError):
                break
            assert isinstance(block, AudioFrame)
            self._pending -= block.samples
            out.append(block.to_ndarray())
        return out

    def flush(self) -> list[npt.NDArray[np.generic]]:
        graph, self._graph = self._graph, None
        self._pending = 0.0
        if graph is None:
            return []
        graph.push(None)
        out: list[npt.NDArray[np.generic]] = []
        while True:
            try:
                out.append(graph.pull().to_ndarray())
            except (av.error.BlockingIOError, EOFError):
                return out

    def _new_graph(self, frame: AudioFrame) -> Graph:
        self._ratio = self._rate / frame.sample_rate
        graph = Graph()
        extra = {} if frame.time_base is None else {"time_base": str(frame.time_base)}
        source = graph.add(
            "abuffer",
            sample_rate=str(frame.sample_rate),
            sample_fmt=frame.format.name,
            channel_layout=frame.layout.name,
            **extra,
        )
        convert = graph.add(
            "aformat",
            sample_rates=str(self._rate),
            sample_fmts=self._store,
            channel_layouts=self._layout,
        )
        sink = graph.add("abuffersink")
        source.link_to(convert)
        convert.link_to(sink)
        graph.configure()
        graph.set_audio_frame_size(self._block)
        return graph


_PULL_MARGIN = 4096
