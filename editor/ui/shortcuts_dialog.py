"""Help → Keyboard Shortcuts: every action with a shortcut, read from the actions themselves
(so the sheet cannot drift from the keys), plus the transcript's own keys."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.ui.actions import Actions

TRANSCRIPT_KEYS = (
    ("Select words", "Click, drag, Shift+Click"),
    ("Select a word", "Double-click"),
    ("Extend by word", "Shift+Left / Shift+Right"),
    ("Move by word", "Left / Right"),
    ("Play from a word", "Enter"),
)


NAMED_KEYS = {"Space", "Del", "Delete", "Backspace", "Return", "Enter", "Home", "End", "Esc"}


def _typable(key: str) -> bool:
    """A key a keyboard has: with a modifier, a function key, or a named key — not the media
    keys some platforms add to the standard bindings ("New", "Copy", "Undo")."""
    return "+" in key or len(key) == 1 or key in NAMED_KEYS or key[1:].isdigit()


def rows(acts: Actions) -> list[tuple[str, str]]:
    out = []
    for a in acts.all():
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()]
        keys = [k for k in keys if k and _typable(k)][:2]
        if keys:
            out.append((a.text().replace("&", "").rstrip("…"), " / ".join(keys)))
    return out + list(TRANSCRIPT_KEYS)


class ShortcutsDialog(QDialog):
    def __init__(self, acts: Actions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        table_rows = rows(acts)
        self.table = QTableWidget(len(table_rows), 2)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, (name, keys) in enumerate(table_rows):
            self.table.setItem(i, 0, QTableWidgetItem(name))
            self.table.setItem(i, 1, QTableWidgetItem(keys))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(480, 560)
