"""``render.media`` cache reading: random access semantics, threads, and refusing bad caches."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from render.errors import MediaError
from render.media import CachedMedia, Peaks, import_media, open_cache
from render.sources import AudioSource

FRAMES = 30_011  # not a multiple of any bin or block size


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """A stereo 48 kHz 16-bit WAV of noise and its cache folder; returns (folder, samples)."""
    folder = tmp_path_factory.mktemp("cache")
    rng = np.random.default_rng(7)
    ints = rng.integers(-20000, 20000, size=(FRAMES, 2), dtype=np.int16)
    sf.write(folder / "in.wav", ints, 48000, subtype="PCM_16")
    import_media(folder / "in.wav", folder / "track").close()
    return folder / "track", ints.astype(np.float32) / 32768


def _expected(samples: np.ndarray, start: int, count: int) -> np.ndarray:
    """Zero padding either side, then the wanted window of it."""
    pad = np.zeros((count, samples.shape[1]), np.float32)
    padded = np.concatenate([pad, samples, pad])
    lo = min(max(start + count, 0), len(samples) + count)
    return padded[lo : lo + count] if start >= -count else pad


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.integers(-FRAMES // 2, FRAMES + 1000),
    count=st.sampled_from([0, 1, 64, 65, 255, 256, 257, 8192, 8193]) | st.integers(0, 2 * FRAMES),
)
def test_read_any_span_zero_filled_outside(
    imported: tuple[Path, np.ndarray], start: int, count: int
) -> None:
    folder, samples = imported
    with open_cache(folder) as cache:
        got = cache.read(start, count)
    assert got.dtype == np.float32 and got.shape == (count, 2)
    np.testing.assert_array_equal(got, _expected(samples, start, count))


def test_reads_are_copies_and_thread_safe(imported: tuple[Path, np.ndarray]) -> None:
    folder, samples = imported
    errors: list[str] = []
    with open_cache(folder) as cache:
        first = cache.read(100, 10)
        first[:] = 9.0  # writing into a result must not touch the cache
        np.testing.assert_array_equal(cache.read(100, 10), samples[100:110])

        def reader(seed: int) -> None:
            rng = np.random.default_rng(seed)
            for _ in range(200):
                start = int(rng.integers(-500, FRAMES))
                count = int(rng.integers(0, 3000))
                if not np.array_equal(cache.read(start, count), _expected(samples, start, count)):
                    errors.append(f"{start}+{count}")

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []


def test_metadata_and_protocol(imported: tuple[Path, np.ndarray]) -> None:
    folder, _ = imported
    cache = open_cache(folder)
    source: AudioSource = cache  # the reader's protocol, checked by mypy and here by shape
    assert (source.sample_rate, source.channels, source.frames) == (48000, 2, FRAMES)
    assert cache.duration == pytest.approx(FRAMES / 48000)
    assert cache.info.to_dict()["frames"] == FRAMES
    assert "30011 frames" in repr(cache)
    cache.close()
    with pytest.raises(MediaError, match="closed"):
        cache.read(0, 1)
    cache.close()  # closing twice is harmless


def test_read_rejects_negative_count(imported: tuple[Path, np.ndarray]) -> None:
    with open_cache(imported[0]) as cache, pytest.raises(ValueError):
        cache.read(0, -1)


def _copy(folder: Path, dest: Path) -> Path:
    dest.mkdir()
    for f in folder.iterdir():
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as f:
        f.truncate(size)


def _edit_meta(folder: Path, **changes: object) -> None:
    meta = json.loads((folder / "meta.json").read_text())
    meta.update(changes)
    (folder / "meta.json").write_text(json.dumps(meta))


BREAKAGES = {
    "missing folder": (lambda d: d.rename(d.with_name("gone")), "no media cache"),
    "no meta": (lambda d: (d / "meta.json").unlink(), "meta.json is missing"),
    "meta not json": (lambda d: (d / "meta.json").write_text("{oops"), "not JSON"),
    "other json": (lambda d: (d / "meta.json").write_text("[1, 2]"), "not a Wordcut"),
    "newer": (lambda d: _edit_meta(d, version=99), "newer Wordcut"),
    "fields": (lambda d: _edit_meta(d, frames="many"), "missing fields"),
    "no pcm": (lambda d: (d / "pcm.raw").unlink(), "pcm.raw is missing"),
    "short pcm": (lambda d: _truncate(d / "pcm.raw", 1000), "expected"),
    "no peaks": (lambda d: (d / "peaks.f32").unlink(), "peaks file is missing"),
    "short peaks": (lambda d: _truncate(d / "peaks.f32", 8), "peaks file has"),
}


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_open_cache_refuses_broken_caches(
    imported: tuple[Path, np.ndarray], tmp_path: Path, kind: str
) -> None:
    folder = _copy(imported[0], tmp_path / "track")
    breakage, words = BREAKAGES[kind]
    breakage(folder)
    with pytest.raises(MediaError, match=words) as caught:
        open_cache(folder)
    assert str(folder) in str(caught.value)


@pytest.mark.parametrize("name", ["pcm.raw", "peaks.f32"])
def test_an_unreadable_cache_file_is_a_media_error_and_nothing_stays_mapped(
    imported: tuple[Path, np.ndarray], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    real_open = open
    closed: list[Peaks] = []
    real_close = Peaks.close

    def refuse(path: Path, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    def close(self: Peaks) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr("builtins.open", refuse)
    monkeypatch.setattr(Peaks, "close", close)
    with pytest.raises(MediaError, match=r"cannot read .*\(Permission denied\)") as caught:
        open_cache(imported[0])
    assert name in str(caught.value)
    assert len(closed) == (name == "pcm.raw")  # peaks mapped before the PCM failed are released


def test_context_manager_closes(imported: tuple[Path, np.ndarray]) -> None:
    with open_cache(imported[0]) as cache:
        assert isinstance(cache, CachedMedia)
    with pytest.raises(MediaError):
        cache.read(0, 1)


def test_the_program_reader_reads_a_cache_like_the_file(tmp_path: Path) -> None:
    """CachedMedia as ``render.reader``'s source gives the very program the file gives."""
    from render.edl import Edl, EdlTrack, SourceRange
    from render.reader import EdlReader

    rng = np.random.default_rng(11)
    ints = rng.integers(-9000, 9000, size=(48000 * 2, 2), dtype=np.int16)
    src = tmp_path / "host.wav"
    sf.write(src, ints, 48000, subtype="PCM_16")
    edl = Edl(
        sample_rate=48000,
        tracks=(EdlTrack(path=src),),
        segments=(SourceRange(0.1, 0.5), SourceRange(0.8, 1.9)),
    )
    caches: list[CachedMedia] = []

    def from_cache(path: Path, rate: int) -> CachedMedia:
        caches.append(import_media(path, tmp_path / "cache" / path.stem, sample_rate=rate))
        return caches[-1]

    plain, cached = EdlReader(edl), EdlReader(edl, from_cache)
    try:
        assert cached.frames == plain.frames > 0
        np.testing.assert_array_equal(cached.read(0, cached.frames), plain.read(0, plain.frames))
    finally:
        plain.close()
        cached.close()
    assert len(caches) == 1
