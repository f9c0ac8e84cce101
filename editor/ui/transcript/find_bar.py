"""Ctrl+F: find a phrase in the transcript, step through the hits, cut them all at once.

A slim bar over the top right of the transcript, like a browser's. Typing finds (whole words,
case and punctuation ignored, struck words skipped: ``sync.cleanup.find_matches``, the same
matcher ``wordcut cut-phrase`` uses); Enter / Shift+Enter step through the hits and select
each; "Cut all" asks the shell to cut every hit as one request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QToolButton

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView


class FindBar(QFrame):
    def __init__(self, view: TranscriptView) -> None:
        super().__init__(view)
        self._view = view
        self._hits: list[tuple[str, str]] = []
        self._current = -1
        self.setObjectName("transcriptFindBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setAccessibleName("Find in transcript")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.setSpacing(4)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Find words…")
        self.edit.setAccessibleName("Find")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(180)
        self.count = QLabel("", self)
        self.count.setMinimumWidth(64)
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prev_button = self._button("‹", "Previous match (Shift+Enter)", lambda: self.step(-1))
        self.next_button = self._button("›", "Next match (Enter)", lambda: self.step(+1))
        self.cut_button = self._button("Cut all", "Cut every match", self.cut_all)
        self.close_button = self._button("✕", "Close (Escape)", self.close_bar)
        for w in (
            self.edit,
            self.count,
            self.prev_button,
            self.next_button,
            self.cut_button,
            self.close_button,
        ):
            row.addWidget(w)
        self.edit.textChanged.connect(self.search)
        self.edit.installEventFilter(self)
        self._update_buttons()

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setToolTip(tip)
        b.setAccessibleName(tip.split(" (")[0])
        b.setAutoRaise(True)
        b.clicked.connect(slot)
        return b

    @property
    def hits(self) -> list[tuple[str, str]]:
        return list(self._hits)

    def open(self) -> None:
        """Show the bar with the selection's text as the phrase when there is one."""
        sel = self._view.selection()
        if sel is not None and len(sel) <= 8:
            text = self._view.model.selected_text(sel).replace("\n", " ")
            if text and text != self.edit.text():
                self.edit.setText(text)
        self.show()
        self.place()
        self.raise_()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
        self.search(self.edit.text())

    def place(self) -> None:
        vp = self._view.viewport()
        size = self.sizeHint()
        width = min(size.width(), vp.width() - 16)
        self.setGeometry(vp.x() + vp.width() - width - 12, vp.y() + 8, width, size.height())

    def close_bar(self) -> None:
        self.hide()
        self._view.model.clear_find()
        self._hits, self._current = [], -1
        self._view.setFocus(Qt.FocusReason.OtherFocusReason)

    def search(self, text: str) -> None:
        self._hits = self._view.model.find(text)
        self._current = -1
        self._update_buttons()
        if self._hits:
            self.step(+1, keep_focus=True)

    def step(self, direction: int, *, keep_focus: bool = True) -> None:
        if not self._hits:
            return
        self._current = (self._current + direction) % len(self._hits)
        first, last = self._hits[self._current]
        self._view.select_range(first, last)
        self._update_buttons()

    def cut_all(self) -> None:
        if self._hits:
            runs = list(self._hits)
            self._view.cutRequested.emit(runs)
            self.search(self.edit.text())

    def _update_buttons(self) -> None:
        n = len(self._hits)
        has = n > 0
        for b in (self.prev_button, self.next_button, self.cut_button):
            b.setEnabled(has)
        if not self.edit.text().strip():
            self.count.setText("")
        elif not has:
            self.count.setText("no matches")
        else:
            self.count.setText(f"{self._current + 1} of {n}")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                self.step(-1 if shift else +1)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(obj, event)
