"""After a drop: name the project, label each track, import with progress and Cancel.

The project is created only when the import starts, and deleted again if the import fails or is
cancelled, so a broken file leaves the library exactly as it was; the error names the file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.ui.context import AppContext
from editor.ui.import_job import commit_import, default_labels, plan_import, run_import
from editor.ui.jobs import Job, JobCancelled


class ImportPanel(QWidget):
    projectImported = Signal(str)
    """The new project's id, once every track is recorded."""
    finished = Signal()
    """Imported, failed or cancelled: the start screen shows the drop zone again."""

    def __init__(self, ctx: AppContext, files: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.files = files
        self.job: Job | None = None
        self._project_id: str | None = None
        self.setAccessibleName("New project from files")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        title = QLabel(f"<b>New project from {len(files)} file{'s' if len(files) > 1 else ''}</b>")
        layout.addWidget(title)
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        stem = files[0].stem.replace("_", " ") if len(files) == 1 else ""
        self.name = QLineEdit(stem or f"Episode {date.today():%Y-%m-%d}")
        self.name.setAccessibleName("Project name")
        form.addRow("Project name", self.name)
        self.labels: list[QLineEdit] = []
        for f, label in zip(files, default_labels(files), strict=True):
            edit = QLineEdit(label)
            edit.setAccessibleName(f"Track label for {f.name}")
            edit.setToolTip(str(f))
            self.labels.append(edit)
            form.addRow(f"Track: {f.name}".replace("&", "&&"), edit)
        layout.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(self._cancel)
        self.go = QPushButton("Create && Import")
        self.go.setDefault(True)
        self.go.setAccessibleName("Create project and import")
        self.go.clicked.connect(self.start)
        for edit in (self.name, *self.labels):  # Return starts it (not a dialog: no default)
            edit.returnPressed.connect(self.go.click)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.go)
        layout.addLayout(buttons)

    def start(self) -> None:
        store = self.ctx.store
        try:
            project = store.create_project(self.name.text().strip())
        except Exception as exc:
            self.ctx.report(exc)
            return
        self._project_id = project.id
        try:
            plan = plan_import(store, project.id, self.files, [e.text() for e in self.labels])
        except Exception as exc:
            self._discard()
            self.ctx.report(exc)
            return
        for w in (self.name, self.go, *self.labels):
            w.setEnabled(False)
        self.progress.setVisible(True)
        self.status.setText("Decoding and building waveforms…")
        self.job = self.ctx.jobs.submit(
            "import",
            lambda ctx: run_import(plan, ctx),
            on_done=self._imported,
            on_error=self._failed,
            on_progress=lambda d, t: self.progress.setValue(int(1000 * d / t) if t else 0),
        )

    def _imported(self, plan: object) -> None:
        self.job = None
        try:
            commit_import(self.ctx.store, plan)  # type: ignore[arg-type]
        except Exception as exc:
            self._failed(exc)
            return
        self.progress.setValue(1000)
        project_id, self._project_id = self._project_id, None
        assert project_id is not None
        self.projectImported.emit(project_id)
        self.finished.emit()

    def _failed(self, exc: BaseException) -> None:
        self.job = None
        self._discard()
        if not isinstance(exc, JobCancelled):
            self.ctx.report(exc)
        self.finished.emit()

    def _discard(self) -> None:
        """Remove the project this panel created (its caches went with the failed job)."""
        if self._project_id is not None:
            try:
                self.ctx.store.delete_project(self._project_id)
            finally:
                self._project_id = None

    def _cancel(self) -> None:
        if self.job is not None:
            self.status.setText("Cancelling…")
            self.cancel.setEnabled(False)
            self.job.cancel()
        else:
            self.finished.emit()

    @property
    def busy(self) -> bool:
        return self.job is not None
