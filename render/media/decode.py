"""Stream a source file as large blocks of interleaved PCM at the project rate.

One PyAV pass does everything in C: decode, then an :class:`av.AudioResampler` converts rate,
channel layout and sample format and regroups the decoder's small frames (1,152 samples for
MP3) into blocks of ``block_frames``. Handing Python a few big arrays instead of hundreds of
thousands of small ones is what keeps import close to the speed of the ``ffmpeg`` CLI.

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
    store: StoreFormat,
    block_frames: int,
    report: DecodeReport,
) -> Generator[npt.NDArray[np.generic], None, None]:
    """Yield ``(frames, channels)`` int16 or float32 arrays; every block but the last is full.

    Raises :class:`render.errors.MediaError` if the file cannot be opened at all. Closing the
    generator early (the importer does on cancel) closes the file.
    """
    with open_audio(path) as (container, stream):
        stream.codec_context.thread_type = "AUTO"
        channels = output_channels(stream.codec_context.channels)
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
                for out in converter.convert(frame):
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
    """An AudioResampler that survives a mid-stream change of rate or layout.

    Some streams (concatenated MP3s, radio captures) change parameters partway; PyAV's
    resampler refuses such frames, so the old one is flushed and a new one takes over.
    """

    def __init__(self, store: StoreFormat, layout: str, rate: int, frame_size: int) -> None:
        self._args = (store, layout, rate, frame_size)
        self._resampler = self._new()

    def _new(self) -> av.AudioResampler:
        store, layout, rate, frame_size = self._args
        return av.AudioResampler(format=store, layout=layout, rate=rate, frame_size=frame_size)

    def convert(self, frame: AudioFrame) -> list[npt.NDArray[np.generic]]:
        try:
            frames = self._resampler.resample(frame)
        except ValueError:
            frames = self._resampler.resample(None)
            self._resampler = self._new()
            frames += self._resampler.resample(frame)
        return [f.to_ndarray() for f in frames]

    def flush(self) -> list[npt.NDArray[np.generic]]:
        return [f.to_ndarray() for f in self._resampler.resample(None)]
