"""Loudness: the meter, BS.1770 gating, the limiter, and normalised exports checked by ffmpeg."""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from render.errors import ExportError
from render.export import ExportOptions, Loudness, export
from render.export.limiter import Limiter, ceiling_for_true_peak
from render.export.loudness import (
    GainPlan,
    Measurement,
    Meter,
    integrated_loudness,
    measure_program,
    meter_windows,
    plan_gain,
)
from tests.render.export_fixtures import HAS_FFMPEG, RATE, ArrayReader, cut_edl, write_source


def _sine(seconds: float, amplitude: float, channels: int = 2, freq: float = 997.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    tone = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(tone[:, None], channels, axis=1)


def _measure(data: np.ndarray) -> Measurement:
    reader = ArrayReader(data)
    (m,) = measure_program(
        reader, data.shape[1], [GainPlan(0.0, None)], 2, _ignore, _never, peak="true"
    )
    return m


def _ignore(done: int) -> None:
    pass


def _never() -> bool:
    return False


def test_reference_tone_reads_as_bs1770_says() -> None:
    """A 997 Hz tone at 0 dBFS in both channels is 0 LUFS (−3 LUFS for one channel)."""
    half = 10 ** (-6 / 20)
    assert _measure(_sine(5, half)).integrated_lufs == pytest.approx(-6.0, abs=0.1)
    assert _measure(_sine(5, half, channels=1)).integrated_lufs == pytest.approx(-9.0, abs=0.1)


def test_spans_give_the_same_answer_as_one_pass() -> None:
    rng = np.random.default_rng(3)
    data = rng.standard_normal((RATE * 70, 2)) * np.linspace(0.01, 0.3, RATE * 70)[:, None]
    data = data.astype(np.float32)
    reader = ArrayReader(data)
    plan = [GainPlan(0.0, None)]
    (one,) = measure_program(reader, 2, plan, 1, _ignore, _never, peak="true")
    (two,) = measure_program(reader, 2, plan, 2, _ignore, _never, peak="true")
    assert reader.clones == 1
    assert two.integrated_lufs == pytest.approx(one.integrated_lufs, abs=1e-9)
    assert two.peak_db == pytest.approx(one.peak_db, abs=1e-9)


def test_silence_has_no_loudness_and_gets_no_gain() -> None:
    m = _measure(np.zeros((RATE * 2, 2), np.float32))
    assert m.integrated_lufs == -math.inf
    assert plan_gain(m, Loudness(), _unused) == GainPlan(0.0, None)


def _unused(plans: object) -> list[Measurement]:
    raise AssertionError("no re-measure expected")


@given(st.lists(st.floats(min_value=-60, max_value=-5), min_size=1, max_size=50))
def test_gating_of_equal_blocks_is_their_loudness(levels: list[float]) -> None:
    blocks = np.array([levels[0]] * 10 + [-90.0] * 5)
    assert integrated_loudness(blocks) == pytest.approx(levels[0], abs=1e-9)


def test_relative_gate_drops_quiet_blocks() -> None:
    blocks = np.array([-20.0] * 10 + [-40.0] * 10)
    assert integrated_loudness(blocks) == pytest.approx(-20.0, abs=1e-9)
    assert integrated_loudness(np.array([-80.0, -75.0])) == -math.inf


def test_quiet_program_without_peaks_is_only_gained() -> None:
    plan = plan_gain(Measurement(-30.0, -20.0), Loudness(-16.0, -1.0), _unused)
    assert plan == GainPlan(14.0, None)


def test_peaky_program_gets_limiter_and_corrected_gain() -> None:
    seen: list[list[GainPlan]] = []

    def remeasure(plans: object) -> list[Measurement]:
        trials = list(plans)  # type: ignore[call-overload]
        seen.append(trials)
        # a sample of the program reads -21 LUFS as it is; limiting costs 0.5 LU at the
        # first trial gain and 0.8 LU at the second
        return [
            Measurement(-21.0, -3.0),
            Measurement(-21.0 + 4.0 - 0.5, -1.7),
            Measurement(-21.0 + 5.5 - 0.8, -1.7),
        ]

    plan = plan_gain(Measurement(-20.0, -2.0), Loudness(-16.0, -1.0), remeasure)
    assert len(seen) == 1
    assert [(p.gain_db, p.ceiling is None) for p in seen[0]] == [
        (0.0, True),
        (pytest.approx(4.0), False),
        (pytest.approx(5.5), False),
    ]
    assert plan.ceiling == pytest.approx(ceiling_for_true_peak(-1.0))
    assert plan.gain_db == pytest.approx(4.0 + 0.5 / 0.8)


def test_sampled_windows_cover_a_third_spread_out() -> None:
    groups = meter_windows(RATE * 3600, RATE, 2, sampled=True)
    windows = sorted(w for group in groups for w in group)
    assert len(groups) == 2 and len(windows) == 60
    assert sum(b - a for a, b in windows) == 60 * 200
    assert windows[0][0] > 0 and windows[-1][1] <= 36000
    whole = meter_windows(RATE * 3600, RATE, 2, sampled=False)
    assert whole == [[(0, 18000)], [(18000, 36000)]]


@pytest.mark.parametrize("block", [1, 100, 4800, 36_864])
def test_limiter_keeps_length_alignment_and_ceiling(block: int) -> None:
    rng = np.random.default_rng(1)
    data = (rng.standard_normal((RATE, 2)) * 0.4).astype(np.float32)
    data[:2000] *= 0.01
    limiter = Limiter(RATE, 2, 0.5)
    out = [limiter.process(data[i : i + block]) for i in range(0, len(data), block)]
    result = np.concatenate([*out, limiter.flush()])
    assert result.shape == data.shape
    assert np.abs(result).max() <= 0.5 + 1e-6
    assert np.allclose(result[:1500], data[:1500], atol=1e-6)  # quiet start untouched, unshifted


def test_a_limiter_that_loses_frames_is_an_export_error() -> None:
    limiter = Limiter(RATE, 1, 0.5)
    limiter.process(np.zeros((RATE // 10, 1), np.float32))
    limiter._in += 1  # as if alimiter had kept a frame of its look-ahead
    with pytest.raises(ExportError, match="limiter lost 1 frames"):
        limiter.flush()


@settings(deadline=None, max_examples=10)
@given(st.integers(min_value=1, max_value=9000))
def test_meter_handles_any_block_split(split: int) -> None:
    data = _sine(2, 0.3)
    whole = Meter(RATE, 2)
    whole.add(data)
    whole.finish()
    parts = Meter(RATE, 2)
    parts.add(data[:split])
    parts.add(data[split:])
    parts.finish()
    assert parts.blocks == whole.blocks
    assert parts.peak == whole.peak


def _ffmpeg_loudness(path: Path) -> tuple[float, float]:
    proc = subprocess.run(
        ["ffmpeg", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = proc.stderr[proc.stderr.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary)
    assert integrated and peak
    return float(integrated[1]), float(peak[1])


def _peaky_source(folder: Path, seconds: float) -> Path:
    """Speech-like audio with sharp transients (plosives, laughs): the limiter has work."""
    path = write_source(folder, seconds, 2)
    data, _ = sf.read(str(path), dtype="float32")
    for at in range(RATE // 3, len(data) - 200, RATE // 2):
        data[at : at + 96] += np.float32(0.8) * np.hanning(96)[:, None].astype(np.float32)
    sf.write(path, np.clip(data, -1, 1), RATE, subtype="PCM_24")
    return path


@pytest.mark.skipif(not HAS_FFMPEG, reason="the independent meter is the ffmpeg CLI")
@pytest.mark.parametrize(
    ("fmt", "target", "limited"),
    [("wav", -16.0, True), ("wav", -26.0, False), ("mp3", -16.0, True), ("flac", -19.0, True)],
)
def test_normalised_export_meets_target_by_ffmpeg_meter(
    tmp_path: Path, fmt: str, target: float, limited: bool
) -> None:
    source = _peaky_source(tmp_path, 40.0)
    before = source.read_bytes()
    out = tmp_path / f"loud.{fmt}"
    result = export(cut_edl(source, 40.0, 6), out, ExportOptions(fmt, loudness=Loudness(target)))
    integrated, peak = _ffmpeg_loudness(out)
    assert integrated == pytest.approx(target, abs=0.5)
    assert peak <= -1.0
    assert result.measured is not None and result.limited == limited
    assert source.read_bytes() == before  # the source is never modified


def test_loudness_off_leaves_levels_alone(tmp_path: Path) -> None:
    data = _sine(1, 0.1)
    out = tmp_path / "plain.wav"
    result = export(ArrayReader(data), out, ExportOptions("wav", loudness=None, bit_depth=24))
    assert result.measured is None and result.gain_db == 0.0
    written, _ = sf.read(str(out), dtype="float32")
    assert np.max(np.abs(written - data)) < 1e-6
