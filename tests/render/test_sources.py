"""``render.sources``: exact random access to PCM at the project rate, and clear media errors.

The reference for every decoded file is an independent plain PyAV loop (decode every frame,
resample with a fresh ``av.AudioResampler``, flush) — what "a full sequential decode" means.
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from render.errors import MediaError
from render.sources import DecodingSource, SoundFileSource, open_source

F32 = npt.NDArray[np.float32]
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
SONNET = SHARED / "speech" / "sonnets" / "sonnet_p001.mp3"


def speechy(seconds: float, rate: int, channels: int, seed: int = 0) -> F32:
    """Harmonics with a wandering pitch under a syllable-rate envelope, plus a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * rate)) / rate
    f0 = 140 + 40 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 8))
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    mono = 0.25 * env * voice + 0.01 * rng.standard_normal(len(t))
    cols = [np.roll(mono, 37 * c) for c in range(channels)]
    return np.stack(cols, axis=1).astype(np.float32)


def encode(path: Path, data: F32, rate: int, codec: str, bit_rate: int = 128_000) -> Path:
    """Write ``data`` (frames, channels) with PyAV's ``codec`` into ``path``."""
    layout = "mono" if data.shape[1] == 1 else "stereo"
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        if codec not in ("flac", "pcm_s16le"):
            stream.bit_rate = bit_rate
        if codec == "aac":
            # FFmpeg's AAC encoder uses perceptual noise substitution, whose decoder draws noise
            # from a generator that carries state across frames: such bands can never match a
            # sequential decode after a seek. Positions still can, which is what we test.
            stream.codec_context.options = {"aac_pns": "0"}
        fmt = stream.codec_context.codec.audio_formats[0].name
        step = stream.codec_context.frame_size or 1024
        resampler = av.AudioResampler(format=fmt, layout=layout, rate=rate)
        pts = 0
        for i in range(0, len(data), step):
            chunk = np.ascontiguousarray(data[i : i + step].T)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = rate
            frame.pts = pts
            frame.time_base = Fraction(1, rate)
            pts += chunk.shape[1]
            for r in resampler.resample(frame):
                out.mux(stream.encode(r))
        out.mux(stream.encode(None))
    return path


def sequential_decode(path: Path, rate: int) -> F32:
    """The reference: decode everything in order, resample, flush."""
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        channels = stream.channels
        resampler = av.AudioResampler(format="flt", layout=stream.layout.name, rate=rate)
        blocks = [np.zeros((0, channels), np.float32)]
        for frame in c.decode(stream):
            blocks += [o.to_ndarray().reshape(-1, channels) for o in resampler.resample(frame)]
        blocks += [o.to_ndarray().reshape(-1, channels) for o in resampler.resample(None)]
    return np.concatenate(blocks)


def reference_slice(full: F32, start: int, count: int) -> F32:
    out = np.zeros((count, full.shape[1]), np.float32)
    lo, hi = max(start, 0), min(start + count, len(full))
    if lo < hi:
        out[lo - start : hi - start] = full[lo:hi]
    return out


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    signal = speechy(4.0, 44100, 2)
    encode(folder / "speech.mp3", signal, 44100, "libmp3lame")
    encode(folder / "speech.m4a", signal, 44100, "aac")
    encode(folder / "speech.opus", speechy(4.0, 48000, 1), 48000, "libopus")
    sf.write(folder / "speech44.wav", signal, 44100, subtype="FLOAT")
    sf.write(folder / "speech48.flac", speechy(2.0, 48000, 2), 48000, subtype="PCM_24")
    return folder


# --- choosing a source -------------------------------------------------------------------------


def test_wav_and_flac_at_the_project_rate_use_soundfile(media: Path) -> None:
    src = open_source(media / "speech48.flac", 48000)
    try:
        assert isinstance(src, SoundFileSource)
        expected, _ = sf.read(media / "speech48.flac", dtype="float32", always_2d=True)
        assert (src.frames, src.channels, src.sample_rate) == (len(expected), 2, 48000)
        np.testing.assert_array_equal(src.read(1000, 333), expected[1000:1333])
    finally:
        src.close()


def test_other_rates_and_codecs_decode(media: Path) -> None:
    for name in ("speech44.wav", "speech.mp3"):
        src = open_source(media / name, 48000)
        try:
            assert isinstance(src, DecodingSource)
            assert src.frames == len(sequential_decode(media / name, 48000))
        finally:
            src.close()


def test_reads_outside_the_file_are_silence(media: Path) -> None:
    for name in ("speech48.flac", "speech.mp3"):
        src = open_source(media / name, 48000)
        try:
            inside = src.read(0, 10)
            block = src.read(-5, 15)
            assert block.shape == (15, 2) and block.dtype == np.float32
            assert not block[:5].any()
            np.testing.assert_array_equal(block[5:], inside)
            tail = src.read(src.frames - 3, 10)
            assert tail[:3].any() and not tail[3:].any()
            assert not src.read(src.frames + 100, 50).any()
            assert src.read(7, 0).shape == (0, 2)
        finally:
            src.close()


# --- sample accuracy of the decoding source ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rate"),
    [
        ("speech.mp3", 48000),
        ("speech.mp3", 44100),
        ("speech.m4a", 48000),
        ("speech.opus", 48000),
        ("speech.opus", 16000),
        ("speech44.wav", 48000),
    ],
)
def test_random_reads_match_a_sequential_decode(media: Path, name: str, rate: int) -> None:
    full = sequential_decode(media / name, rate)
    src = open_source(media / name, rate)
    try:
        assert src.frames == len(full)
        rng = random.Random(name + str(rate))
        for _ in range(60):
            start = rng.randrange(-100, len(full) + 100)
            count = rng.choice([1, 7, 1152, 4096, 30000])
            got = src.read(start, count)
            np.testing.assert_allclose(got, reference_slice(full, start, count), atol=1e-6)
    finally:
        src.close()


@pytest.fixture(scope="module")
def mp3_reference(media: Path) -> tuple[DecodingSource, F32]:
    src = DecodingSource(media / "speech.mp3", 48000)
    return src, sequential_decode(media / "speech.mp3", 48000)


@settings(max_examples=60, deadline=None)
@given(reads=st.lists(st.tuples(st.integers(-2000, 200_000), st.integers(0, 20_000)), max_size=6))
def test_any_read_sequence_matches(
    mp3_reference: tuple[DecodingSource, F32], reads: list[tuple[int, int]]
) -> None:
    """Forwards, backwards, far jumps, tiny reads: the decoder's state never shows through."""
    src, full = mp3_reference
    for start, count in reads:
        np.testing.assert_allclose(
            src.read(start, count), reference_slice(full, start, count), atol=1e-6
        )


@pytest.mark.skipif(not SONNET.exists(), reason=f"shared speech data not present at {SONNET}")
def test_real_mp3_random_positions_match_a_sequential_decode() -> None:
    full = sequential_decode(SONNET, 48000)
    with pytest.raises(ValueError):
        DecodingSource(SONNET, 48000).read(0, -1)
    src = open_source(SONNET, 48000)
    try:
        assert src.frames == len(full) and src.channels == full.shape[1]
        rng = random.Random(1)
        for _ in range(40):
            start = rng.randrange(0, len(full))
            count = rng.choice([1, 64, 65, 8192, 8193])
            np.testing.assert_allclose(
                src.read(start, count), reference_slice(full, start, count), atol=1e-6
            )
        reopened = open_source(SONNET, 48000)  # the length scan is remembered, not redone wrong
        assert reopened.frames == src.frames
        reopened.close()
    finally:
        src.close()


# --- bad files ---------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="no such file") as info:
        open_source(tmp_path / "gone.wav", 48000)
    assert info.value.path == tmp_path / "gone.wav"
    assert "gone.wav" in str(info.value)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp3").write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        open_source(tmp_path / "empty.mp3", 48000)


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="not a file"):
        open_source(tmp_path, 48000)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.wav", b"these are my show notes, not audio\n" * 20),
        ("noise.mp3", bytes(random.Random(3).randrange(256) for _ in range(5000))),
    ],
)
def test_non_audio_files(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(MediaError) as info:
        open_source(tmp_path / name, 48000)
    assert name in str(info.value)


def test_wav_without_samples(tmp_path: Path) -> None:
    sf.write(tmp_path / "silent.wav", np.zeros((0, 1), np.float32), 48000)
    with pytest.raises(MediaError, match="no audio samples"):
        open_source(tmp_path / "silent.wav", 48000)


def test_truncated_mp3_is_refused_naming_the_problem(media: Path, tmp_path: Path) -> None:
    """A cut-off download holds less than its header declares: refused, not half-rendered."""
    whole = (media / "speech.mp3").read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MediaError, match=r"cut\.mp3: file looks truncated: it holds"):
        open_source(cut, 48000)


def quiet_then_loud_aac(path: Path) -> Path:
    """ADTS AAC states no length; FFmpeg guesses one from the quiet start's low bit rate, far
    longer than the file: a guess, not a header's statement, so no sign of truncation."""
    rng = np.random.default_rng(1)
    loud = (0.5 * rng.standard_normal((48000 * 9, 1))).astype(np.float32)
    return encode(path, np.concatenate([np.zeros((48000 * 3, 1), np.float32), loud]), 48000, "aac")


def test_a_length_guessed_from_the_bit_rate_is_not_taken_for_truncation(tmp_path: Path) -> None:
    path = quiet_then_loud_aac(tmp_path / "vbr.aac")
    src = open_source(path, 48000)
    try:
        assert src.frames >= 12 * 48000
    finally:
        src.close()
