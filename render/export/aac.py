"""AAC in M4A through PyAV's native ``aac`` encoder.

The encoder wants exactly 1024-sample planar float frames (:class:`FrameChunker`). Frames carry
timestamps so that FFmpeg knows the encoder's priming delay and the last frame's real length;
the MP4 muxer then writes an edit list, which is how MP4 states gapless playback: the file's
declared duration is the program's to the sample. That needs the movie timescale to be the
sample rate: at the muxer's default (1000) the edit list's duration is whole milliseconds and
the file was declared up to 47 samples short.

Chapters are handed to the muxer before the first packet, so FFmpeg writes them the two ways
players read them: a QuickTime chapter track (a ``text`` track referenced by the audio track,
what Apple Podcasts and other Apple players read) and a Nero ``chpl`` atom (what most others
read).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from render.export.program import Block
from render.jobs import CancelFn, check_cancel

AAC_FRAME = 1024


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
        planar = block.T
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

    def _frame(self, planar: npt.NDArray[np.float32]) -> av.AudioFrame:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(planar, dtype=np.float32), format="fltp", layout=self.layout
        )
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts  # the encoder derives packet timestamps (and priming) from these
        self._pts += planar.shape[1]
        return frame


def encode_aac(
    path: Path,
    blocks: Iterable[Block],
    sample_rate: int,
    channels: int,
    bitrate: int,
    report: Callable[[int], None],
    cancel: CancelFn,
    chapters: Sequence[tuple[str, float, float]] = (),
) -> int:
    """Encode ``blocks`` into an M4A at ``path``; return the frames encoded.

    ``chapters`` are ``(title, start, end)`` in seconds, sorted, with concrete ends.
    """
    done = 0
    with av.open(
        str(path), mode="w", format="ipod", options={"movie_timescale": str(sample_rate)}
    ) as container:
        stream: Any = container.add_stream("aac", rate=sample_rate)
        if chapters:
            container.set_chapters(
                [
                    {
                        "id": i + 1,
                        "start": round(start * sample_rate),
                        "end": round(end * sample_rate),
                        "time_base": Fraction(1, sample_rate),
                        "metadata": {"title": title},
                    }
                    for i, (title, start, end) in enumerate(chapters)
                ]
            )
        ctx = stream.codec_context
        ctx.sample_rate = sample_rate
        ctx.layout = "mono" if channels == 1 else "stereo"
        ctx.format = "fltp"
        ctx.bit_rate = bitrate
        ctx.time_base = Fraction(1, sample_rate)
        chunker = FrameChunker(AAC_FRAME, channels, sample_rate)
        for block in blocks:
            check_cancel(cancel)
            for frame in chunker.frames(np.clip(block, -1.0, 1.0)):
                container.mux(stream.encode(frame))
            done += block.shape[0]
            report(done)
        for frame in chunker.tail():
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return done
