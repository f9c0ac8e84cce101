"""Every format × mono/stereo × common rate round-trips through the real reader and PyAV.

Lengths are checked against the EDL: WAV/FLAC to the sample, MP3 to the sample once decoded
gaplessly (PyAV honours the LAME header), M4A by its container duration.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from render.export import ExportOptions, export
from render.export import mp3 as mp3_module
from render.export.lame import open_encoder, split_frames, system_lame
from render.export.resample import resampled_length
from render.reader import EdlReader
from tests.render.export_fixtures import (
    RATE,
    ArrayReader,
    cut_edl,
    decode,
    speechlike,
    write_source,
)

SECONDS = 6.0


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("sources")
    return {ch: write_source(folder, SECONDS, ch, name=f"src{ch}.wav") for ch in (1, 2)}


def _program(edl_source: Path) -> tuple[np.ndarray, int]:
    with EdlReader(cut_edl(edl_source, SECONDS)) as reader:
        return reader.read(0, reader.frames), reader.frames


@pytest.mark.parametrize("fmt", ["wav", "flac"])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("rate", [44_100, 48_000])
@pytest.mark.parametrize("depth", [16, 24])
def test_lossless_is_exact(
    tmp_path: Path, sources: dict[int, Path], fmt: str, channels: int, rate: int, depth: int
) -> None:
    source = sources[2]
    edl = cut_edl(source, SECONDS)
    out = tmp_path / f"out.{fmt}"
    result = export(
        edl,
        out,
        ExportOptions(fmt, sample_rate=rate, channels=channels, bit_depth=depth, loudness=None),
    )
    info = sf.info(str(out))
    program, frames = _program(source)
    assert info.samplerate == rate and info.channels == channels
    assert info.frames == result.frames == resampled_length(frames, RATE, rate)
    assert info.subtype == f"PCM_{depth}"
    if rate == RATE:  # same rate: the samples are the program's, within quantisation
        data, _ = sf.read(str(out), dtype="float32", always_2d=True)
        expected = program if channels == 2 else program.mean(axis=1, keepdims=True)
        assert np.max(np.abs(data - expected)) <= 2.0 ** -(depth - 1) * 1.01


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("rate", [44_100, 48_000])
@pytest.mark.parametrize("bitrate", [128_000, 192_000, 320_000])
def test_mp3_decodes_to_the_edl_length(
    tmp_path: Path, sources: dict[int, Path], channels: int, rate: int, bitrate: int
) -> None:
    edl = cut_edl(sources[channels], SECONDS)
    out = tmp_path / "out.mp3"
    result = export(
        edl,
        out,
        ExportOptions("mp3", bitrate=bitrate, sample_rate=rate, channels=channels, loudness=None),
    )
    decoded, decoded_rate = decode(out)
    _, frames = _program(sources[channels])
    assert decoded_rate == rate
    assert decoded.shape == (resampled_length(frames, RATE, rate), channels)
    assert result.frames == decoded.shape[0]
    with av.open(str(out)) as container:
        assert container.streams.audio[0].codec_context.bit_rate == bitrate


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("rate", [44_100, 48_000])
def test_m4a_declares_the_edl_length(
    tmp_path: Path, sources: dict[int, Path], channels: int, rate: int
) -> None:
    edl = cut_edl(sources[channels], SECONDS)
    out = tmp_path / "out.m4a"
    result = export(
        edl, out, ExportOptions("m4a", bitrate=128_000, sample_rate=rate, channels=channels)
    )
    _, frames = _program(sources[channels])
    expected = resampled_length(frames, RATE, rate)
    with av.open(str(out)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        assert stream.codec_context.channels == channels
        assert stream.duration is not None and stream.time_base is not None
        assert round(stream.duration * stream.time_base * rate) == expected == result.frames
    decoded, _ = decode(out)
    # the priming is trimmed by the edit list; FFmpeg leaves the last frame's padding
    assert expected <= decoded.shape[0] < expected + 1024


def _mp3_error(out: Path, program: np.ndarray) -> np.ndarray:
    decoded, _ = decode(out)
    assert decoded.shape == program.shape
    return decoded - program


def test_parallel_mp3_spans_join_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Spans encoded on separate threads join without a click and without changing length."""
    monkeypatch.setattr(mp3_module, "MIN_SPAN_SECONDS", 1)
    program = speechlike(8.0, 2)
    single, split = tmp_path / "single.mp3", tmp_path / "split.mp3"
    export(ArrayReader(program), single, ExportOptions("mp3", loudness=None, threads=1))
    reader = ArrayReader(program)
    export(reader, split, ExportOptions("mp3", loudness=None, threads=3))
    assert reader.clones == 2  # two helper spans, each on its own reader
    spans = mp3_module.plan_spans(len(program), 3, RATE)
    assert len(spans) == 3
    err_single = _mp3_error(single, program)
    err_split = _mp3_error(split, program)
    window = RATE // 50

    def rms(e: np.ndarray, at: int) -> float:
        return float(np.sqrt(np.mean(e[at - window : at + window] ** 2)))

    typical = np.median([rms(err_split, i) for i in range(window, len(program) - window, window)])
    for span in spans[1:]:
        # at the join, coding error is like anywhere else (a click would be far above it)
        assert rms(err_split, span.first) < 4 * typical + 1e-4
        assert rms(err_split, span.first) < 4 * rms(err_single, span.first) + 1e-3


def test_a_spool_that_cannot_be_created_leaves_nothing_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The muxer and the spools made before the failing one are closed and removed."""
    made = 0
    real_spool = mp3_module._Spool
    closed: list[object] = []
    real_close = mp3_module._Muxer.close

    def spool(folder: Path) -> object:
        nonlocal made
        made += 1
        if made == 2:
            raise OSError(28, "No space left on device")
        return real_spool(folder)

    def close(self: mp3_module._Muxer) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(mp3_module, "_Spool", spool)
    monkeypatch.setattr(mp3_module._Muxer, "close", close)
    out = tmp_path / "out.mp3"
    with pytest.raises(OSError, match="No space"):
        mp3_module.encode_mp3(out, lambda a, b: [], RATE * 200, RATE, 1, 128_000, 3, print, bool)
    assert len(closed) == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".wordcut-mp3.")]


def test_pyav_fallback_encoder_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORDCUT_MP3_ENCODER", "pyav")
    system_lame.cache_clear()
    try:
        assert system_lame() is None
        program = speechlike(3.0, 2)
        out = tmp_path / "fallback.mp3"
        export(ArrayReader(program), out, ExportOptions("mp3", loudness=None))
        decoded, _ = decode(out)
        assert decoded.shape == program.shape
    finally:
        monkeypatch.delenv("WORDCUT_MP3_ENCODER")
        system_lame.cache_clear()


@pytest.mark.parametrize("block", [1, 64, 1151, 1152, 1153, 8193])
def test_odd_block_sizes_do_not_change_length(tmp_path: Path, block: int) -> None:
    """The encoders re-chunk whatever the reader hands them into whole codec frames."""
    from render.export.mp3 import BlockSource, encode_mp3
    from render.export.program import Shaper

    program = ArrayReader(speechlike(0.5, 2))

    def source(start: int, end: int) -> BlockSource:
        return Shaper(2).blocks(program, start, end, lambda: False, block)  # type: ignore[return-value]

    out = tmp_path / "odd.mp3"
    encode_mp3(out, source, program.frames, RATE, 2, 192_000, 1, lambda d: None, lambda: False)
    decoded, _ = decode(out)
    assert decoded.shape[0] == program.frames


def test_channel_folding(tmp_path: Path) -> None:
    left = np.full((4800, 1), 0.5, np.float32)
    stereo = np.concatenate([left, -left * 0.5], axis=1)
    out = tmp_path / "mono.wav"
    export(ArrayReader(stereo), out, ExportOptions("wav", channels=1, loudness=None, bit_depth=24))
    data, _ = sf.read(str(out), dtype="float32", always_2d=True)
    assert data.shape == (4800, 1)
    assert np.allclose(data, 0.125, atol=1e-6)  # mean of the channels
    out2 = tmp_path / "stereo.wav"
    export(ArrayReader(left), out2, ExportOptions("wav", channels=2, loudness=None, bit_depth=24))
    data2, _ = sf.read(str(out2), dtype="float32", always_2d=True)
    assert data2.shape == (4800, 2) and np.allclose(data2, 0.5, atol=1e-6)


def test_loud_samples_are_clipped_once_not_wrapped(tmp_path: Path) -> None:
    hot = np.full((4800, 2), 1.7, np.float32)
    out = tmp_path / "hot.wav"
    export(ArrayReader(hot), out, ExportOptions("wav", loudness=None))
    data, _ = sf.read(str(out), dtype="float32")
    assert data.min() > 0.99


def test_parallel_mp3_with_resampling_matches_one_encoder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 44.1 kHz MP3 of a 48 kHz program: spans resampled on their own line up exactly."""
    monkeypatch.setattr(mp3_module, "MIN_SPAN_SECONDS", 1)
    program = speechlike(9.0, 2)
    single, split = tmp_path / "single.mp3", tmp_path / "split.mp3"
    options = {"sample_rate": 44_100, "loudness": None}
    export(ArrayReader(program), single, ExportOptions("mp3", threads=1, **options))
    reader = ArrayReader(program)
    export(reader, split, ExportOptions("mp3", threads=3, **options))
    assert reader.clones == 2
    one, rate = decode(single)
    many, _ = decode(split)
    assert rate == 44_100
    assert one.shape == many.shape == (resampled_length(len(program), RATE, 44_100), 2)
    diff = many - one
    window = 44_100 // 50

    def rms(x: np.ndarray, at: int) -> float:
        return float(np.sqrt(np.mean(x[at - window : at + window] ** 2)))

    typical = np.median([rms(one, i) for i in range(window, len(one) - window, window)])
    grid = 1152 * 147 // 3
    spans = mp3_module.plan_spans(len(one), 3, 44_100, grid)
    assert len(spans) == 3 and all(s.read_start % grid == 0 for s in spans)
    for span in spans[1:]:
        # the two encodes differ only by coding noise, at the joins as anywhere (a misaligned
        # span would differ by the signal itself)
        assert rms(diff, span.first) < 0.2 * typical
    assert float(np.sqrt(np.mean(diff**2))) < 0.2 * typical


@settings(deadline=None, max_examples=25)
@given(st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=40))
def test_frame_splitter_reassembles_any_chunking(cuts: list[int]) -> None:
    """LAME hands back bytes in arbitrary amounts; whole frames come out, in order, intact."""
    stream = _MP3_BYTES
    buffer = bytearray()
    frames: list[bytes] = []
    pos = 0
    for size in cuts:
        buffer += stream[pos : pos + size]
        pos += size
        frames += split_frames(buffer)
    buffer += stream[pos:]
    frames += split_frames(buffer)
    assert not buffer
    assert b"".join(frames) == stream
    assert all(len(f) in (417, 418) for f in frames)  # 128k at 44.1 kHz, padding bit varies


def _mp3_stream() -> bytes:
    encoder = open_encoder(44_100, 2, 128_000, reservoir=True)
    try:
        frames = encoder.encode(speechlike(1.0, 2, rate=44_100)) + encoder.flush()
    finally:
        encoder.close()
    return b"".join(frames)


_MP3_BYTES = _mp3_stream()
