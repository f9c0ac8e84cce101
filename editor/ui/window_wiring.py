"""Which action or signal of the editor window does what: the window's switchboard.

Kept apart from the window class so the window stays a layout and this stays a readable table
from user intent (a key, a menu item, a request from the transcript view) to the one method that
serves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMenu

if TYPE_CHECKING:
    from editor.ui.main_window import EditorWindow


def wire(w: EditorWindow) -> None:
    a, c, t, v = w.acts, w.controller, w.transport, w.view
    # the transcript view asks; the controller submits
    v.cutRequested.connect(c.cut)
    v.restoreRequested.connect(c.restore)
    v.correctRequested.connect(c.correct)
    v.seekRequested.connect(lambda word: _play_from(w, word))
    v.ready.connect(w.on_transcript_ready)
    v.contextMenuAboutToShow.connect(lambda menu: _context_menu(w, menu))
    v.selectionChanged.connect(lambda sel: _follow_caret(w, sel))
    t.wordChanged.connect(v.set_playing_word)
    c.historyChanged.connect(lambda *_: w._update_title())

    # file
    a.close_project.triggered.connect(w.close)
    a.quit.triggered.connect(_quit)
    a.library.triggered.connect(w.libraryRequested.emit)
    a.new_project.triggered.connect(w.newProjectRequested.emit)
    recent = w.menuBar().findChild(QMenu, "RecentMenu")
    if recent is not None:
        recent.aboutToShow.connect(lambda: _fill_recent(w, recent))
    a.export.triggered.connect(lambda: _export(w))
    a.transcribe.triggered.connect(lambda: _transcribe(w))
    a.import_audio.triggered.connect(lambda: w.panels.tracks.add_files())
    # edit
    a.undo.triggered.connect(c.undo)
    a.redo.triggered.connect(c.redo)
    a.cut.triggered.connect(lambda: c.cut(w.model.cut_runs()))
    a.restore.triggered.connect(lambda: c.restore(w.model.restore_runs()))
    a.copy.triggered.connect(w.copy_selection)
    a.find.triggered.connect(lambda: _find(w))
    a.correct.triggered.connect(lambda: correct_dialog(w))
    a.add_section.triggered.connect(lambda: w.panels.sections.add_at_cursor())
    a.select_all.triggered.connect(lambda: _select_all(w))
    a.show_deleted.setChecked(w.ctx.settings.show_deleted())
    v.set_show_deleted(a.show_deleted.isChecked())
    a.show_deleted.toggled.connect(v.set_show_deleted)
    a.show_deleted.toggled.connect(w.ctx.settings.set_show_deleted)
    # transport
    a.play.triggered.connect(t.toggle)
    a.play_selection.triggered.connect(lambda: play_selection(w))
    a.stop.triggered.connect(t.stop)
    a.back.triggered.connect(t.key_j)
    a.pause_k.triggered.connect(t.key_k)
    a.forward.triggered.connect(t.key_l)
    a.prev_word.triggered.connect(lambda: t.step_word(-1))
    a.next_word.triggered.connect(lambda: t.step_word(+1))
    a.home.triggered.connect(t.home)
    a.end.triggered.connect(t.end)
    a.slower.triggered.connect(lambda: t.set_speed(_step_speed(t.speed, -1)))
    a.faster.triggered.connect(lambda: t.set_speed(_step_speed(t.speed, +1)))
    # appearance and help
    from editor.ui.theme_actions import connect_theme

    connect_theme(w)
    a.settings.triggered.connect(lambda: _settings(w))
    a.shortcuts.triggered.connect(lambda: _shortcuts(w))
    a.log_folder.triggered.connect(w.open_log_folder)
    a.about.triggered.connect(lambda: _about(w))
    for act in a.all():
        w.addAction(act)


def _context_menu(w: EditorWindow, menu: Any) -> None:
    """The shell's entries under the view's own: sections and playback of the selection."""
    menu.addSeparator()
    menu.addAction(w.acts.play_selection)
    menu.addAction(w.acts.add_section)


def _fill_recent(w: EditorWindow, menu: QMenu) -> None:
    """File → Open Recent, read when it opens (another window may have opened one since)."""
    menu.clear()
    for project_id in w.ctx.settings.recent():
        if project_id == w.project.id:
            continue
        try:
            name = w.ctx.store.project(project_id).name
        except Exception:  # deleted since: not offered
            continue
        action = menu.addAction(name.replace("&", "&&"))
        action.triggered.connect(lambda _=False, pid=project_id: w.openRequested.emit(pid))
    if menu.isEmpty():
        menu.addAction("No other recent projects").setEnabled(False)


def _quit() -> None:
    app = QApplication.instance()
    if app is not None:
        app.setProperty("wordcut-closing", True)
        QApplication.closeAllWindows()


def _step_speed(speed: float, direction: int) -> float:
    from editor.ui.transport import SPEEDS

    i = SPEEDS.index(speed) if speed in SPEEDS else SPEEDS.index(1.0)
    return SPEEDS[min(max(0, i + direction), len(SPEEDS) - 1)]


def _follow_caret(w: EditorWindow, selection: Any) -> None:
    """While stopped, the playhead follows the transcript's caret (click a word, arrow along
    the words, Home/End), so Space plays from where you are reading."""
    if w.transport.playing or selection is None:
        return
    first = getattr(selection, "first", None)
    if first is not None:
        w.transport.seek_word(str(first))


def _play_from(w: EditorWindow, word_id: str) -> None:
    """Double-click, Enter, "Play from here": move the playhead to the word and play."""
    w.transport.seek_word(word_id)
    if not w.transport.playing:
        w.transport.play()


def play_selection(w: EditorWindow) -> None:
    sel = w.view.selection()
    from editor.ui.waveform.binding import _ids

    ids = _ids(sel)
    if ids is None:
        w.transport.play()
        return
    span = w.controller.programme_span(*ids)
    if span is not None:
        w.transport.play_span(*span)


def correct_dialog(w: EditorWindow) -> None:
    """F2 / Edit → Correct: the view's own overlay editor when it has one, else a dialog."""
    sel = w.model.selection
    if sel is None:
        w.show_message("Select a word to correct")
        return
    editor: Any = getattr(w.view, "edit_word", None)
    if callable(editor):
        editor(sel.first)
        return
    old = w.controller.document.text_of(sel.first)
    text, ok = QInputDialog.getText(w, "Correct word", "Text:", QLineEdit.EchoMode.Normal, old)
    if ok:
        w.controller.correct(sel.first, text)


def _find(w: EditorWindow) -> None:
    bar: Any = w.view.find_bar()
    bar.open()


def _select_all(w: EditorWindow) -> None:
    words = w.model.words
    if words:
        w.view.select_range(words[0].key, words[-1].key)


def _export(w: EditorWindow) -> None:
    from editor.ui.export_dialog import ExportDialog

    ExportDialog(w).open()


def _transcribe(w: EditorWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    from editor.ui.transcription import pending_tracks, start_transcription

    if w.project.tracks and not pending_tracks(w):
        answer = QMessageBox.question(
            w,
            "Transcribe again",
            "Every track is transcribed already. Transcribe them again? The new words replace "
            "the old ones and your edits to them (Undo brings them back).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
    start_transcription(w)


def _settings(w: EditorWindow) -> None:
    from editor.ui.settings_dialog import SettingsDialog

    SettingsDialog(w.ctx, w).open()


def _shortcuts(w: EditorWindow) -> None:
    from editor.ui.shortcuts_dialog import ShortcutsDialog

    ShortcutsDialog(w.acts, w).open()


def _about(w: EditorWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.about(
        w,
        "About Wordcut",
        "<b>Wordcut</b><br>Edit a podcast by editing its transcript — alone or live with your "
        "co-host. Local-first: your recordings never leave this machine.",
    )
