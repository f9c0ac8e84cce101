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
        window.controller.programmeChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        for panel in (self.sections, self.fillers, self.pauses, self.tracks):
            panel.refresh()
