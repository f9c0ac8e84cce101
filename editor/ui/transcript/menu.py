"""The transcript's context menu: the same requests as the keys, with the keys shown.

The shell can add its own entries (split a section here, overdub…) by connecting to the view's
``contextMenuAboutToShow(QMenu)`` signal, which fires after the view's own actions are in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView


def build_menu(view: TranscriptView) -> QMenu:
    """A menu for the current selection (the caller shows and then deletes it)."""
    model = view.model
    sel = view.selection()
    menu = QMenu(view)
    menu.setObjectName("transcriptMenu")
    inter = view.interaction

    def add(
        text: str,
        keys: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: object,
        enabled: bool,
    ) -> QAction:
        act = menu.addAction(text)
        if keys is not None:
            act.setShortcut(QKeySequence(keys))
            act.setShortcutVisibleInContextMenu(True)
        act.triggered.connect(slot)
        act.setEnabled(enabled)
        return act

    add("Cut", "Del", inter.cut, bool(sel is not None and model.cut_runs(sel)))
    add("Restore", "Ctrl+Shift+R", inter.restore, bool(sel is not None and model.restore_runs(sel)))
    caret = model.words[sel.caret_ordinal].key if sel is not None else None
    add(
        "Correct word…",
        "F2",
        lambda: view.correct_word(caret) if caret else None,
        caret is not None,
    )
    menu.addSeparator()
    add(
        "Play from here",
        "Return",
        lambda: view.seekRequested.emit(sel.first) if sel is not None else None,
        sel is not None,
    )
    add("Copy", QKeySequence.StandardKey.Copy, inter.copy, sel is not None)
    add(
        "Select all",
        QKeySequence.StandardKey.SelectAll,
        lambda: view.set_selection(0, len(model.words) - 1) if model.words else None,
        bool(model.words),
    )
    add("Find…", QKeySequence.StandardKey.Find, view.find_bar().open, True)
    menu.addSeparator()
    show = menu.addAction("Show deleted words")
    show.setCheckable(True)
    show.setChecked(view.show_deleted())
    show.toggled.connect(view.set_show_deleted)
    view.contextMenuAboutToShow.emit(menu)
    return menu
