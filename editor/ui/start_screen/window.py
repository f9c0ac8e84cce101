"""The start screen window: the library on the left, "start a new episode" on the right.

Every library action goes through the store the CLI uses (rename, archive, unarchive, delete —
which never touches the user's media and asks first); errors reach the user as one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from editor.ui.context import AppContext
from editor.ui.start_screen.drop_zone import DropZone
from editor.ui.start_screen.import_panel import ImportPanel
from editor.ui.start_screen.project_list import ProjectList


class StartScreen(QWidget):
    openRequested = Signal(str)
    importedRequested = Signal(str)
    """A project was just made from dropped files: open it and transcribe it."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("StartScreen")
        self.setWindowTitle("Wordcut")
        self.setAccessibleName("Wordcut project library")
        self.setAcceptDrops(True)
        self.import_panel: ImportPanel | None = None

        title = QLabel("Wordcut")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel("Edit your podcast by editing its transcript.")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search projects")
        self.search.setAccessibleName("Search projects")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _: self.refresh())
        self.archived = QCheckBox("Show archived")
        self.archived.toggled.connect(lambda _: self.refresh())
        self.list = ProjectList()
        self.list.openRequested.connect(self.openRequested.emit)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())

        self.open_button = QPushButton("Open")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self._open_current)
        self.new_button = QPushButton("New Project…")
        self.new_button.clicked.connect(self.new_project)
        self.rename_button = QPushButton("Rename…")
        self.rename_button.clicked.connect(self.rename_current)
        self.archive_button = QPushButton("Archive")
        self.archive_button.clicked.connect(self.toggle_archive)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self.delete_current)
        for text, slot, keys in (
            ("Open", self._open_current, None),
            ("Rename…", self.rename_current, "F2"),
            ("Archive / Unarchive", self.toggle_archive, None),
            ("Delete…", self.delete_current, QKeySequence.StandardKey.Delete),
        ):
            act = QAction(text, self.list)
            if keys is not None:
                act.setShortcut(QKeySequence(keys))
                act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(slot)
            self.list.addAction(act)

        left = QVBoxLayout()
        left.setSpacing(10)
        left.addWidget(title)
        left.addWidget(subtitle)
        left.addSpacing(6)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.archived)
        left.addLayout(row)
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        for b in (self.rename_button, self.archive_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        left.addLayout(buttons)

        self.right = QStackedWidget()
        self.drop = DropZone()
        self.drop.filesDropped.connect(self.start_import)
        self.right.addWidget(self.drop)
        right = QVBoxLayout()
        right.addSpacing(title.sizeHint().height() + subtitle.sizeHint().height() + 16)
        right.addWidget(self.right, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(24)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self._shortcut(QKeySequence.StandardKey.New, self.new_project)
        self._shortcut(QKeySequence("Ctrl+I"), self.drop.choose)
        self._shortcut(QKeySequence.StandardKey.Find, self.search.setFocus)
        geometry = None if ctx.fixed_layout else ctx.settings.geometry("library")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(980, 600)

    def _shortcut(self, keys: QKeySequence | QKeySequence.StandardKey, slot: Any) -> None:
        action = QAction(self)
        if isinstance(keys, QKeySequence.StandardKey):
            action.setShortcuts(keys)
        else:
            action.setShortcut(keys)
        action.triggered.connect(slot)
        self.addAction(action)

    # --- library ----------------------------------------------------------------------------

    def refresh(self) -> None:
        store = self.ctx.store
        archived: bool | None = None if self.archived.isChecked() else False
        projects = store.projects(archived=archived)
        counts = {p.id: len(store.tracks(p.id)) for p in projects}
        self.list.show_projects(projects, counts, self.ctx.settings.recent(), self.search.text())
        self._update_buttons()

    def _update_buttons(self) -> None:
        pid = self.list.current_id()
        for b in (self.open_button, self.rename_button, self.archive_button, self.delete_button):
            b.setEnabled(pid is not None)
        if pid is not None:
            try:
                archived = self.ctx.store.project(pid).archived
            except Exception:
                archived = False
            self.archive_button.setText("Unarchive" if archived else "Archive")

    def _open_current(self) -> None:
        pid = self.list.current_id()
        if pid is not None:
            self.openRequested.emit(pid)

    def new_project(self) -> None:
        name, ok = QInputDialog.getText(self, "New project", "Project name:")
        if not ok or not name.strip():
            return
        try:
            project = self.ctx.store.create_project(name.strip())
        except Exception as exc:
            self.ctx.report(exc)
            return
        self.refresh()
        self.openRequested.emit(project.id)

    def rename_current(self) -> None:
        pid = self.list.current_id()
        if pid is None:
            return
        store = self.ctx.store
        old = store.project(pid).name
        name, ok = QInputDialog.getText(self, "Rename project", "New name:", text=old)
        if ok and name.strip() and name.strip() != old:
            self.rename(pid, name.strip())

    def rename(self, project_id: str, name: str) -> bool:
        try:
            self.ctx.store.rename_project(project_id, name)
        except Exception as exc:
            self.ctx.report(exc)
            return False
        self.refresh()
        return True

    def toggle_archive(self) -> None:
        pid = self.list.current_id()
        if pid is None:
            return
        try:
            project = self.ctx.store.project(pid)
            self.ctx.store.archive_project(pid, not project.archived)
        except Exception as exc:
            self.ctx.report(exc)
        self.refresh()

    def delete_current(self) -> None:
        pid = self.list.current_id()
        if pid is None:
            return
        name = self.ctx.store.project(pid).name
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete project",
            f"Delete “{name}” with its transcript, edits and caches?",
            parent=self,
        )
        box.setInformativeText("Your recordings are not touched: only what Wordcut made goes.")
        delete = box.addButton("Delete Project", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is delete:
            self.delete(pid)

    def delete(self, project_id: str) -> None:
        try:
            self.ctx.store.delete_project(project_id)
        except Exception as exc:
            self.ctx.report(exc)
        self.ctx.settings.forget_recent(project_id)
        self.refresh()

    # --- new project from files ---------------------------------------------------------------

    def start_import(self, files: list[Path]) -> ImportPanel | None:
        if self.import_panel is not None:
            return None
        panel = ImportPanel(self.ctx, files)
        panel.projectImported.connect(self._imported)
        panel.finished.connect(self._import_finished)
        self.import_panel = panel
        self.right.addWidget(panel)
        self.right.setCurrentWidget(panel)
        panel.name.setFocus()
        panel.name.selectAll()
        return panel

    def _imported(self, project_id: str) -> None:
        self.refresh()
        self.importedRequested.emit(project_id)

    def _import_finished(self) -> None:
        panel, self.import_panel = self.import_panel, None
        self.right.setCurrentWidget(self.drop)
        if panel is not None:
            self.right.removeWidget(panel)
            panel.deleteLater()
        self.refresh()

    def dragEnterEvent(self, event: object) -> None:
        self.drop.dragEnterEvent(event)  # type: ignore[arg-type]

    def dropEvent(self, event: object) -> None:
        self.drop.dropEvent(event)  # type: ignore[arg-type]

    def closeEvent(self, event: QCloseEvent) -> None:
        panel = self.import_panel
        if panel is not None and panel.busy:
            event.ignore()
            panel.finished.connect(self.close, Qt.ConnectionType.SingleShotConnection)
            panel._cancel()
            return
        if not self.ctx.fixed_layout:
            self.ctx.settings.set_geometry("library", self.saveGeometry())
        super().closeEvent(event)
