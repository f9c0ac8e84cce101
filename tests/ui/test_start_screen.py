"""The start screen: the library (search, rename, archive, delete that asks and never touches
media), and dropping recordings to start a project with one track per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import soundfile as sf
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.ui.conftest import wait_closed


def _names(library: Any) -> list[str]:
    tree = library.list
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]


def _words(path: Path, n: int, seed: int) -> Path:
    """Tone-burst "speech" that the fake engine (tests/transcribe/fakes.py) reads as words."""
    from editor.transcribe.audio import RATE
    from tests.transcribe.fakes import word_track

    audio, _ = word_track(n, seed=seed)
    sf.write(path, audio, RATE)
    return path


def test_library_search_rename_archive(shell: Any, ctx: Any, qtbot: Any) -> None:
    for name in ("Episode 12", "Episode 13", "Bonus: live show"):
        ctx.store.create_project(name)
    library = shell.show_library()
    assert sorted(_names(library)) == ["Bonus: live show", "Episode 12", "Episode 13"]
    qtbot.keyClicks(library.search, "episode")
    assert sorted(_names(library)) == ["Episode 12", "Episode 13"]
    library.search.clear()
    bonus = ctx.store.project("Bonus: live show").id
    assert library.rename(bonus, "Bonus episode")
    assert "Bonus episode" in _names(library)
    assert not library.rename(bonus, "")  # refused with a message, nothing changed
    assert ctx.store.project(bonus).name == "Bonus episode"
    library.list.setCurrentItem(library.list.topLevelItem(_names(library).index("Bonus episode")))
    library.toggle_archive()
    assert "Bonus episode" not in _names(library)
    library.archived.setChecked(True)
    assert "Bonus episode  (archived)" in _names(library)
    library.list.setCurrentItem(
        library.list.topLevelItem(_names(library).index("Bonus episode  (archived)"))
    )
    assert library.archive_button.text() == "Unarchive"
    library.toggle_archive()
    assert not ctx.store.project(bonus).archived


def test_delete_asks_and_keeps_the_media(shell: Any, ctx: Any, demo: str, qtbot: Any) -> None:
    library = shell.show_library()
    media = Path(ctx.store.tracks(demo)[0].media_path)
    size = media.stat().st_size
    folder = ctx.store.project_dir(demo)
    assert folder.is_dir()

    def answer(button: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        target = next(b for b in box.buttons() if b.text() == button)
        target.click()

    QTimer.singleShot(0, lambda: answer("Cancel"))
    library.delete_current()
    assert ctx.store.project(demo)  # still there
    QTimer.singleShot(0, lambda: answer("Delete Project"))
    library.delete_current()
    assert _names(library) == []
    assert not folder.exists()
    assert media.stat().st_size == size  # the recording is untouched


def test_drop_two_files_starts_a_project_with_two_tracks(
    shell: Any, ctx: Any, qtbot: Any, tmp_path: Path
) -> None:
    a = _words(tmp_path / "diane_mic.wav", 8, 1)
    b = _words(tmp_path / "sheila_mic.wav", 8, 2)
    ctx.transcribe_factory = "tests.transcribe.fakes:tone_engine"
    library = shell.show_library()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(a)), QUrl.fromLocalFile(str(b))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    library.drop.dropEvent(event)
    panel = library.import_panel
    assert panel is not None
    assert [e.text() for e in panel.labels] == ["diane mic", "sheila mic"]
    panel.labels[0].setText("Diane")
    panel.labels[1].setText("Sheila")
    panel.name.setText("Episode 14")
    opened: list[Any] = []
    shell.projectOpened.connect(opened.append)
    qtbot.mouseClick(panel.go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=30_000)
    window = opened[0]
    project = ctx.store.project("Episode 14")
    assert [t.label for t in ctx.store.tracks(project.id)] == ["Diane", "Sheila"]
    assert window.project.id == project.id
    qtbot.waitUntil(lambda: window.is_interactive, timeout=20_000)
    assert len(window.waveform.view._curves) == 2
    qtbot.waitUntil(lambda: len(window.model.words) > 0, timeout=60_000)  # transcribed itself
    assert {w.speaker for w in window.controller.document.words} <= {"Diane", "Sheila"}
    wait_closed(qtbot, window)
