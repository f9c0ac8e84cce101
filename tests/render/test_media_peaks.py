"""``render.media.peaks``: the pyramid matches brute force, queries pick the right level, and
``quietest_point`` finds the gap between words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from render.errors import MediaError
from render.media import Peaks, import_media
from render.media.peaks import BASE_BIN, PeaksBuilder, read_peaks

RATE = 48000


def brute_force(x: npt.NDArray[np.float32], spb: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max over all channels of each ``spb``-frame bin, one bin at a time."""
    bins = range(0, len(x), spb)
    return (
        np.array([x[i : i + spb].min() for i in bins], np.float32),
        np.array([x[i : i + spb].max() for i in bins], np.float32),
    )


def build(x: npt.NDArray[np.float32], cuts: list[int]) -> Peaks:
    builder = PeaksBuilder(x.shape[1], 1.0)
    for a, b in zip([0, *cuts], [*cuts, len(x)], strict=True):
        builder.add(x[a:b])
    return builder.finish(RATE, len(x))


@settings(max_examples=40, deadline=None)
@given(
    frames=st.integers(1, 70_000),
    channels=st.sampled_from([1, 2]),
    sizes=st.lists(st.sampled_from([1, 64, 65, 255, 256, 257, 8192, 8193]), max_size=6),
    seed=st.integers(0, 2**16),
)
def test_every_level_matches_brute_force_for_any_block_split(
    frames: int, channels: int, sizes: list[int], seed: int
) -> None:
    x = np.random.default_rng(seed).uniform(-1, 1, (frames, channels)).astype(np.float32)
    cuts = [c for c in np.cumsum(sizes).tolist() if c < frames]
    peaks = build(x, cuts)
    assert peaks.levels() == [256, 1024, 4096, 16384, 65536]
    for spb in peaks.levels():
        mins, maxs = peaks.level(spb)
        want_min, want_max = brute_force(x, spb)
        np.testing.assert_array_equal(mins, want_min)
        np.testing.assert_array_equal(maxs, want_max)


def test_get_uses_the_coarsest_level_with_enough_bins() -> None:
    x = np.random.default_rng(1).uniform(-1, 1, (RATE * 60, 1)).astype(np.float32)
    peaks = build(x, [])
    for max_bins, spb in [(1000, 1024), (100, 16384), (20, 65536), (100_000, 256)]:
        mins, maxs = peaks.get(0, len(x), max_bins)
        expected_bins = -(-len(x) // spb)
        assert len(mins) == len(maxs) == expected_bins
        assert len(mins) >= min(max_bins, -(-len(x) // 256))
    mins, maxs = peaks.get(RATE * 10, RATE * 20, 500)  # a window, at level 256 (1875 bins)
    want_min, want_max = brute_force(x[RATE * 10 : RATE * 20], 256)
    np.testing.assert_array_equal(mins, want_min)
    np.testing.assert_array_equal(maxs, want_max)
    with pytest.raises(KeyError):
        peaks.level(512)
    empty = peaks.get(500, 400, 10)
    assert empty[0].shape == empty[1].shape == (0,)
    clipped = peaks.get(-(10**9), 10**12, 5)
    assert len(clipped[0]) == -(-len(x) // 65536)


def speech_with_gap(gap: tuple[float, float], seconds: float = 3.0) -> npt.NDArray[np.float32]:
    """Noise 'words' with quiet noise between them and a silent-ish gap at ``gap`` seconds."""
    rng = np.random.default_rng(3)
    x = 0.3 * rng.standard_normal((round(seconds * RATE), 2)).astype(np.float32)
    a, b = round(gap[0] * RATE), round(gap[1] * RATE)
    x[a:b] *= 0.001
    return x


def test_quietest_point_lands_in_the_gap_between_words() -> None:
    peaks = build(speech_with_gap((1.40, 1.52)), [])
    point = peaks.quietest_point(1.0, 2.0)
    assert 1.40 < point < 1.52
    # the gap's bins are all about equally quiet: the one nearest the span's middle wins
    assert peaks.quietest_point(1.3, 1.6) == pytest.approx(1.45, abs=BASE_BIN / RATE)


def test_quietest_point_in_digital_silence_prefers_the_middle() -> None:
    x = np.zeros((RATE * 2, 1), np.float32)
    x[: RATE // 2] = 0.5
    peaks = build(x, [])
    assert peaks.quietest_point(0.4, 1.8) == pytest.approx(1.1, abs=BASE_BIN / RATE)


def test_quietest_point_of_a_span_shorter_than_a_bin_is_its_midpoint() -> None:
    peaks = build(speech_with_gap((1.4, 1.5)), [])
    assert peaks.quietest_point(1.0, 1.002) == pytest.approx(1.001)
    assert peaks.quietest_point(10.0, 11.0) == pytest.approx(10.5)  # beyond the end


def test_round_trip_through_a_cache_and_size_check(tmp_path: Path) -> None:
    x = speech_with_gap((0.7, 0.8), seconds=2.0)
    sf.write(tmp_path / "in.wav", x, RATE, subtype="FLOAT")
    with import_media(tmp_path / "in.wav", tmp_path / "cache") as cache:
        direct = build(x, [])
        for spb in direct.levels():
            np.testing.assert_array_equal(cache.peaks.level(spb), direct.level(spb))
        assert cache.peaks.quietest_point(0.5, 1.0) == direct.quietest_point(0.5, 1.0)
        layout = cache.peaks.layout()
    with pytest.raises(MediaError, match="inconsistent"):
        read_peaks(tmp_path / "cache" / "peaks.f32", {**layout, "bytes": 4}, RATE, len(x))
    with pytest.raises(MediaError, match="malformed"):
        read_peaks(tmp_path / "cache" / "peaks.f32", {"levels": [256]}, RATE, len(x))


def test_int16_caches_give_float_peaks(tmp_path: Path) -> None:
    x = np.zeros((RATE, 1), np.float32)
    x[1000] = 0.5
    x[2000] = -0.25
    sf.write(tmp_path / "in.wav", x, RATE, subtype="PCM_16")
    with import_media(tmp_path / "in.wav", tmp_path / "cache") as cache:
        assert cache.stored_dtype == np.dtype("<i2")
        mins, maxs = cache.peaks.get(0, cache.frames, 1)
        assert float(maxs.max()) == pytest.approx(0.5, abs=1e-4)
        assert float(mins.min()) == pytest.approx(-0.25, abs=1e-4)
