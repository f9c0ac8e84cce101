"""Sections (they become chapters): add at the cursor, rename in place, drag to reorder,
play from one. Each action is one ordinary op (SplitSection / RenameSection / ReorderSection)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from editor.store.db import new_id
from editor.ui.job_status import clock
from sync.ops import SplitSection

if TYPE_CHECKING:
    from editor.ui.main_window import EditorWindow

ID_ROLE = Qt.ItemDataRole.UserRole
START_ROLE = Qt.ItemDataRole.UserRole + 1


class _Delegate(QStyledItemDelegate):
    """The section's name, and its programme start time right-aligned in the muted colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        super().paint(painter, option, index)
        start = index.data(START_ROLE)
        if not start:
            return
        painter.save()
        selected = option.state & QStyle.StateFlag.State_Selected
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        painter.setPen(option.palette.color(role))
        rect = option.rect.adjusted(0, 0, -8, 0)
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), start
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + 8)


class _List(QListWidget):
    """A list whose internal drag reports the moved row (QListWidget has no such signal)."""

    def __init__(self, panel: SectionsPanel) -> None:
        super().__init__()
        self._panel = panel
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAccessibleName("Sections")
        self.setItemDelegate(_Delegate(self))

    def dropEvent(self, event: object) -> None:
        moved = self.currentItem()
        super().dropEvent(event)  # type: ignore[arg-type]
        if moved is not None:
            self._panel.moved(str(moved.data(ID_ROLE)), self.row(moved))


class SectionsPanel(QWidget):
    def __init__(self, window: EditorWindow) -> None:
        super().__init__()
        self.w = window
        self.list = _List(self)
        self.list.itemChanged.connect(self._renamed)
        self.list.itemActivated.connect(lambda item: self.play_from(str(item.data(ID_ROLE))))
        add = QPushButton("Add at Cursor")
        add.setToolTip("Start a new section at the selected word (Ctrl+Return)")
        add.clicked.connect(self.add_at_cursor)
        rename = QPushButton("Rename")
        rename.clicked.connect(self._rename_current)
        play = QPushButton("Play From")
        play.clicked.connect(self._play_current)
        buttons = QHBoxLayout()
        for b in (add, rename, play):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._filling = False

    def refresh(self) -> None:
        doc = self.w.controller.document
        starts = dict(self.w.controller.programme_map().section_starts())
        current = self.list.currentItem()
        keep = None if current is None else current.data(ID_ROLE)
        self._filling = True
        self.list.clear()
        for s in doc.sections:
            at = starts.get(s.name)
            item = QListWidgetItem(s.name)
            item.setData(ID_ROLE, s.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            words = len(doc.section_words(s.id))
            where = f"starts {clock(at)}" if at is not None else "all cut"
            item.setToolTip(f"{where} · {words} words")
            item.setData(START_ROLE, clock(at) if at is not None else "cut")
            self.list.addItem(item)
            if s.id == keep:
                self.list.setCurrentItem(item)
        self._filling = False

    def add_at_cursor(self) -> None:
        sel = self.w.model.selection
        if sel is None:
            self.w.show_message("Put the cursor on the word the new section starts at")
            return
        n = len(self.w.controller.document.sections) + 1
        name, ok = QInputDialog.getText(self, "New section", "Section name:", text=f"Part {n}")
        if ok and name.strip():
            self.add(sel.first, name.strip())

    def add(self, word_id: str, name: str) -> bool:
        return self.w.controller.submit(SplitSection(word_id, name, new_id()))

    def _renamed(self, item: QListWidgetItem) -> None:
        if not self._filling:
            self.w.controller.rename_section(str(item.data(ID_ROLE)), item.text())

    def _rename_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def moved(self, section_id: str, index: int) -> None:
        if not self.w.controller.move_section(section_id, index):
            self.refresh()

    def play_from(self, section_id: str) -> None:
        doc = self.w.controller.document
        pmap = self.w.controller.programme_map()
        for wid in doc.section_words(section_id):
            span = pmap.word_span(wid)
            if span is not None:
                self.w.transport.seek(span[0])
                self.w.transport.play()
                return

    def _play_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.play_from(str(item.data(ID_ROLE)))
