"""The export service as the app will use it: prepare on the project's thread, run on a worker
with a progress callback and a cancel flag; and what it refuses before any audio is read."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from editor.errors import MissingMedia
from editor.export_service import ExportJob, export_project, prepare_export
from editor.project import OpenProject, open_project
from editor.store import Store
from editor.transcribe.words import TimedWord
from render.chapters import load_chapters
from render.errors import Cancelled, EdlError, ExportError, WriteError
from render.export import ExportOptions
from sync.ops import MergeSection, SplitSection

RATE = 48000


@pytest.fixture
def project(store: Store, tmp_path: Path) -> OpenProject:
    """Twenty seconds of one track, 38 words, sections "Episode" and "Part two" at word 20."""
    media = tmp_path / "media" / "ann.wav"
    media.parent.mkdir()
    t = np.arange(20 * RATE) / RATE
    sf.write(media, (0.2 * np.sin(2 * np.pi * 200 * t)).astype(np.float32), RATE)
    p = store.create_project("Ep")
    store.add_track(p.id, label="Ann", media_path=media, sha256="x", metadata={"duration": 20.0})
    opened = open_project(store, "Ep")
    words = [TimedWord(f"w{i}", i * 0.5, i * 0.5 + 0.4) for i in range(38)]
    opened.submit_words(opened.track("Ann"), words)
    opened.session.submit(SplitSection(opened.document.words[20].id, "Part two", "s2"))
    return opened


def _statuses(store: Store) -> list[str]:
    return [r.status for r in store.renders(store.project("Ep").id)]


def test_export_on_a_worker_thread_with_progress(
    project: OpenProject, store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "episode.wav"
    out.parent.mkdir()
    job = prepare_export(project, out, ExportOptions.for_path(out, loudness=None))
    assert isinstance(job, ExportJob) and job.doc_version == project.session.version
    seen: list[tuple[int, int]] = []
    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.append(job.run(lambda d, t: seen.append((d, t))))
    )
    worker.start()
    worker.join(timeout=120)
    (done,) = results
    assert done.result.path == out.resolve() and sf.info(out).frames == done.result.frames
    assert (
        seen
        and seen[-1][0] == seen[-1][1]
        and all(a <= b for (a, _), (b, _) in itertools.pairwise(seen))
    )
    assert [c.title for c in done.chapters] == ["Episode", "Part two"]
    assert done.chapters_path == out.resolve().with_suffix(".chapters.json")
    assert load_chapters(done.chapters_path) == [
        type(c)(c.title, c.start_seconds) for c in done.chapters
    ]
    assert _statuses(store) == ["completed"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["episode.chapters.json", "episode.wav"]


def test_cancel_from_another_thread_leaves_nothing(
    project: OpenProject, store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "episode.mp3"
    stop = threading.Event()
    raised: list[BaseException] = []

    def progress(done: int, total: int) -> None:
        if done >= total // 3:
            stop.set()  # as a Cancel button would, from the GUI thread

    def run() -> None:
        try:
            export_project(project, out, None, progress, stop.is_set)
        except BaseException as exc:
            raised.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=120)
    assert len(raised) == 1 and isinstance(raised[0], Cancelled)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["media"]
    assert _statuses(store) == ["cancelled"]


def test_what_is_refused_before_any_audio_is_read(
    project: OpenProject, store: Store, tmp_path: Path
) -> None:
    with pytest.raises(WriteError, match="does not exist"):
        prepare_export(project, tmp_path / "nowhere" / "x.mp3")
    (tmp_path / "folder.wav").mkdir()
    with pytest.raises(WriteError, match="is a folder"):
        prepare_export(project, tmp_path / "folder.wav")
    with pytest.raises(ExportError, match="cannot tell the format"):
        prepare_export(project, tmp_path / "x.ogg")
    with pytest.raises(EdlError, match="crossfade_ms"):
        prepare_export(project, tmp_path / "x.wav", crossfade_ms=5000)
    recording = tmp_path / "media" / "ann.wav"
    before = recording.read_bytes()
    with pytest.raises(WriteError, match="own sources"):
        prepare_export(project, recording)
    (tmp_path / "link.wav").symlink_to(recording)
    with pytest.raises(WriteError, match="own sources"):
        prepare_export(project, tmp_path / "link.wav")
    assert recording.read_bytes() == before
    (tmp_path / "media" / "ann.wav").rename(tmp_path / "moved.wav")
    with project as p, open_project(store, "Ep") as reopened:
        assert p.missing == [] and reopened.missing
        with pytest.raises(MissingMedia, match="wordcut locate"):
            prepare_export(reopened, tmp_path / "x.wav")
    assert _statuses(store) == []
    assert not (tmp_path / "x.wav").exists()


def test_export_again_without_chapters_removes_the_old_sidecar(
    project: OpenProject, tmp_path: Path
) -> None:
    """The sidecar describes the episode beside it: once the sections are merged into one, a
    new export of the same path must not leave the previous chapters for an upload form."""
    out = tmp_path / "episode.wav"
    first = export_project(project, out, ExportOptions.for_path(out, loudness=None))
    assert first.chapters_path is not None and first.chapters_path.exists()
    project.session.submit(MergeSection("s2"))
    again = export_project(project, out, ExportOptions.for_path(out, loudness=None))
    assert again.chapters == () and again.chapters_path is None
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("episode")) == [
        "episode.wav"
    ]
