"""The dock holding the side panels as tabs; each panel refreshes itself after every edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDockWidget, QTabWidget, QWidget

from editor.ui.panels.fillers import FillersPanel
from editor.ui.panels.pauses import PausesPanel
from editor.ui.panels.sections import SectionsPanel
from editor.ui.panels.tracks import TracksPanel

if TYPE_CHECKING:
    from editor.ui.main_window import EditorWindow


class PanelsDock(QDockWidget):
    def __init__(self, window: EditorWindow, parent: QWidget | None = None) -> None:
        super().__init__("Panels", parent)
        self.setObjectName("PanelsDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.setTitleBarWidget(QWidget())
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.sections = SectionsPanel(window)
        self.fillers = FillersPanel(window)
        self.pauses = PausesPanel(window)
        self.tracks = TracksPanel(window)
        for panel, title in (
            (self.sections, "Sections"),
            (self.fillers, "Fillers"),
            (self.pauses, "Pauses"),
            (self.tracks, "Tracks"),
        ):
            self.tabs.addTab(panel, title)
        self.setWidget(self.tabs)
        self.setMinimumWidth(300)
        self._stale: set[QWidget] = set()
        window.controller.settled.connect(self.refresh)
        window.controller.tracksChanged.connect(self.tracks.refresh)
        self.tabs.currentChanged.connect(lambda _: self._refresh_current())
        # Filled once the window is interactive (EditorWindow calls refresh): they need the
        # programme map, which the transcript's first paint must not wait for.
        self._stale = {self.sections, self.fillers, self.pauses, self.tracks}

    def refresh(self) -> None:
        """After edits settle: the visible panel now, the others when they are shown (each
        reads the whole transcript; four of them per keystroke would be felt)."""
        self._stale = {self.sections, self.fillers, self.pauses, self.tracks}
        self._refresh_current()

    def _refresh_current(self) -> None:
        panel = self.tabs.currentWidget()
        if panel in self._stale:
            self._stale.discard(panel)
            panel.refresh()  # type: ignore[attr-defined]
