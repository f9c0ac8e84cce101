"""The program as the encoders see it: read from the reader, fold channels, gain, limit.

Export never touches the sources: it reads the mixed program through the same reader that
playback uses (so what you hear is what you export) and shapes it here, block by block, in
float32. Any span of the program can be produced on its own, which is what lets the MP3 encoder
work on several spans in parallel: each worker gets its own :meth:`ProgramReader.clone`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Protocol

import numpy as np

from render.export.limiter import Limiter
from render.jobs import CancelFn, check_cancel
from render.sources import AudioSource, Frames

Block = Frames
"""Samples as ``(frames, channels)`` float32."""

READ_BLOCK = 1152 * 32
"""Frames read per call: large enough to amortise Python overhead, a multiple of MP3's frame."""


class ProgramReader(AudioSource, Protocol):
    """What export needs from :class:`render.reader.EdlReader` (and test doubles): a source of
    program audio that can hand each encoder thread a reader of its own."""

    def clone(self) -> ProgramReader: ...


def fold_channels(block: Block, channels: int) -> Block:
    """Mono from many = mean of the channels; stereo from mono = the channel twice."""
    have = block.shape[1]
    if have == channels:
        return block
    if channels == 1:
        mono: Block = block.mean(axis=1, dtype=np.float32, keepdims=True)
        return mono
    if have == 1:
        return np.repeat(block, channels, axis=1)
    return np.ascontiguousarray(block[:, :channels])


class Shaper:
    """Turns reader output into encoder input: channel fold, constant gain, optional limiter.

    One shaper serves one contiguous run of frames (the limiter has state), so each parallel
    worker makes its own.
    """

    def __init__(
        self,
        channels: int,
        gain: float = 1.0,
        ceiling: float | None = None,
        sample_rate: int = 48000,
    ) -> None:
        self.channels = channels
        self.gain = np.float32(gain)
        self.limiter = Limiter(sample_rate, channels, ceiling) if ceiling is not None else None

    def blocks(
        self,
        reader: ProgramReader,
        start: int,
        end: int,
        cancel: CancelFn,
        block: int = READ_BLOCK,
    ) -> Iterator[Block]:
        """Yield the shaped program from ``start`` to ``end`` (exactly ``end - start`` frames)."""
        pos = start
        while pos < end:
            check_cancel(cancel)
            count = min(block, end - pos)
            data = fold_channels(
                np.asarray(reader.read(pos, count), dtype=np.float32), self.channels
            )
            pos += count
            if self.gain != 1.0:
                data = data * self.gain
            data = self.shape(data)
            if data.shape[0]:
                yield data
        tail = self.tail()
        if tail.shape[0]:
            yield tail

    def shape(self, data: Block) -> Block:
        """Limit already-gained ``data`` (may hold frames back for the look-ahead)."""
        return data if self.limiter is None else self.limiter.process(data)

    def tail(self) -> Block:
        """Frames the limiter still holds, at the end of the run."""
        if self.limiter is None:
            return np.zeros((0, self.channels), dtype=np.float32)
        return self.limiter.flush()


class SpanReaders:
    """Readers for parallel spans: the creating thread uses the reader itself, others a clone.

    The reader is not thread-safe (it holds open decoders), so each helper thread opens its own
    :meth:`ProgramReader.clone` and closes it when its span is done.
    """

    def __init__(self, reader: ProgramReader) -> None:
        self.reader = reader
        self.owner = threading.current_thread()

    @contextlib.contextmanager
    def open(self) -> Iterator[ProgramReader]:
        if threading.current_thread() is self.owner:
            yield self.reader
            return
        clone = self.reader.clone()
        try:
            yield clone
        finally:
            clone.close()
