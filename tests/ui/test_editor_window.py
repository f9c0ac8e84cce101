"""The editor window on the demo project: opening, cutting, undo/redo, corrections, find and
cut all, sections — each through the widgets, checked in the session, the transcript model and
the waveform."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from editor.viewmodel import Style


def _kept(w: Any) -> list[str]:
    doc = w.controller.document
    return [x.id for x in doc.words if not doc.is_deleted(x.id)]


def test_open_demo_shows_transcript_and_waveform(window: Any) -> None:
    assert window.model.words, "the transcript is empty"
    assert window.waveform is not None and window.waveform.view.draws >= 1
    assert window.windowTitle().startswith("Demo episode")
    x, y = window.waveform.view._curves[0].getData()
    assert len(x) > 100 and float(abs(y).max()) > 0.01  # real peaks were drawn


def test_select_and_delete_commits_and_updates_views(window: Any, qtbot: Any) -> None:
    w = window
    first, last = _kept(w)[3], _kept(w)[6]
    version = w.controller.version
    length = w.waveform.view._programme.duration
    draws = w.waveform.view.draws
    w.view.select_range(first, last)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Delete)
    assert w.controller.version == version + 1
    assert w.controller.document.is_deleted(first) and w.controller.document.is_deleted(last)
    assert w.model.word(first).style & Style.DELETED
    qtbot.waitUntil(lambda: w.waveform.view.draws > draws)
    assert w.waveform.view._programme.duration < length - 1.0
    assert w.isWindowModified()


def test_undo_redo_round_trip(window: Any, qtbot: Any) -> None:
    w = window
    wid = _kept(w)[10]
    w.controller.cut([(wid, wid)])
    assert w.controller.document.is_deleted(wid)
    assert w.acts.undo.isEnabled()
    w.acts.undo.trigger()
    assert not w.controller.document.is_deleted(wid)
    assert not w.model.word(wid).style & Style.DELETED
    assert w.acts.redo.isEnabled()
    w.acts.redo.trigger()
    assert w.controller.document.is_deleted(wid)


def test_correct_a_word_in_place(window: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QLineEdit

    w = window
    wid = _kept(w)[2]
    w.view.correct_word(wid)
    editor = next(e for e in w.view.findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    qtbot.keyClicks(editor, "Wordcut")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert w.controller.document.text_of(wid) == "Wordcut"
    assert w.model.word(wid).text.startswith("Wordcut")


def test_find_and_cut_all(window: Any, qtbot: Any) -> None:
    w = window
    bar = w.view.find_bar()
    w.acts.find.trigger()
    qtbot.waitUntil(bar.isVisible)
    from sync.cleanup import find_matches

    expected = find_matches(w.controller.document, "the episode")
    assert len(expected) == 2
    qtbot.keyClicks(bar.edit, "the episode")
    assert len(bar.hits) == 2
    qtbot.mouseClick(bar.cut_button, Qt.MouseButton.LeftButton)
    doc = w.controller.document
    assert all(doc.is_deleted(a) and doc.is_deleted(b) for a, b in expected)
    w.acts.undo.trigger()  # one undo brings every match back
    assert not any(doc.is_deleted(a) for a, _ in expected)


def test_reorder_a_section(window: Any, qtbot: Any) -> None:
    w = window
    doc = w.controller.document
    second = doc.sections[1]
    assert w.panels.sections.list.count() == 2
    w.panels.sections.moved(second.id, 0)
    assert doc.sections[0].id == second.id
    qtbot.waitUntil(lambda: w.panels.sections.list.item(0).text() == second.name)
    first_kept = w.controller.programme_map().spans()[0][0]
    assert doc.section_of(first_kept).id == second.id


def test_playhead_follows_the_caret_while_stopped(window: Any, qtbot: Any) -> None:
    w = window
    wid = _kept(w)[25]
    w.view.setFocus()
    w.view.select_range(wid, wid)
    span = w.controller.programme_map().word_span(wid)
    assert w.transport.position == span[0]
    qtbot.keyClick(w.view, Qt.Key.Key_Right)  # the caret moves on by a word, the playhead too
    assert w.transport.position > span[0]


def test_open_recent_lists_other_projects(window: Any, shell: Any, ctx: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QMenu

    other = ctx.store.create_project("Episode 12")
    ctx.settings.add_recent(other.id)
    ctx.settings.add_recent(window.project.id)
    menu = window.menuBar().findChild(QMenu, "RecentMenu")
    menu.aboutToShow.emit()
    names = [a.text() for a in menu.actions()]
    assert names == ["Episode 12"]  # not the project already open
    opened: list[Any] = []
    shell.projectOpened.connect(opened.append)
    menu.actions()[0].trigger()
    assert opened and opened[0].project.id == other.id
    qtbot.waitUntil(lambda: opened[0].is_interactive, timeout=20_000)
    from tests.ui.conftest import wait_closed

    wait_closed(qtbot, opened[0])
