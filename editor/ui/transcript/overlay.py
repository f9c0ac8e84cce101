"""Correcting a word in place: a ``QLineEdit`` laid over the word (input methods for free).

Enter or leaving the editor commits, Escape cancels; an empty or unchanged text asks for
nothing. Only the text changes: the request is ``correctRequested(word id, text)`` and the
audio is untouched. The editor lives on the viewport, so it scrolls with the word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

from editor.viewmodel import Token

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView


class CorrectionOverlay(QLineEdit):
    def __init__(self, view: TranscriptView) -> None:
        super().__init__(view.viewport())
        self._view = view
        self._word: str | None = None
        self._original = ""
        self.setObjectName("transcriptCorrection")
        self.setAccessibleName("Correct word")
        self.setFrame(True)
        self.hide()
        self.editingFinished.connect(self.commit)
        self.installEventFilter(self)

    @property
    def word(self) -> str | None:
        """The id of the word being corrected, while the editor is open."""
        return self._word

    def open(self, tok: Token) -> None:
        self._word = tok.key
        self._original = tok.text
        self.setFont(self._view.metrics.body)
        self.setText(tok.text)
        self.place()
        self.show()
        self.selectAll()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def place(self) -> None:
        if self._word is None:
            return
        tok = self._view.model.word(self._word)
        r = self._view.token_rect(tok) if tok is not None else None
        if r is None:
            self.cancel()
            return
        h = self.sizeHint().height()
        width = max(r.width() + 40, self.fontMetrics().horizontalAdvance(self.text()) + 40, 90)
        self.setGeometry(int(r.left() - 6), int(r.center().y() - h / 2), int(width), h)

    def commit(self) -> None:
        word, text = self._word, self.text().strip()
        if word is None:
            return
        self._close()
        if text and text != self._original:
            self._view.correctRequested.emit(word, text)

    def cancel(self) -> None:
        if self._word is not None:
            self._close()

    def _close(self) -> None:
        self._word = None
        had_focus = self.hasFocus()
        self.hide()
        if had_focus:
            self._view.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                self.cancel()
                return True
        return super().eventFilter(obj, event)
