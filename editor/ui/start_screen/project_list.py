"""The library list: projects (recent first), searchable, with archived ones on request.

A plain ``QTreeWidget`` of rows; it asks nothing of the store itself: the start screen gives it
records and reacts to its signals.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from editor.store import Project

ID_ROLE = Qt.ItemDataRole.UserRole


def when(stamp: str | None) -> str:
    if not stamp:
        return "never"
    try:
        t = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp
    return t.strftime("%d %b %Y, %H:%M")


class ProjectList(QTreeWidget):
    openRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Projects")
        self.setColumnCount(3)
        self.setHeaderLabels(["Project", "Tracks", "Last opened"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.itemActivated.connect(
            lambda item, _col: self.openRequested.emit(item.data(0, ID_ROLE))
        )

    def show_projects(
        self, projects: list[Project], tracks: dict[str, int], recent: list[str], query: str
    ) -> None:
        """Rows for ``projects`` matching ``query``; recently opened ones first."""
        keep = self.current_id()
        self.clear()
        q = query.strip().lower()
        rank = {pid: i for i, pid in enumerate(recent)}
        rows = [p for p in projects if not q or q in p.name.lower()]
        rows.sort(key=lambda p: (rank.get(p.id, len(rank)), p.name.lower()))
        for p in rows:
            name = f"{p.name}  (archived)" if p.archived else p.name
            item = QTreeWidgetItem([name, str(tracks.get(p.id, 0)), when(p.opened_at)])
            item.setData(0, ID_ROLE, p.id)
            item.setToolTip(0, p.name)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
            self.addTopLevelItem(item)
            if p.id == keep:
                self.setCurrentItem(item)
        first = self.topLevelItem(0)
        if self.currentItem() is None and first is not None:
            self.setCurrentItem(first)

    def current_id(self) -> str | None:
        item = self.currentItem()
        return None if item is None else str(item.data(0, ID_ROLE))
