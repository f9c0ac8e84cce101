"""Sample-rate conversion for exports at another rate (48 kHz project → 44.1 kHz file).

FFmpeg's swresample does the filtering; this wrapper makes the length exact: the output has
``round(frames * out_rate / in_rate)`` frames, so a WAV at 44.1 kHz is as long as the EDL says.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import av
import numpy as np

from render.export.program import Block


def resampled_length(frames: int, in_rate: int, out_rate: int) -> int:
    """The exact output length for ``frames`` input frames."""
    return (frames * out_rate + in_rate // 2) // in_rate


def resample_blocks(
    blocks: Iterable[Block], frames: int, in_rate: int, out_rate: int, channels: int
) -> Iterator[Block]:
    """Resample a stream of ``frames`` frames; yields exactly ``resampled_length`` frames."""
    layout = "mono" if channels == 1 else "stereo"
    resampler = av.AudioResampler(format="flt", layout=layout, rate=out_rate)
    remaining = resampled_length(frames, in_rate, out_rate)
    pts = 0

    def emit(out_frames: list[av.AudioFrame]) -> Iterator[Block]:
        nonlocal remaining
        for frame in out_frames:
            data = frame.to_ndarray().reshape(-1, channels)[:remaining]
            remaining -= data.shape[0]
            if data.shape[0]:
                yield data.astype(np.float32, copy=False)

    for block in blocks:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block, dtype=np.float32).reshape(1, -1),
            format="flt",
            layout=layout,
        )
        frame.sample_rate = in_rate
        frame.pts = pts
        pts += block.shape[0]
        yield from emit(resampler.resample(frame))
    yield from emit(resampler.resample(None))
    if remaining > 0:
        yield np.zeros((remaining, channels), dtype=np.float32)
