"""The project's tracks: gain, mute, clock offset, transcription state, and "Locate…" for a
recording that moved. Gain and mute change the mix at once (the EDL is derived again); the
offset can be set until the track is transcribed (its words are placed on the shared clock
then). Add Files imports more recordings as new tracks, with progress and Cancel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.project import TrackState, locate_track
from editor.ui.import_job import commit_import, default_labels, plan_import, run_import
from editor.ui.jobs import JobCancelled
from editor.ui.start_screen.drop_zone import choose_audio

if TYPE_CHECKING:
    from editor.ui.main_window import EditorWindow

MUTE_KEY = "mute"
"""Where a track's mute switch is kept: its metadata (``OpenProject.edl_tracks`` reads it)."""


class TracksPanel(QWidget):
    def __init__(self, window: EditorWindow) -> None:
        super().__init__()
        self.w = window
        self.rows = QVBoxLayout()
        self.rows.setSpacing(8)
        add = QPushButton("Add Files…")
        add.clicked.connect(self.add_files)
        transcribe = QPushButton("Transcribe")
        transcribe.clicked.connect(window.acts.transcribe.trigger)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(transcribe)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self.rows)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._built_for: list[tuple[Any, ...]] = []

    # --- rows -------------------------------------------------------------------------------

    def refresh(self) -> None:
        tracks = self.w.project.tracks
        shape = [(t.id, t.record, t.missing) for t in tracks]
        if shape == self._built_for:
            return
        self._built_for = shape
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not tracks:
            self.rows.addWidget(QLabel("No recordings yet: add files to start."))
        for t in tracks:
            self.rows.addWidget(self._card(t))

    def _card(self, t: TrackState) -> QGroupBox:
        """One track: gain, mute, offset, and its state (or Locate… when the file moved)."""
        card = QGroupBox(t.label.replace("&", "&&"))  # a title's & is a mnemonic otherwise
        card.setToolTip(str(t.record.media_path))
        form = QFormLayout(card)
        form.setVerticalSpacing(6)
        gain = QDoubleSpinBox()
        gain.setRange(-24.0, 24.0)
        gain.setSingleStep(0.5)
        gain.setSuffix(" dB")
        gain.setValue(t.record.gain_db)
        gain.setAccessibleName(f"Gain of {t.label}")
        gain.editingFinished.connect(lambda t=t, g=gain: self.set_gain(t.id, g.value()))
        mute = QCheckBox("Mute")
        mute.setAccessibleName(f"Mute {t.label}")
        mute.setChecked(bool(t.record.metadata.get(MUTE_KEY, False)))
        mute.toggled.connect(lambda on, t=t: self.set_mute(t.id, on))
        row = QHBoxLayout()
        row.addWidget(gain, 1)
        row.addWidget(mute)
        form.addRow("Gain", row)
        offset = QDoubleSpinBox()
        offset.setRange(-3600.0, 3600.0)
        offset.setDecimals(3)
        offset.setSingleStep(0.01)
        offset.setSuffix(" s")
        offset.setValue(t.record.clock_offset)
        offset.setAccessibleName(f"Clock offset of {t.label}")
        transcribed = any(tr.id == t.id for tr in self.w.controller.document.tracks)
        offset.setEnabled(not transcribed)
        if transcribed:
            offset.setToolTip("The offset is fixed once the track is transcribed")
        offset.editingFinished.connect(lambda t=t, o=offset: self.set_offset(t.id, o.value()))
        form.addRow("Offset", offset)
        if t.missing:
            locate = QPushButton("Locate…")
            locate.setToolTip(f"{t.record.media_path} is missing")
            locate.clicked.connect(lambda _=False, t=t: self._locate(t.id))
            form.addRow("Recording missing", locate)
        else:
            form.addRow("State", QLabel(_status(t)))
        return card

    # --- changes ----------------------------------------------------------------------------

    def _update(self, track_id: str, **fields: Any) -> bool:
        try:
            record = self.w.project.store.update_track(track_id, **fields)
        except Exception as exc:
            self.w.ctx.report(exc)
            return False
        for t in self.w.project.tracks:
            if t.id == track_id:
                t.record = record
        self.w.controller.invalidate()
        return True

    def set_gain(self, track_id: str, gain_db: float) -> bool:
        return self._update(track_id, gain_db=float(gain_db))

    def set_offset(self, track_id: str, seconds: float) -> bool:
        return self._update(track_id, clock_offset=float(seconds))

    def set_mute(self, track_id: str, on: bool) -> bool:
        t = next(t for t in self.w.project.tracks if t.id == track_id)
        return self._update(track_id, metadata={**t.record.metadata, MUTE_KEY: bool(on)})

    def _locate(self, track_id: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Locate the recording")
        if path:
            self.locate(track_id, Path(path))

    def locate(self, track_id: str, path: Path) -> bool:
        try:
            record = locate_track(self.w.project.store, self.w.project.id, track_id, path)
        except Exception as exc:
            self.w.ctx.report(exc)
            return False
        for t in self.w.project.tracks:
            if t.id == track_id:
                t.record, t.missing = record, False
        self.w.controller.invalidate()
        return True

    # --- more tracks ------------------------------------------------------------------------

    def add_files(self, files: list[Path] | None = None) -> None:
        files = files if files is not None else choose_audio(self)
        if not files:
            return
        project = self.w.project
        taken = {t.label for t in project.tracks}
        try:
            plan = plan_import(project.store, project.id, files, default_labels(files, taken))
        except Exception as exc:
            self.w.ctx.report(exc)
            return
        job = self.w.ctx.jobs.submit(
            "import",
            lambda ctx: run_import(plan, ctx),
            on_done=lambda p: self._imported(job, p),
            on_error=lambda e: self._failed(job, e),
            on_progress=lambda d, n: self.w.jobs.update_job(job, d / n if n else 0.0),
        )
        self.w.jobs.track(job, f"Importing {len(files)} file{'s' if len(files) > 1 else ''}")

    def _imported(self, job: Any, plan: Any) -> None:
        self.w.jobs.finish(job)
        try:
            records = commit_import(self.w.project.store, plan)
        except Exception as exc:
            self.w.ctx.report(exc)
            return
        for r in records:
            self.w.project.tracks.append(TrackState(r, missing=False))
        self.w.controller.invalidate()
        self.w.show_message(f"Imported {len(records)} track(s); transcribe them to edit")

    def _failed(self, job: Any, exc: BaseException) -> None:
        self.w.jobs.finish(job)
        if not isinstance(exc, JobCancelled):
            self.w.ctx.report(exc)


def _status(t: TrackState) -> str:
    return {
        "pending": "not transcribed",
        "in_progress": "transcribing",
        "completed": "transcribed",
        "failed": "has gaps",
    }.get(t.record.transcription_status, t.record.transcription_status)
