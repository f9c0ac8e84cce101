"""File → Export: format, bitrate, loudness, tags and cover art, chapters from sections;
progress and Cancel while it renders; "Show in Folder" when it is done.

The export is prepared on the GUI thread (``editor.export_service.prepare_export`` snapshots the
programme and refuses bad options in milliseconds) and run on a job thread, so the user keeps
editing while it renders; a cancelled or failed render leaves no file behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.ui.jobs import Job, JobCancelled

if TYPE_CHECKING:
    from editor.ui.main_window import EditorWindow

FORMATS = (("MP3", "mp3"), ("M4A (AAC)", "m4a"), ("WAV", "wav"), ("FLAC", "flac"))
BITRATES = {"mp3": (128, 192, 320), "m4a": (64, 96, 128, 160, 192, 256, 320)}
DEFAULT_KBPS = {"mp3": 192, "m4a": 128}


def _path_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(button)
    return row


class ExportDialog(QDialog):
    def __init__(self, window: EditorWindow) -> None:
        super().__init__(window)
        self.w = window
        self.job: Job | None = None
        self.result: Any = None
        self.setWindowTitle("Export Episode")
        self.setAccessibleName("Export episode")
        self.setMinimumWidth(520)
        settings = window.ctx.settings
        folder = Path(settings.export_folder() or Path.home())
        name = window.project.name
        self.format = QComboBox()
        for label, fmt in FORMATS:
            self.format.addItem(label, fmt)
        self.bitrate = QComboBox()
        self.path = QLineEdit(str(folder / f"{name}.mp3"))
        self.path.setAccessibleName("Export file")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.normalise = QCheckBox("Normalise loudness")
        self.normalise.setChecked(True)
        self.loudness = QDoubleSpinBox()
        self.loudness.setRange(-40.0, -5.0)
        self.loudness.setDecimals(1)
        self.loudness.setSuffix(" LUFS")
        self.loudness.setValue(settings.loudness())
        self.normalise.toggled.connect(self.loudness.setEnabled)
        self.title = QLineEdit(name)
        self.show_name = QLineEdit()
        self.show_name.setPlaceholderText("Show name (artist)")
        self.episode = QSpinBox()
        self.episode.setRange(0, 100000)
        self.episode.setSpecialValueText("none")
        self.cover = QLineEdit()
        self.cover.setPlaceholderText("JPEG or PNG, optional")
        cover_button = QPushButton("Choose…")
        cover_button.clicked.connect(self._choose_cover)
        self.chapters = QCheckBox("Chapters from sections")
        sections = len(window.controller.document.sections)
        self.chapters.setChecked(sections > 1)
        self.chapters.setEnabled(sections > 1)
        self.chapters.setToolTip(f"{sections} section(s); chapters need two or more")

        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.setHorizontalSpacing(12)
        form.addRow("Format", self.format)
        form.addRow("Bitrate", self.bitrate)
        form.addRow("Save as", _path_row(self.path, browse))
        form.addRow("", self.normalise)
        form.addRow("Loudness target", self.loudness)
        form.addRow("Title", self.title)
        form.addRow("Show", self.show_name)
        form.addRow("Episode", self.episode)
        form.addRow("Cover art", _path_row(self.cover, cover_button))
        form.addRow("", self.chapters)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        self.reveal_button = QPushButton("Show in Folder")
        self.reveal_button.setVisible(False)
        self.reveal_button.clicked.connect(self.show_in_folder)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reveal_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()
        self.path.setFocus()
        self.path.selectAll()

    # --- form -------------------------------------------------------------------------------

    def fmt(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        fmt = self.fmt()
        self.bitrate.clear()
        for kbps in BITRATES.get(fmt, ()):
            self.bitrate.addItem(f"{kbps} kbps", kbps * 1000)
        self.bitrate.setEnabled(fmt in BITRATES)
        if fmt in DEFAULT_KBPS:
            self.bitrate.setCurrentIndex(BITRATES[fmt].index(DEFAULT_KBPS[fmt]))
        else:
            self.bitrate.addItem("lossless", 0)
        path = Path(self.path.text())
        self.path.setText(str(path.with_suffix(f".{fmt}")))

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Export as", self.path.text())
        if chosen:
            self.path.setText(chosen)

    def _choose_cover(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Cover art", "", "Images (*.jpg *.jpeg *.png)"
        )
        if chosen:
            self.cover.setText(chosen)

    def options(self) -> Any:
        from render.export import ExportOptions, Loudness, Tags

        fmt = self.fmt()
        cover = self.cover.text().strip()
        return ExportOptions(
            format=fmt,
            bitrate=int(self.bitrate.currentData() or 0) if fmt in BITRATES else 0,
            loudness=Loudness(self.loudness.value()) if self.normalise.isChecked() else None,
            tags=Tags(
                title=self.title.text().strip() or None,
                artist=self.show_name.text().strip() or None,
                episode=self.episode.value() or None,
                cover=Path(cover) if cover else None,
            ),
        )

    # --- running ----------------------------------------------------------------------------

    def start(self) -> Job | None:
        from editor.export_service import prepare_export

        out = Path(self.path.text().strip()).expanduser()
        try:
            job = prepare_export(
                self.w.project,
                out,
                self.options(),
                write_chapters_file=self.chapters.isChecked(),
            )
            if not self.chapters.isChecked():
                from dataclasses import replace

                job = replace(job, chapters=())
        except Exception as exc:
            self.w.ctx.report(exc)
            return None
        self.w.ctx.settings.set_export_folder(str(out.parent))
        if self.normalise.isChecked():
            self.w.ctx.settings.set_loudness(self.loudness.value())
        self._running(True)
        self.job = self.w.ctx.jobs.submit(
            "export",
            lambda ctx: job.run(ctx.progress, ctx.cancelled),
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
        )
        self.w.jobs.track(self.job, f"Exporting {out.name}")
        return self.job

    def _running(self, on: bool) -> None:
        self.progress.setVisible(on or self.result is not None)
        self.export_button.setEnabled(not on)
        self.cancel_button.setText("Cancel Export" if on else "Close")
        self.status.setText("Rendering…" if on else self.status.text())

    def _progress(self, done: float, total: float) -> None:
        fraction = done / total if total else 0.0
        self.progress.setValue(int(1000 * fraction))
        if self.job is not None:
            self.w.jobs.update_job(self.job, fraction)

    def _done(self, result: Any) -> None:
        self._finish_job()
        self.result = result
        self.progress.setValue(1000)
        r = result.result
        loud = (
            f", {r.measured.integrated_lufs:.1f} LUFS → {r.gain_db:+.1f} dB" if r.measured else ""
        )
        self.status.setText(f"Saved {r.path.name} ({r.duration / 60:.1f} min{loud})")
        self.reveal_button.setVisible(True)
        self._running(False)

    def _failed(self, exc: BaseException) -> None:
        self._finish_job()
        self._running(False)
        self.progress.setVisible(False)
        from render.errors import Cancelled

        if isinstance(exc, Cancelled | JobCancelled):
            self.status.setText("Export cancelled; no file was written.")
            return
        self.status.setText("Export failed.")
        self.w.ctx.report(exc)

    def _finish_job(self) -> None:
        if self.job is not None:
            self.w.jobs.finish(self.job)
            self.job = None

    def _cancel(self) -> None:
        if self.job is not None:
            self.status.setText("Cancelling…")
            self.job.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        if self.job is not None:  # closing the dialog cancels the render; it ends by itself
            self.job.cancel()
        super().reject()

    def show_in_folder(self) -> None:
        if self.result is not None:
            folder = self.result.result.path.parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
