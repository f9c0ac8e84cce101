"""The app's windows: the start screen (library) and one editor window per open project.

Closing an editor window brings the library back; quitting closes everything (each editor
window cancels its jobs first). Opening a project that cannot be opened (a damaged log, a
project deleted meanwhile) reports one line and leaves the library as it was.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from editor.ui.context import AppContext

log = logging.getLogger(__name__)


class Shell(QObject):
    windowInteractive = Signal(QWidget)
    """A window is on screen and ready for input (the screenshot mode waits for this)."""
    projectOpened = Signal(QWidget)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.library: Any = None
        self.editors: list[Any] = []
        self.quitting = False

    def show_library(self) -> Any:
        from editor.ui.start_screen.window import StartScreen

        if self.library is None:
            self.library = StartScreen(self.ctx)
            self.library.openRequested.connect(self.open_project)
            self.library.importedRequested.connect(lambda pid: self.open_project(pid, True))
            self.library.destroyed.connect(self._library_gone)
        self.library.refresh()
        self.library.show()
        self.library.raise_()
        self.library.activateWindow()
        QTimer.singleShot(0, lambda: self._library_ready())
        return self.library

    def _library_ready(self) -> None:
        if self.library is not None and self.library.isVisible():
            self.windowInteractive.emit(self.library)

    def _library_gone(self) -> None:
        self.library = None

    def open_project(self, ref: str, transcribe: bool = False) -> Any:
        """Open ``ref`` (name or id) in an editor window; the existing one if it is open.

        ``transcribe``: start transcribing its tracks once the window is up (a new import)."""
        from editor.project import open_project
        from editor.ui.main_window import EditorWindow

        for w in self.editors:
            if ref in (w.project.id, w.project.name):
                w.raise_()
                w.activateWindow()
                return w
        try:
            project = open_project(self.ctx.store, ref)
        except Exception as exc:
            self.ctx.report(exc)
            return None
        try:
            window = EditorWindow(self.ctx, project)
        except BaseException:
            project.close()
            raise
        window.auto_transcribe = transcribe
        self.editors.append(window)
        self.ctx.settings.add_recent(project.id)
        window.interactive.connect(lambda: self.windowInteractive.emit(window))
        window.closed.connect(lambda: self._editor_closed(window))
        window.libraryRequested.connect(self.show_library)
        window.openRequested.connect(self.open_project)
        window.newProjectRequested.connect(self._new_project)
        window.show()
        if self.library is not None:
            self.library.hide()
        self.projectOpened.emit(window)
        return window

    def _new_project(self) -> None:
        library = self.show_library()
        library.new_project()

    def _editor_closed(self, window: Any) -> None:
        if window in self.editors:
            self.editors.remove(window)
        if not self.editors and not self.quitting and not _app_closing():
            self.show_library()

    def quit(self) -> None:
        self.quitting = True
        QApplication.closeAllWindows()


def _app_closing() -> bool:
    app = QApplication.instance()
    return bool(app is not None and app.property("wordcut-closing"))
