"""The "drop audio files here" area (also a button that opens the file dialog)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import QFileDialog, QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from editor.ui.import_job import AUDIO_SUFFIXES

FILTER = "Audio (" + " ".join(f"*{s}" for s in AUDIO_SUFFIXES) + ");;All files (*)"


def choose_audio(parent: QWidget) -> list[Path]:
    files, _ = QFileDialog.getOpenFileNames(parent, "Choose recordings", "", FILTER)
    return [Path(f) for f in files]


class DropZone(QFrame):
    filesDropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DropZone")
        self.setAccessibleName("Drop audio files to start a project")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumHeight(150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        title = QLabel("<b>Start a new episode</b>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel("Drop your recordings here — one file per host becomes one track")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        button = QPushButton("Choose Files…")
        button.setAccessibleName("Choose audio files")
        button.clicked.connect(self.choose)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self._set_hover(False)

    def choose(self) -> None:
        files = choose_audio(self)
        if files:
            self.filesDropped.emit(files)

    def _set_hover(self, on: bool) -> None:
        pal = self.palette()
        colour = pal.color(QPalette.ColorRole.Highlight if on else QPalette.ColorRole.Mid)
        self.setStyleSheet(
            f"#DropZone {{ border: 2px dashed {colour.name()}; border-radius: 10px; }}"
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
            self._set_hover(True)

    def dragLeaveEvent(self, event: object) -> None:
        self._set_hover(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hover(False)
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.filesDropped.emit(files)
