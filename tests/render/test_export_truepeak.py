"""The true-peak ceiling: the guard's own properties, then whole exports of material that
overshoots its sample peaks between samples, metered by the ffmpeg CLI as a platform would."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from render.edl import Edl, EdlTrack, SourceRange
from render.export import ExportOptions, Loudness, export
from render.export.truepeak import InterSampleGuard, TruePeakDetector, true_peak_db
from tests.render.export_fixtures import HAS_FFMPEG, RATE, decode

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-episode.flac"


def pink_noise(seconds: float, seed: int = 1) -> np.ndarray:
    """Deterministic pink noise (Voss-McCartney-like: white filtered by 1/f in frequency)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spectrum[1:] /= np.sqrt(f[1:])
    spectrum[0] = 0
    x = np.fft.irfft(spectrum, n)
    return (0.15 * x / np.std(x) * 0.3).astype(np.float32)[:, None]


def _guard(data: np.ndarray, ceiling: float, block: int) -> np.ndarray:
    guard = InterSampleGuard(RATE, data.shape[1], ceiling)
    parts = [guard.process(data[i : i + block]) for i in range(0, len(data), block)]
    parts.append(guard.flush())
    return np.concatenate(parts)


@pytest.mark.parametrize("block", [1, 64, 65, 8192, 8193])
def test_guard_keeps_length_and_holds_the_ceiling(block: int) -> None:
    data = np.repeat(pink_noise(1.0) * 6.0, 2, axis=1)
    data[:, 1] *= 0.7
    ceiling = 0.5
    out = _guard(data[: 20000 if block == 1 else None], ceiling, block)
    src = data[: out.shape[0]]
    assert out.shape == src.shape
    assert true_peak_db(out) <= 20 * np.log10(ceiling) + 0.05
    # only gain changes: the ratio to the input is a smooth gain within (0, 1]
    ratio = out[np.abs(src) > 1e-3] / src[np.abs(src) > 1e-3]
    assert ratio.min() > 0.0 and ratio.max() <= 1.0 + 1e-6


def test_guard_leaves_material_under_the_ceiling_untouched() -> None:
    data = pink_noise(0.5) * 0.5
    out = _guard(data, 0.99, 4096)
    assert np.array_equal(out, data)


def test_guard_gain_moves_smoothly_not_in_steps() -> None:
    data = np.zeros((RATE // 2, 1), dtype=np.float32)
    t = np.arange(data.shape[0]) / RATE
    data[:, 0] = 0.3 * np.sin(2 * np.pi * 997 * t)
    data[12000:12050, 0] = 0.95  # one loud burst
    guard = InterSampleGuard(RATE, 1, 0.5)
    out = np.concatenate([guard.process(data), guard.flush()])
    gain = out[:, 0] / np.where(np.abs(data[:, 0]) > 1e-3, data[:, 0], np.nan)
    steps = np.abs(np.diff(gain[~np.isnan(gain)]))
    assert steps.max() < 0.05  # a ramp over 5 ms, never a jump
    assert guard.reduced_frames > 0


def test_detector_reads_an_intersample_peak_above_the_samples() -> None:
    # a sine at fs/4 sampled 45 degrees off its peaks: samples at 0.707, true peak 1.0
    n = np.arange(4800)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4).astype(np.float32)[:, None]
    det = TruePeakDetector(1, 0.0)
    peaks = np.concatenate([det.push(x), det.flush()])
    assert peaks.shape == (4800,)
    assert np.abs(x).max() == pytest.approx(0.7071, abs=1e-3)
    assert peaks[100:-100].max() == pytest.approx(1.0, abs=0.01)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    level=st.floats(0.5, 8.0),
    block=st.sampled_from([1000, 4096, 9000]),
)
def test_guard_property_any_noise_any_level(seed: int, level: float, block: int) -> None:
    data = pink_noise(0.25, seed) * np.float32(level)
    out = _guard(data, 0.7, block)
    assert out.shape == data.shape
    assert true_peak_db(out) <= 20 * np.log10(0.7) + 0.05


def _ffmpeg_meter(path: Path) -> tuple[float, float]:
    run = subprocess.run(
        [
            "ffmpeg",
            "-nostats",
            "-hide_banner",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true:framelog=verbose",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = run.stderr[run.stderr.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak
    return float(integrated[1]), float(peak[1])


def _material(name: str, folder: Path) -> Path:
    """The bar's inputs, short: pink and white noise, a -3 dBFS square wave, clipped speech."""
    path = folder / f"{name}.wav"
    seconds = 12.0
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    rng = np.random.default_rng(7)
    if name == "pink":
        data = pink_noise(seconds)[:, 0]
    elif name == "white":
        data = 0.15 * rng.uniform(-1, 1, n)
    elif name == "square":
        data = 0.707 * np.sign(np.sin(2 * np.pi * 1000 * t + 0.1))
    else:  # clipped speech: harmonic voice driven 12 dB into the rails from the first sample
        f0 = 120 + 30 * np.sin(2 * np.pi * 0.5 * t)
        phase = 2 * np.pi * np.cumsum(f0) / RATE
        voice = sum(np.sin(k * phase) / k for k in range(1, 12))
        data = np.clip(1.2 * voice * (0.6 + 0.4 * np.sin(2 * np.pi * 2.1 * t)), -1, 1)
    sf.write(path, np.asarray(data, dtype=np.float32), RATE, subtype="PCM_16")
    return path


@pytest.mark.skipif(not HAS_FFMPEG, reason="the independent meter is the ffmpeg CLI")
@pytest.mark.parametrize("material", ["pink", "white", "square", "clipped", "demo"])
@pytest.mark.parametrize("fmt", ["wav", "mp3", "m4a"])
def test_every_deliverable_meets_the_true_peak_ceiling(
    tmp_path: Path, material: str, fmt: str
) -> None:
    source = DEMO if material == "demo" else _material(material, tmp_path)
    seconds = sf.info(str(source)).duration
    cut = seconds / 3
    edl = Edl(
        RATE,
        (EdlTrack(source),),
        (
            SourceRange(0.0, cut),
            SourceRange(cut + 0.5, 2 * cut),
            SourceRange(2 * cut + 0.3, seconds),
        ),
        10.0,
    )
    out = tmp_path / f"out.{fmt}"
    result = export(edl, out, ExportOptions(fmt, loudness=Loudness(-16.0, -1.0)))
    integrated, peak = _ffmpeg_meter(out)
    assert peak <= -1.0, f"{material} {fmt}: true peak {peak} dBTP"
    assert integrated == pytest.approx(-16.0, abs=0.5 if fmt == "wav" else 1.0)
    # the length stays exact: decoded for WAV and MP3 (gapless header), declared for M4A
    # (its edit list; FFmpeg's decoder keeps the last frame's padding)
    if fmt == "m4a":
        with av.open(str(out)) as container:
            stream = container.streams.audio[0]
            assert stream.duration is not None and stream.time_base is not None
            assert round(stream.duration * stream.time_base * RATE) == result.frames
    else:
        decoded, rate = decode(out)
        assert rate == RATE and decoded.shape[0] == result.frames
