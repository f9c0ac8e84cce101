"""The waveform's per-view fold (editor/ui/waveform/lanes.py), pure numpy, against a brute-force
reference: every pixel column of the edited programme holds the min/max of exactly the source
bins that play there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.ui.waveform.lanes import PeakSource, Programme, programme_columns, source_columns
from render.edl import Edl, EdlTrack, SourceRange
from render.media.peaks import PeaksBuilder

RATE = 48_000


def _peaks(seconds: float, seed: int = 0) -> object:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    env = np.abs(np.sin(np.arange(n) / RATE * 1.3))  # loudness changes along the track
    data = (rng.standard_normal((n, 1)) * 0.3 * env[:, None]).astype(np.float32)
    builder = PeaksBuilder(1, 1.0)
    builder.add(data)
    return builder.finish(RATE, n)


PEAKS = _peaks(60.0)


def _edl(ranges: list[tuple[float, float]]) -> Edl:
    return Edl(RATE, (EdlTrack(Path("x.wav")),), tuple(SourceRange(a, b) for a, b in ranges))


def _reference(ranges: list[tuple[float, float]], t0: float, t1: float, width: int, spb: int):
    """Brute force: map every bin centre of every kept range to its programme pixel."""
    mins, maxs = PEAKS.level(spb)  # type: ignore[attr-defined]
    lo = np.full(width, np.inf)
    hi = np.full(width, -np.inf)
    t = 0.0
    dt = (t1 - t0) / width
    for a, b in ranges:
        fa, fb = round(a * RATE), round(b * RATE)
        length = (fb - fa) / RATE
        start = fa / RATE
        for k in range(int(start * RATE // spb), int(np.ceil((start + length) * RATE / spb))):
            centre = (k + 0.5) * spb / RATE
            prog = t + centre - start
            if not (prog - t >= -spb / RATE) or k >= len(mins):
                continue
            px = int(np.floor((prog - t0) / dt))
            if 0 <= px < width:
                lo[px] = min(lo[px], mins[k])
                hi[px] = max(hi[px], maxs[k])
        t += length
    return lo, hi


@settings(max_examples=25, deadline=None)
@given(
    cuts=st.lists(st.floats(0.5, 55.0), min_size=2, max_size=12, unique=True),
    width=st.integers(50, 900),
    zoom=st.integers(5, 100).map(lambda z: z / 100),
    offset=st.integers(0, 100).map(lambda o: o / 100),
)
def test_programme_columns_match_brute_force(
    cuts: list[float], width: int, zoom: float, offset: float
) -> None:
    edges = sorted(cuts)
    ranges = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=False) if b - a > 0.05]
    if not ranges:
        return
    programme = Programme.of(_edl(ranges))
    span = programme.duration * zoom
    t0 = (programme.duration - span) * offset
    t1 = t0 + span
    src = PeakSource(PEAKS, 0.0)
    cols = programme_columns(programme, src, t0, t1, width)
    spb = max(s for s in src.levels() if s <= max(src.levels()[0], (t1 - t0) / width * RATE))
    lo, hi = _reference(ranges, t0, t1, width, spb)
    px = np.floor((cols.x[0::2] - t0) / ((t1 - t0) / width)).astype(int)
    assert (np.diff(px) > 0).all()  # one segment per column, in order
    filled = np.flatnonzero(np.isfinite(lo))
    # A bin centre lying exactly on a column edge may fall either side by rounding: columns
    # must agree everywhere else, and each within its neighbours' envelope.
    assert len(set(px) ^ set(filled)) <= 2 + len(ranges)
    both = np.array(sorted(set(px) & set(filled)))
    at = np.searchsorted(px, both)
    exact = np.isclose(cols.y[0::2][at], np.clip(lo[both], -1, 1), atol=1e-6)
    assert exact.mean() > 0.9
    pad_lo = np.minimum.reduce([np.roll(lo, k) for k in (-1, 0, 1)])
    pad_hi = np.maximum.reduce([np.roll(hi, k) for k in (-1, 0, 1)])
    assert (cols.y[0::2][at] >= np.clip(pad_lo[both], -1, 1) - 1e-6).all()
    assert (cols.y[1::2][at] <= np.clip(pad_hi[both], -1, 1) + 1e-6).all()


def test_cut_shortens_programme_and_maps_both_ways() -> None:
    programme = Programme.of(_edl([(0.0, 10.0), (20.0, 30.0)]))
    assert programme.duration == 20.0
    assert programme.to_source(12.0) == 22.0
    assert programme.from_source(22.0) == 12.0
    assert programme.from_source(15.0) is None  # cut
    assert programme.cuts(40.0) == [(10.0, 20.0), (30.0, 40.0)]


def test_source_view_and_offset_and_gain() -> None:
    quiet = PeakSource(PEAKS, 5.0, gain=0.5)  # the track starts 5 s into the project clock
    cols = source_columns(quiet, 0.0, 10.0, 100)
    x = cols.x[0::2]
    assert x.min() >= 5.0  # nothing drawn before the track starts
    loud = source_columns(PeakSource(PEAKS, 5.0), 0.0, 10.0, 100)
    unclipped = np.abs(loud.y) < 1.0
    np.testing.assert_allclose(cols.y[unclipped], loud.y[unclipped] * 0.5, atol=1e-6)


def test_fold_cost_follows_pixels_not_length() -> None:
    """A 3-hour track with 300 cuts: one view folds in milliseconds (no per-sample work)."""
    import time

    long = _peaks(600.0, 1)
    edges = np.linspace(0, 599, 601)
    ranges = list(zip(edges[::2], edges[1::2], strict=False))
    programme = Programme.of(_edl(ranges))
    src = PeakSource(long, 0.0)
    start = time.perf_counter()
    for _ in range(20):
        programme_columns(programme, src, 0.0, programme.duration, 1600)
    per_view = (time.perf_counter() - start) / 20
    assert per_view < 0.05, per_view  # generous: ~2 ms here; a per-sample fold is ~100x
