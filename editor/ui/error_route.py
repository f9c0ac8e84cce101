"""One route for every error that reaches the app: excepthooks, worker errors, failed actions.

Expected errors (the typed ``EditorError`` / ``RenderError`` / ``SyncError`` families) are the
user's to fix: they get one clear line in a message box, and the document is unchanged because
every layer validates before it changes anything. Anything else is a bug: it is logged with its
traceback (the rotating log in the user log folder) and shown once in a dialog with
"Copy details", and the app keeps running. ``sys.excepthook`` (exceptions escaping a slot) and
``threading.excepthook`` (a thread the job runner does not own) both end here; a thread's error
is handed to the GUI thread through a queued signal first.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger("wordcut.ui")


def is_expected(exc: BaseException) -> bool:
    """True for the errors Wordcut raises on purpose, whose message is meant for the user."""
    from editor.errors import EditorError
    from editor.ui.jobs import JobCancelled
    from render.errors import RenderError
    from sync.errors import SyncError

    return isinstance(exc, EditorError | RenderError | SyncError | JobCancelled | OSError)


def user_message(exc: BaseException) -> str:
    """The one line a user reads for an expected error."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return str(exc) or type(exc).__name__


def details_of(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


class ErrorRoute(QObject):
    """Shows errors to the user, one dialog at a time; records them for tests and the log.

    ``interactive=False`` (tests, ``--screenshot``) records and logs without opening dialogs.
    """

    _from_thread = Signal(object)
    reported = Signal(str, bool)
    """``(message, unexpected)`` after each error was shown or recorded."""

    def __init__(self, parent: QObject | None = None, *, interactive: bool = True) -> None:
        super().__init__(parent)
        self.interactive = interactive
        self.window: Callable[[], QWidget | None] = lambda: None
        self.history: list[tuple[str, bool, str]] = []
        self._open: QWidget | None = None
        self._from_thread.connect(self.report)
        self._saved_hooks: tuple[Any, Any] | None = None

    # --- hooks ------------------------------------------------------------------------------

    def install(self) -> None:
        """Route ``sys.excepthook`` and ``threading.excepthook`` here (``uninstall`` undoes)."""
        self._saved_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        if self._saved_hooks is not None:
            sys.excepthook, threading.excepthook = self._saved_hooks
            self._saved_hooks = None

    def _sys_hook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            from PySide6.QtWidgets import QApplication

            QApplication.quit()
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        self.report(exc)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self._from_thread.emit(args.exc_value)

    # --- reporting --------------------------------------------------------------------------

    def report(self, exc: BaseException, context: str | None = None) -> None:
        """Tell the user about ``exc`` (GUI thread only; threads go through the hooks)."""
        expected = is_expected(exc)
        message = user_message(exc)
        if context:
            message = f"{context}: {message}"
        if expected:
            log.warning("%s", message)
            details = ""
        else:
            details = details_of(exc)
            log.error("unexpected error: %s\n%s", message, details)
        self.history.append((message, not expected, details))
        if self.interactive:
            self._show(message, details)
        self.reported.emit(message, not expected)

    def _show(self, message: str, details: str) -> None:
        if self._open is not None and self._open.isVisible():
            return  # one dialog at a time; the rest are in the log
        if details:
            from editor.ui.error_dialog import ErrorDialog

            dialog: QWidget = ErrorDialog(message, details, self.window())
        else:
            box = QMessageBox(QMessageBox.Icon.Warning, "Wordcut", message, parent=self.window())
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            dialog = box
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self._open = dialog
        dialog.show()
