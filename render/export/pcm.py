"""Lossless writers (WAV, FLAC) through libsndfile: exact length, 16- or 24-bit.

libsndfile writes exactly the frames it is given — no encoder delay, no padding — which is
what makes a WAV or FLAC export the EDL's length to the sample.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import soundfile as sf

from render.export.program import Block

_SUBTYPES = {16: "PCM_16", 24: "PCM_24"}
_CONTAINERS = {"wav": "WAV", "flac": "FLAC"}


def write_pcm(
    path: Path, fmt: str, blocks: Iterable[Block], sample_rate: int, channels: int, bit_depth: int
) -> int:
    """Write ``blocks`` (clipped to ±1 here, once) to ``path``; return the frames written."""
    written = 0
    with sf.SoundFile(
        path,
        mode="w",
        samplerate=sample_rate,
        channels=channels,
        format=_CONTAINERS[fmt],
        subtype=_SUBTYPES[bit_depth],
    ) as out:
        for block in blocks:
            out.write(np.clip(block, -1.0, 1.0))
            written += block.shape[0]
    return written
