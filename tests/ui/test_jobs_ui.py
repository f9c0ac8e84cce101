"""Long jobs from the window: export from the dialog (the file is right), importing a broken
file (a clear error, the project unchanged), transcription closed midway (clean, resumable)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import av
import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import wait_closed


def _ffmpeg_loudness(path: Path) -> float:
    proc = subprocess.run(
        ["ffmpeg", "-nostats", "-i", str(path), "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"I:\s+(-?[\d.]+) LUFS", proc.stderr[proc.stderr.rfind("Summary:") :])
    assert found
    return float(found[1])


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="the independent meter is ffmpeg")
def test_export_from_the_dialog_writes_the_programme(
    window: Any, qtbot: Any, tmp_path: Path
) -> None:
    from editor.ui.export_dialog import ExportDialog

    w = window
    kept = [x.key for x in w.model.words][10:20]
    w.controller.cut([(kept[0], kept[-1])])
    dialog = ExportDialog(w)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.format.setCurrentIndex(dialog.format.findData("wav"))
    out = tmp_path / "episode.wav"
    dialog.path.setText(str(out))
    dialog.loudness.setValue(-18.0)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60_000)
    assert dialog.reveal_button.isVisible() and "Saved episode.wav" in dialog.status.text()
    with av.open(str(out)) as f:
        stream = f.streams.audio[0]
        frames = sum(fr.samples for fr in f.decode(stream))
        rate = stream.rate
    expected = w.controller.edl().range_frames() / w.controller.edl().sample_rate
    assert frames / rate == pytest.approx(expected, abs=0.002)
    assert _ffmpeg_loudness(out) == pytest.approx(-18.0, abs=0.6)
    chapters = out.with_suffix(".chapters.json")
    assert chapters.is_file() and "Second part" in chapters.read_text()
    assert w.ctx.settings.loudness() == -18.0


def test_export_refuses_a_missing_folder_before_rendering(
    window: Any, qtbot: Any, tmp_path: Path
) -> None:
    from editor.ui.export_dialog import ExportDialog

    dialog = ExportDialog(window)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "nowhere" / "x.mp3"))
    assert dialog.start() is None
    assert window.ctx.errors.history and not window.ctx.errors.history[-1][1]
    assert not (tmp_path / "nowhere").exists()


def test_broken_file_import_is_a_clear_error_and_changes_nothing(
    shell: Any, ctx: Any, qtbot: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "host-b.wav"
    broken.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt this is not audio")
    library = shell.show_library()
    before = [p.id for p in ctx.store.projects(archived=None)]
    panel = library.start_import([broken])
    assert panel is not None
    panel.name.setText("Broken one")
    qtbot.mouseClick(panel.go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: library.import_panel is None, timeout=20_000)
    message, unexpected, _ = ctx.errors.history[-1]
    assert not unexpected and "host-b.wav" in message
    assert [p.id for p in ctx.store.projects(archived=None)] == before
    projects_root = ctx.store.home / "projects"
    assert not any(projects_root.iterdir()) if projects_root.exists() else True


def test_import_into_open_project_with_a_broken_file_leaves_it_unchanged(
    window: Any, qtbot: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"\xff\xfb" + b"\x00" * 64)
    tracks = len(window.project.tracks)
    version = window.controller.version
    window.panels.tracks.add_files([broken])
    qtbot.waitUntil(lambda: not window.jobs.running(), timeout=20_000)
    assert len(window.project.tracks) == tracks
    assert len(window.ctx.store.tracks(window.project.id)) == tracks
    assert window.controller.version == version
    assert "broken.mp3" in window.ctx.errors.history[-1][0]


def test_close_during_transcription_is_clean_and_resumes(
    window: Any, shell: Any, ctx: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from editor.ui.transcription import resume_if_interrupted, start_transcription

    monkeypatch.setenv("WORDCUT_FAKE_DELAY", "0.5")
    ctx.transcribe_factory = "tests.transcribe.fakes:slow_tone_engine"
    w = window
    project_id = w.project.id
    job = start_transcription(w, list(w.project.tracks))
    assert job is not None and w.jobs.running() == [job]
    qtbot.waitUntil(
        lambda: w.project.store.track(project_id, "1").transcription_status == "in_progress",
        timeout=20_000,
    )
    version = w.controller.version
    wait_closed(qtbot, w)  # cancels the job, then closes
    assert job.finished and job.cancel_requested
    assert ctx.store.track(project_id, "1").transcription_status == "pending"
    assert ctx.store.head_version(project_id) == version  # nothing half-submitted
    again = shell.open_project(project_id)
    qtbot.waitUntil(lambda: again.is_interactive, timeout=20_000)
    qtbot.waitUntil(lambda: bool(again.jobs.running()), timeout=10_000)  # resumed by itself
    assert resume_if_interrupted(again) is None  # and only once
    wait_closed(qtbot, again)
