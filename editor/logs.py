"""The log file every front end writes: a rotating log in the user log folder, and faulthandler.

Why a file and not the terminal: the CLI promises one clear line per failure, and the app shows
one dialog; the traceback a bug report needs goes here instead, where the user can open it
(the CLI's last-resort line names the file). Both front ends call :func:`install_logging` once at
start; library code only ever uses ``logging.getLogger(__name__)``.

Where: ``$WORDCUT_LOG_DIR`` if set; else ``$WORDCUT_HOME/logs`` when a home is set (tests and
portable installs keep everything in one folder); else the platform's user log folder
(platformdirs ``user_log_dir``, e.g. ``~/.local/state/Wordcut/log`` on Linux). The log is
``wordcut.log`` (1 MiB, 5 old copies kept); native crashes (a segfault in a C library) are
written by :mod:`faulthandler` to ``crash.log`` beside it.

A folder that cannot be created (read-only home) never stops the program: the records are
dropped, and :func:`log_unexpected` says so in the line the user reads.
"""

from __future__ import annotations

import faulthandler
import io
import logging
import logging.handlers
import os
from pathlib import Path
from typing import IO

import platformdirs

from editor import paths

LOG_DIR_ENV = "WORDCUT_LOG_DIR"
LOG_NAME = "wordcut.log"
CRASH_NAME = "crash.log"
MAX_BYTES = 1 << 20
BACKUPS = 5
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("wordcut")

_handler: logging.Handler | None = None
_crash_file: IO[str] | None = None


def log_dir() -> Path:
    """The folder the log files go to (see the module docstring for the order)."""
    explicit = os.environ.get(LOG_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(paths.HOME_ENV):
        return paths.wordcut_home() / "logs"
    return Path(platformdirs.user_log_dir(paths.APP_NAME, appauthor=False))


def log_path() -> Path:
    """The current log file (it exists once something was logged)."""
    return log_dir() / LOG_NAME


class _LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log, created (folder and file) by its first record, never before.

    A clean run leaves nothing behind, and a folder that cannot be written costs the record,
    not the program: ``handleError`` would print "--- Logging error ---" to the terminal.
    """

    def _open(self) -> io.TextIOWrapper:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed = True

    failed = False


def install_logging(level: int = logging.INFO) -> Path:
    """Send every logger's records at ``level`` and above to the rotating file; idempotent.

    Returns the log file. Records never reach the terminal: Python's last-resort handler, which
    would print warnings to stderr, is shadowed by this one. :mod:`faulthandler` is pointed at
    ``crash.log`` unless someone (a test runner, the app) enabled it already.
    """
    global _handler, _crash_file
    target = log_path()
    if _handler is not None:
        return target
    handler = _LogFile(
        target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    _handler = handler
    if not faulthandler.is_enabled():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _crash_file = open(target.parent / CRASH_NAME, "a", encoding="utf-8")  # noqa: SIM115
        except OSError:
            _crash_file = None
        else:
            faulthandler.enable(file=_crash_file, all_threads=True)
    return target


def uninstall_logging() -> None:
    """Detach what :func:`install_logging` attached (tests; the app's shutdown)."""
    global _handler, _crash_file
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None
    if _crash_file is not None:
        faulthandler.disable()
        _crash_file.close()
        _crash_file = None


def log_unexpected(exc: BaseException, context: str = "") -> str:
    """Log ``exc`` with its traceback; return where the details are, for the user's one line.

    The result reads ``"details in /path/wordcut.log"`` (or says no log could be written).
    """
    where = install_logging()
    message = f"unexpected error{f' in {context}' if context else ''}: {type(exc).__name__}"
    log.error("%s: %s", message, exc, exc_info=(type(exc), exc, exc.__traceback__))
    if _handler is not None:
        _handler.flush()
    if not where.is_file() or (isinstance(_handler, _LogFile) and _handler.failed):
        return f"no log could be written to {where.parent}"
    return f"details in {where}"
