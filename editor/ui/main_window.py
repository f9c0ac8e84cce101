"""The editor window: the transcript in the middle, the waveform above it, panels beside it,
transport on the toolbar, jobs in the status bar.

It wires widgets to each other and to the controller and transport; it shapes nothing itself
(the transcript model, the waveform's lanes and the panels do). Startup order is the point of
the bar "interactive in 1.5 s": the transcript is built and painted first; the waveform module
(and pyqtgraph with it, ~0.5 s of imports) is loaded on the next turn of the event loop, after
the view says ``ready()``; :attr:`EditorWindow.interactive` fires when both are on screen.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from editor.project import OpenProject
from editor.ui.actions import Actions, build_actions
from editor.ui.context import AppContext
from editor.ui.editing import EditController
from editor.ui.job_status import JobStatus
from editor.ui.transport import Transport
from editor.ui.transport_bar import TransportBar

log = logging.getLogger(__name__)


class EditorWindow(QMainWindow):
    """One open project. ``closed`` fires once the window has really closed (jobs stopped)."""

    interactive = Signal()
    closed = Signal()
    libraryRequested = Signal()
    openRequested = Signal(str)
    """A project id from File → Open Recent."""
    newProjectRequested = Signal()

    def __init__(self, ctx: AppContext, project: OpenProject) -> None:
        super().__init__()
        from editor.ui.transcript import TranscriptView
        from editor.viewmodel import TranscriptModel

        self.ctx = ctx
        self.project = project
        self.setObjectName("EditorWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setAccessibleName(f"Wordcut editor: {project.name}")
        self.model = TranscriptModel(project.document)
        self.controller = EditController(project, self.model, ctx.report, self)
        self.view = TranscriptView(self.model, self)
        self.view.setAccessibleName("Transcript")
        self.transport = Transport(
            self.controller,
            ctx.report,
            factory=lambda edl, words, device: ctx.player_factory(edl, words, device),
            device=ctx.settings.device,
            parent=self,
        )
        self.waveform: Any = None
        self.is_interactive = False
        self.auto_transcribe = False
        """Transcribe once on screen (set for a project just made from dropped files)."""
        self._closing = False
        self._transcript_ready = False

        self._wave_host = QWidget()
        self._wave_host.setMinimumHeight(130)
        QVBoxLayout(self._wave_host).setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("EditorSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._wave_host)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 600])
        self.setCentralWidget(splitter)

        self.acts: Actions = build_actions(self)
        self.transport_bar = TransportBar(self.transport, self.acts, self)
        self.addToolBar(self.transport_bar)
        self.jobs = JobStatus(self)
        self.statusBar().addPermanentWidget(self.jobs)
        self.statusBar().setSizeGripEnabled(False)

        from editor.ui.panels.dock import PanelsDock

        self.panels = PanelsDock(self, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panels)

        from editor.ui.window_wiring import wire

        wire(self)
        self._restore_geometry()
        self._update_title()

    # --- startup ----------------------------------------------------------------------------

    def on_transcript_ready(self) -> None:
        if self._transcript_ready:
            return
        self._transcript_ready = True
        QTimer.singleShot(0, self._load_waveform)

    def _load_waveform(self) -> None:
        if self._closing:
            return
        from editor.ui.waveform.binding import WaveformBinding

        self.waveform = WaveformBinding(self, self._wave_host)
        self.waveform.view.drawn.connect(self._waveform_drawn)
        self.waveform.load()

    def _waveform_drawn(self) -> None:
        if not self.is_interactive:
            self.is_interactive = True
            self.interactive.emit()
            QTimer.singleShot(0, self._after_interactive)

    def _after_interactive(self) -> None:
        if self._closing:
            return
        self.transport_bar.show_position(self.transport.position)
        self.panels.refresh()
        self._resume_jobs()

    def _resume_jobs(self) -> None:
        from editor.ui.transcription import (
            pending_tracks,
            resume_if_interrupted,
            start_transcription,
        )

        if self._closing:
            return
        if self.auto_transcribe and pending_tracks(self):
            start_transcription(self)
        else:
            resume_if_interrupted(self)

    @property
    def is_closing(self) -> bool:
        return self._closing

    # --- state shown in the chrome ------------------------------------------------------------

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.project.name}[*] — Wordcut")
        self.setWindowModified(self.controller.modified)
        can_undo, can_redo = self.controller.can_undo(), self.controller.can_redo()
        self.acts.undo.setEnabled(can_undo)
        self.acts.redo.setEnabled(can_redo)
        # Every edit is on disk before it is shown, so there is never anything to save.
        self.statusBar().showMessage("All edits saved")

    def show_message(self, text: str, ms: int = 4000) -> None:
        self.statusBar().showMessage(text, ms)

    def copy_selection(self) -> None:
        text = self.model.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def open_log_folder(self) -> None:
        from PySide6.QtCore import QUrl

        from editor.logs import log_dir

        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # --- geometry ---------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        if self.ctx.fixed_layout:
            self.resize(1280, 800)
            QTimer.singleShot(
                0, lambda: self.resizeDocks([self.panels], [330], Qt.Orientation.Horizontal)
            )
            return
        geometry = self.ctx.settings.geometry("editor")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        state = self.ctx.settings.geometry("editor-state")
        if state is None or not self.restoreState(state):
            # Before the first show the dock has no size to take from; give it one after.
            QTimer.singleShot(
                0, lambda: self.resizeDocks([self.panels], [330], Qt.Orientation.Horizontal)
            )

    # --- closing ----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel this window's jobs and close once they have stopped (never wait on one)."""
        running = self.jobs.running()
        if running:
            self._closing = True
            event.ignore()
            self.jobs.cancel_all()
            self.jobs.all_done.connect(self.close, Qt.ConnectionType.SingleShotConnection)
            return
        self._closing = True
        if not self.ctx.fixed_layout:
            self.ctx.settings.set_geometry("editor", self.saveGeometry())
            self.ctx.settings.set_geometry("editor-state", self.saveState())
        self.transport.close()
        self.controller.close()
        if self.waveform is not None:
            self.waveform.close()
        self.project.close()
        super().closeEvent(event)
        self.closed.emit()
