"""``render.media.import_media``: every format round-trips, reuse, cancel, progress, bad input.

Test files are encoded here with real PyAV encoders from synthetic tones (a different frequency
per channel, so a swapped or mixed channel shows), then imported through real PyAV decoding.
"""

from __future__ import annotations

import hashlib
import os
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from render.errors import Cancelled, MediaError
from render.media import import_media, open_cache, probe
from render.media.importer import BLOCK_FRAMES
from tests.render.test_sources import quiet_then_loud_aac

F32 = npt.NDArray[np.float32]
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
FREQS = (440.0, 660.0)

# extension -> (encoder, encoder options, lossless)
FORMATS: dict[str, tuple[str, dict[str, str], bool]] = {
    "wav": ("pcm_s16le", {}, True),
    "flac": ("flac", {}, True),
    "mp3": ("libmp3lame", {}, False),
    "m4a": ("aac", {}, False),
    "ogg": ("vorbis", {"strict": "-2"}, False),  # FFmpeg's own Vorbis encoder: stereo only
    "opus": ("libopus", {}, False),
}


def tone(seconds: float, rate: int, channels: int, amp: float = 0.5) -> F32:
    """A sine per channel (440 Hz left, 660 Hz right), ``(frames, channels)`` float32."""
    t = np.arange(round(seconds * rate)) / rate
    cols = [amp * np.sin(2 * np.pi * FREQS[c] * t) for c in range(channels)]
    return np.stack(cols, axis=1).astype(np.float32)


def encode(path: Path, data: F32, rate: int) -> Path:
    """Encode ``data`` into ``path`` with the encoder its extension names in FORMATS."""
    codec, options, _ = FORMATS[path.suffix[1:]]
    layout = "mono" if data.shape[1] == 1 else "stereo"
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        stream.codec_context.options = dict(options)
        fmt = stream.codec_context.codec.audio_formats[0].name
        size = stream.codec_context.frame_size or 1024
        resampler = av.AudioResampler(format=fmt, layout=layout, rate=rate, frame_size=size)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(data.T), format="fltp", layout=layout
        )
        frame.sample_rate = rate
        frame.pts = 0
        frame.time_base = Fraction(1, rate)
        for chunk in resampler.resample(frame) + resampler.resample(None):
            out.mux(stream.encode(chunk))
        out.mux(stream.encode(None))
    return path


def write_wav(path: Path, data: F32, rate: int, subtype: str = "PCM_16") -> Path:
    sf.write(path, data, rate, subtype=subtype)
    return path


def dominant_hz(x: F32, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


CASES = [
    (ext, channels, rate)
    for ext in FORMATS
    for channels in (1, 2)
    for rate in (16000, 44100, 48000)
    if not (ext == "ogg" and channels == 1) and not (ext == "opus" and rate == 44100)
]


@pytest.mark.parametrize(("ext", "channels", "rate"), CASES)
def test_every_format_round_trips(tmp_path: Path, ext: str, channels: int, rate: int) -> None:
    src = encode(tmp_path / f"in.{ext}", tone(1.0, rate, channels), rate)
    with import_media(src, tmp_path / "cache") as cache:
        info = cache.info
        assert (info.channels, info.path, info.size) == (channels, src, src.stat().st_size)
        assert info.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
        assert (cache.sample_rate, cache.channels) == (48000, channels)
        lossless = FORMATS[ext][2]
        # Opus always decodes at 48 kHz, whatever rate went into the encoder.
        assert info.sample_rate == (48000 if ext == "opus" else rate)
        assert info.frames is not None
        assert cache.frames == pytest.approx(info.frames * 48000 / info.sample_rate, abs=1)
        # Lossless: exactly the samples written. Lossy: the encoder may pad the end by up to
        # two codec frames (AAC's trailing frame is not trimmed by an MP4 edit list).
        slack = 0 if lossless else 2 * 1152 * 48000 // rate
        assert 48000 - 1 <= cache.frames <= 48000 + slack
        middle = cache.read(12000, 24000)
        for c in range(channels):
            assert dominant_hz(middle[:, c], 48000) == pytest.approx(FREQS[c], abs=3)
            rms = float(np.sqrt(np.mean(middle[:, c] ** 2)))
            assert 20 * np.log10(rms / (0.5 / np.sqrt(2))) == pytest.approx(0, abs=0.6)


@pytest.mark.parametrize("ext", ["wav", "flac"])
def test_lossless_at_project_rate_is_sample_exact(tmp_path: Path, ext: str) -> None:
    data = tone(0.7, 48000, 2)
    expected = np.round(data * 32767).astype(np.int16)
    if ext == "wav":
        src = write_wav(tmp_path / "in.wav", expected.astype(np.float32) / 32768, 48000)
    else:
        src = encode(tmp_path / "in.flac", expected.astype(np.float32) / 32768, 48000)
    with import_media(src, tmp_path / "cache") as cache:
        assert cache.stored_dtype == np.dtype("<i2")
        got = cache.read(0, cache.frames)
    np.testing.assert_array_equal(got * 32768, expected.astype(np.float32))


def test_deep_sources_keep_float_precision(tmp_path: Path) -> None:
    data = tone(0.5, 48000, 1, amp=1e-4)  # far below one 16-bit step on the high harmonics
    src = write_wav(tmp_path / "in.wav", data, 48000, subtype="FLOAT")
    with import_media(src, tmp_path / "cache") as cache:
        assert cache.stored_dtype == np.dtype("<f4")
        np.testing.assert_array_equal(cache.read(0, cache.frames), data)
    with import_media(src, tmp_path / "c16", sample_format="s16") as cache:
        assert cache.stored_dtype == np.dtype("<i2")


def test_more_than_two_channels_are_downmixed_to_stereo(tmp_path: Path) -> None:
    t = np.arange(48000) / 48000
    data = np.zeros((48000, 6), np.float32)
    data[:, 0] = 0.5 * np.sin(2 * np.pi * 440 * t)  # front left only
    src = write_wav(tmp_path / "surround.wav", data, 48000)
    with import_media(src, tmp_path / "cache") as cache:
        assert (cache.info.channels, cache.channels) == (6, 2)
        out = cache.read(0, cache.frames)
    left, right = np.abs(out[:, 0]).max(), np.abs(out[:, 1]).max()
    assert left > 0.2 and right < 0.01 * left


@pytest.mark.parametrize("second", [(22050, 2), (22050, 1)])
def test_a_stream_that_changes_rate_or_channels_midway(
    tmp_path: Path, second: tuple[int, int]
) -> None:
    first = encode(tmp_path / "a.mp3", tone(1.0, 44100, 2), 44100)
    rate, channels = second
    other = encode(tmp_path / "b.mp3", tone(1.0, rate, channels), rate)
    joined = tmp_path / "joined.mp3"  # what naive "cat a.mp3 b.mp3" tools produce
    joined.write_bytes(first.read_bytes() + other.read_bytes())
    with import_media(joined, tmp_path / "cache") as cache:
        assert cache.channels == probe(joined).channels
        assert cache.duration == pytest.approx(2.0, abs=0.15)
        late = cache.read(round(1.5 * 48000), 12000)
        assert dominant_hz(late[:, 0], 48000) == pytest.approx(440, abs=5)


def test_a_matching_cache_is_reused_without_decoding(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "in.wav", tone(1.0, 44100, 2), 44100)
    import_media(src, tmp_path / "cache").close()
    pcm = tmp_path / "cache" / "pcm.raw"
    before = pcm.stat().st_mtime_ns, pcm.stat().st_ino
    calls: list[tuple[int, int]] = []
    with import_media(src, tmp_path / "cache", progress=lambda d, t: calls.append((d, t))) as c:
        assert c.frames == 48000
    assert calls == []
    assert (pcm.stat().st_mtime_ns, pcm.stat().st_ino) == before
    moved = src.rename(tmp_path / "renamed.wav")
    with import_media(moved, tmp_path / "cache") as cache:
        assert cache.info.path == moved
    assert (pcm.stat().st_mtime_ns, pcm.stat().st_ino) == before


def test_a_different_rate_or_source_rebuilds_the_cache(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "in.wav", tone(1.0, 44100, 1), 44100)
    import_media(src, tmp_path / "cache").close()
    with import_media(src, tmp_path / "cache", sample_rate=44100) as cache:
        assert (cache.sample_rate, cache.frames) == (44100, 44100)
    write_wav(src, tone(1.0, 44100, 1, amp=0.25), 44100)  # same size, other content
    with import_media(src, tmp_path / "cache", sample_rate=44100) as cache:
        assert cache.info.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
        assert np.abs(cache.read(0, cache.frames)).max() == pytest.approx(0.25, abs=1e-3)


def test_a_broken_cache_is_rebuilt(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "in.wav", tone(0.5, 48000, 1), 48000)
    import_media(src, tmp_path / "cache").close()
    with open(tmp_path / "cache" / "pcm.raw", "r+b") as f:
        f.truncate(100)
    with import_media(src, tmp_path / "cache") as cache:
        assert cache.frames == 24000


def test_progress_is_monotonic_and_ends_complete(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "in.wav", tone(7.0, 48000, 2), 48000)
    calls: list[tuple[int, int]] = []
    with import_media(src, tmp_path / "cache", progress=lambda d, t: calls.append((d, t))) as c:
        frames = c.frames
    assert len(calls) >= 3
    done = [d for d, _ in calls]
    assert done == sorted(done) and all(d <= t for d, t in calls)
    assert calls[-1] == (frames, frames) == (7 * 48000, 7 * 48000)


@pytest.mark.parametrize("previous", [False, True])
def test_cancel_leaves_nothing_behind(tmp_path: Path, previous: bool) -> None:
    (tmp_path / "src").mkdir()
    src = write_wav(tmp_path / "src" / "in.wav", tone(8.0, 48000, 2), 48000)
    projects = tmp_path / "project"
    cache_dir = projects / "cache"
    if previous:
        old = write_wav(tmp_path / "src" / "old.wav", tone(0.5, 48000, 1), 48000)
        import_media(old, cache_dir).close()
    seen: list[int] = []
    with pytest.raises(Cancelled):
        import_media(
            src, cache_dir, progress=lambda d, t: seen.append(d), cancel=lambda: len(seen) >= 1
        )
    assert seen == [BLOCK_FRAMES]  # stopped at the first check, not at the end
    assert [t for t in threading.enumerate() if t.name.startswith("decode ")] == []
    if previous:
        assert leftovers(projects) == ["cache"]
        with open_cache(cache_dir) as cache:  # the old cache is untouched
            assert cache.frames == 24000 and cache.channels == 1
    else:
        assert leftovers(projects) == []


def test_cancel_before_start_decodes_nothing(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "in.wav", tone(0.5, 48000, 2), 48000)
    with pytest.raises(Cancelled):
        import_media(src, tmp_path / "out" / "cache", cancel=lambda: True)
    assert leftovers(tmp_path / "out") == []


def _png(path: Path) -> Path:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x00" * 6 + b"\x00" + b"\x00" * 6)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels))
    return path


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    mp3 = encode(tmp_path / "good.mp3", tone(2.0, 44100, 2), 44100)
    head = tmp_path / "head.mp3"
    head.write_bytes(mp3.read_bytes()[:300])  # the header survives, no audio does
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("These are my show notes, not audio.\n" * 20)
    folder = tmp_path / "folder.wav"
    folder.mkdir()
    return {
        "empty": (empty, "empty"),
        "truncated": (head, "too damaged"),
        "text": (text, "not a recognised"),
        "png": (_png(tmp_path / "cover.png"), "no audio stream"),
        "missing": (tmp_path / "nope.mp3", "not found"),
        "folder": (folder, "folder"),
    }


@pytest.mark.parametrize("kind", ["empty", "truncated", "text", "png", "missing", "folder"])
def test_bad_input_is_one_clear_error_and_writes_nothing(tmp_path: Path, kind: str) -> None:
    path, words = _bad_inputs(tmp_path)[kind]
    out = tmp_path / "project"
    with pytest.raises(MediaError) as caught:
        import_media(path, out / "cache")
    assert caught.value.path == path
    assert str(path) in str(caught.value) and words in caught.value.problem
    assert leftovers(out) == []
    with pytest.raises(MediaError):
        probe(path)


def test_a_truncated_mp3_imports_what_decodes_with_a_warning(tmp_path: Path) -> None:
    mp3 = encode(tmp_path / "full.mp3", tone(6.0, 48000, 2), 48000)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(mp3.read_bytes()[: mp3.stat().st_size // 2])
    with import_media(cut, tmp_path / "cache") as cache:
        assert 2.5 < cache.duration < 3.5
        assert cache.info.frames == cache.frames
        assert any("truncated" in w for w in cache.info.warnings)
    with pytest.raises(MediaError, match="truncated"):
        import_media(cut, tmp_path / "strict", strict=True)
    assert not (tmp_path / "strict").exists()


def test_a_folder_that_is_not_a_cache_is_never_replaced(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "in.wav", tone(0.2, 48000, 1), 48000)
    precious = tmp_path / "Documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(MediaError, match="not replacing"):
        import_media(src, precious)
    assert (precious / "thesis.txt").read_text() == "years of work"
    with pytest.raises(MediaError, match="not a cache folder"):
        import_media(src, precious / "thesis.txt")
    (tmp_path / "empty").mkdir()
    import_media(src, tmp_path / "empty").close()  # an empty folder is fine


@pytest.mark.parametrize("ext", ["mp3", "m4a"])
def test_garbage_mid_file_is_skipped_with_a_warning(tmp_path: Path, ext: str) -> None:
    src = encode(tmp_path / f"full.{ext}", tone(6.0, 48000, 2), 48000)
    data = bytearray(src.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 3000] = np.random.default_rng(0).bytes(3000)
    damaged = tmp_path / f"damaged.{ext}"
    damaged.write_bytes(bytes(data))
    with import_media(damaged, tmp_path / "cache") as cache:
        assert 5.5 < cache.duration <= 6.1
        assert any("damaged packets skipped, first at" in w for w in cache.info.warnings)
        late = cache.read(5 * 48000, 24000)
        assert dominant_hz(late[:, 1], 48000) == pytest.approx(660, abs=3)
    with pytest.raises(MediaError, match="damaged"):
        import_media(damaged, tmp_path / "strict", strict=True)


def test_an_unwritable_cache_location_is_a_media_error(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "in.wav", tone(0.2, 48000, 1), 48000)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(MediaError, match="cannot write"):
        import_media(src, blocker / "cache")
    assert blocker.read_text() == "x"


@pytest.mark.skipif(not (SHARED / "speech").is_dir(), reason="shared speech data not present")
def test_real_speech_mp3(tmp_path: Path) -> None:
    src = SHARED / "speech" / "sonnets" / "sonnet_p001.mp3"
    with import_media(src, tmp_path / "cache") as cache:
        assert (cache.info.codec, cache.info.sample_rate, cache.channels) == ("mp3", 44100, 2)
        assert cache.duration == pytest.approx(cache.info.duration, abs=1e-3)
        assert 50 < cache.duration < 56
        speech = cache.read(5 * 48000, 48000)
        assert 0.005 < float(np.sqrt(np.mean(speech**2))) < 0.5
    assert sorted(os.listdir(tmp_path / "cache")) == ["meta.json", "pcm.raw", "peaks.f32"]


def test_a_length_guessed_from_the_bit_rate_is_not_taken_for_truncation(tmp_path: Path) -> None:
    path = quiet_then_loud_aac(tmp_path / "vbr.aac")
    assert probe(path).warnings == ()
    with import_media(path, tmp_path / "cache", strict=True) as cache:
        assert cache.info.warnings == ()
