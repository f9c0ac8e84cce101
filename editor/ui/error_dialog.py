"""The dialog for an unexpected error: one readable line, the details folded away, a button that
copies them for a bug report, and one that opens the log folder."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class ErrorDialog(QDialog):
    """Shown once per unexpected error; the app keeps running behind it."""

    def __init__(self, message: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Wordcut — something went wrong")
        self.setAccessibleName("Unexpected error")
        self.details = details
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        headline = QLabel(
            "<b>Wordcut hit an unexpected problem.</b> Your edits are saved; you can keep working."
        )
        headline.setWordWrap(True)
        layout.addWidget(headline)
        text = QLabel(message)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)
        box = QPlainTextEdit(details)
        box.setReadOnly(True)
        box.setAccessibleName("Error details")
        box.setMinimumHeight(160)
        box.setVisible(False)
        layout.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        toggle = QPushButton("Show details")
        toggle.setCheckable(True)
        toggle.toggled.connect(box.setVisible)
        toggle.toggled.connect(lambda on: toggle.setText("Hide details" if on else "Show details"))
        copy = QPushButton("Copy details")
        copy.clicked.connect(self.copy_details)
        logs = QPushButton("Open log folder")
        logs.clicked.connect(self._open_logs)
        for b in (toggle, copy, logs):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 200)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)

    def _open_logs(self) -> None:
        from PySide6.QtCore import QUrl

        from editor.logs import log_dir

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))
