"""``render.media.pcmwriter``: direct and buffered writes give byte-identical files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from render.media.pcmwriter import ALIGN, CHUNK, PcmWriter

SIZES = [1, 64, 65, 2047, 2048, 2049, CHUNK // 4, CHUNK // 4 + 1, CHUNK]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    frames=st.lists(st.sampled_from(SIZES) | st.integers(0, 3 * CHUNK // 4), max_size=8),
    channels=st.sampled_from([1, 2]),
    dtype=st.sampled_from(["<i2", "<f4"]),
)
def test_any_block_sizes_round_trip(
    tmp_path: Path, frames: list[int], channels: int, dtype: str
) -> None:
    rng = np.random.default_rng(len(frames))
    blocks = [rng.integers(-30000, 30000, (n, channels)).astype(dtype) for n in frames]
    expected = b"".join(b.tobytes() for b in blocks)
    for direct in (True, False):
        path = tmp_path / f"pcm-{direct}.raw"
        with PcmWriter(path, direct=direct) as writer:
            for block in blocks:
                writer.write(block)
        assert writer.bytes_written == len(expected)
        assert path.read_bytes() == expected


def test_non_contiguous_blocks_are_written_in_order(tmp_path: Path) -> None:
    planar = np.arange(20, dtype="<i2").reshape(2, 10)
    with PcmWriter(tmp_path / "x.raw") as writer:
        writer.write(planar.T)  # a transposed view: written as its logical (interleaved) order
    assert (tmp_path / "x.raw").read_bytes() == np.ascontiguousarray(planar.T).tobytes()


def test_direct_mode_is_used_where_available_and_aligned(tmp_path: Path) -> None:
    writer = PcmWriter(tmp_path / "y.raw")
    try:
        if not writer.direct:
            pytest.skip("this filesystem or OS does not offer O_DIRECT")
        assert writer._stage.ctypes.data % ALIGN == 0
    finally:
        writer.close()
