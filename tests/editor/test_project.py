"""Opening a project: tracks with missing media, locate by SHA-256, EDL cut points from caches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from editor.errors import MediaMismatch
from editor.project import locate_track, open_project
from editor.session import LocalSession
from editor.store import Store
from render.errors import MediaError
from render.media import import_media, sha256_file
from sync.model import TrackRef, Word
from sync.ops import AddTranscript, Delete

RATE = 48000


def _speech_like(path: Path) -> None:
    """Three one-second bursts of noise with silences between: 0-1 s, 1.5-2.5 s, 3.4-4.4 s."""
    rng = np.random.default_rng(7)
    x = np.zeros(5 * RATE, dtype=np.float32)
    for a in (0.0, 1.5, 3.4):
        x[int(a * RATE) : int((a + 1) * RATE)] = 0.3 * rng.standard_normal(RATE)
    x[int(3.0 * RATE)] = 0.0  # the quietest moment of the second gap is silence anyway
    sf.write(path, x, RATE)


@pytest.fixture
def project_with_track(store: Store, tmp_path: Path) -> tuple[str, Path]:
    media = tmp_path / "host.wav"
    _speech_like(media)
    p = store.create_project("Show")
    tid = "trk1"
    cache_dir = store.track_cache_dir(p.id, tid)
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    cached = import_media(media, cache_dir, sample_rate=RATE)
    store.add_track(
        p.id,
        track_id=tid,
        label="Ann",
        media_path=media,
        sha256=cached.info.sha256,
        cache_dir=cache_dir,
    )
    words = (
        Word("a", tid, "one", 0.05, 0.95),
        Word("b", tid, "two", 1.55, 2.45),
        Word("c", tid, "three", 3.45, 4.35),
    )
    LocalSession(store, p.id).submit(AddTranscript(TrackRef(tid, "Ann", 5.0), words))
    return p.id, media


def test_the_track_records_its_media_hash(
    project_with_track: tuple[str, Path], store: Store
) -> None:
    pid, media = project_with_track
    assert store.tracks(pid)[0].sha256 == sha256_file(media)


def test_edl_cuts_inside_the_silence(project_with_track: tuple[str, Path], store: Store) -> None:
    pid, _ = project_with_track
    project = open_project(store, pid)
    assert project.tracks[0].cache() is not None
    project.session.submit(Delete("b", "b"))
    edl = project.edl()
    ranges = [(s.start, s.end) for s in edl.segments]  # type: ignore[union-attr]
    assert len(ranges) == 2
    assert 1.0 <= ranges[0][1] <= 1.5  # the cut after "one" lies in the first gap
    assert 2.5 <= ranges[1][0] <= 3.4  # and resumes in the second gap
    words = project.caption_words(edl)
    assert [w.text for w in words] == ["one", "three"]
    assert words[1].start < 2.5  # program time: the cut closed the gap


def test_close_releases_the_track_caches(
    project_with_track: tuple[str, Path], store: Store
) -> None:
    pid, _ = project_with_track
    with open_project(store, pid) as project:
        cache = project.tracks[0].cache()
        assert cache is not None
    with pytest.raises(MediaError, match="closed"):
        cache.read(0, 1)


def test_missing_media_opens_and_locate_checks_the_hash(
    project_with_track: tuple[str, Path], store: Store, tmp_path: Path
) -> None:
    pid, media = project_with_track
    moved = tmp_path / "moved.wav"
    media.rename(moved)
    project = open_project(store, pid)
    assert [t.label for t in project.missing] == ["Ann"]
    hint = project.tracks[0].locate_hint(project.name)
    assert hint is not None and "wordcut locate" in hint and str(media) in hint
    assert len(project.document.words) == 3
    other = tmp_path / "other.wav"
    sf.write(other, np.zeros(100, dtype=np.float32), RATE)
    with pytest.raises(MediaMismatch):
        locate_track(store, pid, "Ann", other)
    assert locate_track(store, pid, "Ann", moved).media_path == moved.resolve()
    assert open_project(store, pid).missing == []
