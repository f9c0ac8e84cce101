"""The editor window's menus and actions, with standard shortcuts where the platform has them.

Built in one place so the menu bar, the keyboard-shortcuts sheet and the tests read the same
table; the window connects the triggers. Transport keys (space, J/K/L, arrows by word,
Home/End) are window-wide shortcuts, except while a text field has focus.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

SK = QKeySequence.StandardKey


@dataclass(slots=True)
class Actions:
    new_project: QAction
    library: QAction
    import_audio: QAction
    transcribe: QAction
    export: QAction
    close_project: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    cut: QAction
    restore: QAction
    copy: QAction
    find: QAction
    correct: QAction
    add_section: QAction
    select_all: QAction
    show_deleted: QAction
    source_timeline: QAction
    zoom_in: QAction
    zoom_out: QAction
    zoom_fit: QAction
    theme_system: QAction
    theme_light: QAction
    theme_dark: QAction
    play: QAction
    play_selection: QAction
    stop: QAction
    back: QAction
    pause_k: QAction
    forward: QAction
    prev_word: QAction
    next_word: QAction
    home: QAction
    end: QAction
    slower: QAction
    faster: QAction
    settings: QAction
    shortcuts: QAction
    log_folder: QAction
    about: QAction

    def all(self) -> list[QAction]:
        return [getattr(self, f.name) for f in fields(self)]


def _action(
    window: QMainWindow,
    text: str,
    keys: QKeySequence.StandardKey | str | list[str] | None = None,
    *,
    tip: str | None = None,
    checkable: bool = False,
    window_wide: bool = False,
) -> QAction:
    a = QAction(text, window)
    if isinstance(keys, QKeySequence.StandardKey):
        a.setShortcuts(keys)
    elif isinstance(keys, str):
        a.setShortcut(QKeySequence(keys))
    elif isinstance(keys, list):
        a.setShortcuts([QKeySequence(k) for k in keys])
    if tip:
        a.setStatusTip(tip)
    a.setCheckable(checkable)
    if window_wide:
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    return a


def build_actions(window: QMainWindow) -> Actions:
    w = window
    acts = Actions(
        new_project=_action(w, "&New Project…", SK.New),
        library=_action(w, "Project &Library", "Ctrl+Shift+O", tip="All your projects"),
        import_audio=_action(w, "&Import Audio…", "Ctrl+I"),
        transcribe=_action(w, "&Transcribe", "Ctrl+T", tip="Transcribe tracks (resumable)"),
        export=_action(w, "&Export…", "Ctrl+E"),
        close_project=_action(w, "&Close Project", SK.Close),
        quit=_action(w, "&Quit", SK.Quit),
        undo=_action(w, "&Undo", SK.Undo),
        redo=_action(w, "&Redo", ["Ctrl+Shift+Z", "Ctrl+Y"]),
        cut=_action(w, "Cu&t Words", ["Delete", "Backspace"], tip="Strike out the selection"),
        restore=_action(w, "&Restore Words", "Ctrl+Shift+R"),
        copy=_action(w, "&Copy Text", SK.Copy),
        find=_action(w, "&Find…", SK.Find),
        correct=_action(w, "C&orrect Word…", "F2", tip="Fix the text; the audio is unchanged"),
        add_section=_action(w, "Add &Section at Cursor", "Ctrl+Return"),
        select_all=_action(w, "Select &All", SK.SelectAll),
        show_deleted=_action(w, "Show &Deleted Words", "Ctrl+H", checkable=True),
        source_timeline=_action(w, "Waveform: &Source Timeline", "Ctrl+Shift+T", checkable=True),
        zoom_in=_action(w, "Zoom &In", SK.ZoomIn),
        zoom_out=_action(w, "Zoom &Out", SK.ZoomOut),
        zoom_fit=_action(w, "Zoom to &Fit", "Ctrl+0"),
        theme_system=_action(w, "Follow the System", checkable=True),
        theme_light=_action(w, "Light", checkable=True),
        theme_dark=_action(w, "Dark", checkable=True),
        play=_action(w, "&Play / Pause", "Space", window_wide=True),
        play_selection=_action(w, "Play &Selection", "Shift+Space", window_wide=True),
        stop=_action(w, "&Stop", "Ctrl+.", window_wide=True),
        back=_action(w, "Back 5 s (J)", "J", window_wide=True),
        pause_k=_action(w, "Pause (K)", "K", window_wide=True),
        forward=_action(w, "Play / Faster (L)", "L", window_wide=True),
        prev_word=_action(w, "Previous Word", "Alt+Left", window_wide=True),
        next_word=_action(w, "Next Word", "Alt+Right", window_wide=True),
        home=_action(w, "Go to Start", "Ctrl+Home", window_wide=True),
        end=_action(w, "Go to End", "Ctrl+End", window_wide=True),
        slower=_action(w, "Slower", "Ctrl+[", window_wide=True),
        faster=_action(w, "Faster", "Ctrl+]", window_wide=True),
        settings=_action(w, "&Settings…", SK.Preferences),
        shortcuts=_action(w, "&Keyboard Shortcuts", SK.HelpContents),
        log_folder=_action(w, "Open &Log Folder"),
        about=_action(w, "&About Wordcut"),
    )
    if acts.settings.shortcuts() == []:
        acts.settings.setShortcut(QKeySequence("Ctrl+,"))
    if acts.shortcuts.shortcuts() == []:
        acts.shortcuts.setShortcut(QKeySequence("F1"))
    group = QActionGroup(w)
    for a in (acts.theme_system, acts.theme_light, acts.theme_dark):
        group.addAction(a)
    _menus(w, acts)
    return acts


def _menus(w: QMainWindow, a: Actions) -> None:
    bar = w.menuBar()
    file = bar.addMenu("&File")
    file.addAction(a.new_project)
    file.addAction(a.library)
    recent = file.addMenu("Open &Recent")
    recent.setObjectName("RecentMenu")
    for act in (None, a.import_audio, a.transcribe, a.export):
        _add(file, act)
    file.addSeparator()
    file.addAction(a.close_project)
    file.addAction(a.quit)
    edit = bar.addMenu("&Edit")
    for act in (a.undo, a.redo, None, a.cut, a.restore, a.copy, a.correct, None):
        _add(edit, act)
    for act in (a.find, a.select_all, None, a.add_section, None, a.settings):
        _add(edit, act)
    view = bar.addMenu("&View")
    for act in (a.show_deleted, a.source_timeline, None, a.zoom_in, a.zoom_out, a.zoom_fit):
        _add(view, act)
    theme = view.addMenu("&Theme")
    for act in (a.theme_system, a.theme_light, a.theme_dark):
        theme.addAction(act)
    play = bar.addMenu("&Playback")
    for act in (a.play, a.play_selection, a.stop, None, a.back, a.pause_k, a.forward, None):
        _add(play, act)
    for act in (a.prev_word, a.next_word, a.home, a.end, None, a.slower, a.faster):
        _add(play, act)
    helpm = bar.addMenu("&Help")
    for act in (a.shortcuts, a.log_folder, None, a.about):
        _add(helpm, act)


def _add(menu: QMenu, action: QAction | None) -> None:
    if action is None:
        menu.addSeparator()
    else:
        menu.addAction(action)
