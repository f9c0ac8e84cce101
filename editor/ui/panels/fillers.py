"""Filler review: every kept filler with its time; play one in context, remove one, or remove
all of them as one undoable edit (``sync.cleanup.remove_fillers``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.ui.job_status import clock
from sync import cleanup
from sync.ops import Delete

if TYPE_CHECKING:
    from editor.ui.main_window import EditorWindow

ID_ROLE = Qt.ItemDataRole.UserRole
CONTEXT_SECONDS = 1.5
"""Heard before and after a filler when it is played in context."""


class FillersPanel(QWidget):
    def __init__(self, window: EditorWindow) -> None:
        super().__init__()
        self.w = window
        self.summary = QLabel()
        self.list = QListWidget()
        self.list.setAccessibleName("Filler words")
        self.list.itemActivated.connect(lambda item: self.play(str(item.data(ID_ROLE))))
        self.list.currentItemChanged.connect(self._select_in_transcript)
        play = QPushButton("Play in Context")
        play.clicked.connect(self._play_current)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_current)
        self.remove_all_button = QPushButton("Remove All")
        self.remove_all_button.clicked.connect(self.remove_all)
        buttons = QHBoxLayout()
        for b in (play, remove, self.remove_all_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def fillers(self) -> list[str]:
        doc = self.w.controller.document
        deleted = doc.deleted
        return [w.id for w in doc.words if w.filler and w.id not in deleted]

    def refresh(self) -> None:
        doc = self.w.controller.document
        pmap = self.w.controller.programme_map()
        ids = self.fillers()
        row = self.list.currentRow()
        self.list.blockSignals(True)
        self.list.clear()
        for wid in ids:
            span = pmap.word_span(wid)
            at = clock(span[0]) if span is not None else "—"
            item = QListWidgetItem(f"{at}   {doc.text_of(wid)}   ({doc.word(wid).speaker or ''})")
            item.setData(ID_ROLE, wid)
            self.list.addItem(item)
        if ids:
            self.list.setCurrentRow(min(max(row, 0), len(ids) - 1))
        self.list.blockSignals(False)
        n = len(ids)
        self.summary.setText(
            f"{n} filler word{'s' if n != 1 else ''} left" if n else "No fillers left"
        )
        self.remove_all_button.setEnabled(bool(n))

    def play(self, word_id: str) -> None:
        span = self.w.controller.programme_map().word_span(word_id)
        if span is not None:
            self.w.transport.play_span(
                max(0.0, span[0] - CONTEXT_SECONDS), span[1] + CONTEXT_SECONDS
            )

    def remove(self, word_id: str) -> bool:
        return self.w.controller.submit(Delete(word_id, word_id))

    def remove_all(self) -> bool:
        op = cleanup.remove_fillers(self.w.controller.document)
        if not op.ops:
            return False
        return self.w.controller.submit(op)

    def _current(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(ID_ROLE))

    def _play_current(self) -> None:
        wid = self._current()
        if wid is not None:
            self.play(wid)

    def _remove_current(self) -> None:
        wid = self._current()
        if wid is not None:
            self.remove(wid)

    def _select_in_transcript(self, *_: object) -> None:
        wid = self._current()
        if wid is not None and self.isVisible():
            self.w.view.select_range(wid, wid)
            self.w.view.ensure_visible(wid)
