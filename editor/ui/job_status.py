"""The status bar's job area: what runs for this window, how far it is, an ETA, and Cancel.

It shows the newest running job (the others are listed in its tooltip) and knows which jobs
belong to this window, so closing the window cancels exactly those.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from editor.ui.jobs import Job


def clock(seconds: float) -> str:
    s = max(0, int(seconds))
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


class JobStatus(QWidget):
    all_done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Background jobs")
        self._jobs: list[tuple[Job, str]] = []
        self._label = QLabel()
        self._bar = QProgressBar()
        self._bar.setRange(0, 1000)
        self._bar.setTextVisible(False)
        self._bar.setFixedWidth(180)
        self._bar.setFixedHeight(12)
        self._cancel = QPushButton("Cancel")
        self._cancel.setAccessibleName("Cancel job")
        self._cancel.clicked.connect(self.cancel_current)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 4, 0)
        layout.setSpacing(8)
        layout.addWidget(self._label)
        layout.addWidget(self._bar)
        layout.addWidget(self._cancel)
        self._refresh()

    def track(self, job: Job, title: str) -> None:
        self._jobs.append((job, title))
        self._label.setText(f"{title}…")
        self._bar.setValue(0)
        self._refresh()

    def update_job(self, job: Job, fraction: float, eta: float | None = None) -> None:
        title = next((t for j, t in self._jobs if j is job), None)
        if title is None or self._jobs[-1][0] is not job:
            return
        text = f"{title} — {fraction * 100:.0f} %"
        if eta is None and fraction > 0.02:
            elapsed = time.monotonic() - job.started
            eta = elapsed * (1 - fraction) / fraction
        if eta is not None and fraction < 1:
            text += f" · about {clock(eta)} left"
        self._label.setText(text)
        self._bar.setValue(int(max(0.0, min(1.0, fraction)) * 1000))

    def finish(self, job: Job) -> None:
        self._jobs = [(j, t) for j, t in self._jobs if j is not job]
        self._refresh()
        if not self._jobs:
            self.all_done.emit()

    def running(self) -> list[Job]:
        return [j for j, _ in self._jobs]

    def cancel_current(self) -> None:
        if self._jobs:
            job, title = self._jobs[-1]
            job.cancel()
            self._label.setText(f"{title} — cancelling…")
            self._cancel.setEnabled(False)

    def cancel_all(self) -> None:
        for job, _ in self._jobs:
            job.cancel()

    def _refresh(self) -> None:
        busy = bool(self._jobs)
        for w in (self._label, self._bar, self._cancel):
            w.setVisible(busy)
        self._cancel.setEnabled(busy)
        if busy:
            _job, _title = self._jobs[-1]
            others = [t for _, t in self._jobs[:-1]]
            self.setToolTip("Also running: " + ", ".join(others) if others else "")
