"""``main()``: the desktop app's entry point — QApplication, Fusion + theme, settings, the error
route and the log, then the start screen or a project's editor window.

Startup is measured (``wordcut app P --screenshot`` ≤ 1.5 s from here to interactive on a 15,000
word project), so this module imports only what the first window needs; the waveform module
and pyqtgraph load after the transcript has been painted.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from editor.ui.context import AppContext
from editor.ui.error_route import ErrorRoute
from editor.ui.jobs import JobRunner
from editor.ui.settings import Settings
from editor.ui.theme import apply_theme

log = logging.getLogger(__name__)

SCREENSHOT_TIMEOUT_MS = 60_000


def make_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication (created once; tests reuse pytest-qt's)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QCoreApplication.setOrganizationName("Wordcut")
    QCoreApplication.setApplicationName("Wordcut")
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(argv if argv is not None else [sys.argv[0]])
    app.setApplicationDisplayName("Wordcut")
    app.setDesktopFileName("wordcut")
    return app


def make_context(app: QApplication, *, interactive: bool = True) -> AppContext:
    """Open the library and build what every window shares."""
    from editor.store import open_store

    settings = Settings()
    apply_theme(app, settings.theme())
    errors = ErrorRoute(app, interactive=interactive)
    jobs = JobRunner(app, unexpected=errors.report)
    store = open_store()
    return AppContext(store=store, settings=settings, errors=errors, jobs=jobs)


def main(project: str | None = None, screenshot: Path | None = None) -> int:
    """Run the app; with ``screenshot``, save the window once interactive and exit 0."""
    started = time.perf_counter()
    cpu = time.process_time()
    from editor.logs import install_logging

    install_logging()
    if os.environ.get("WORDCUT_TEST_SETTINGS"):
        QStandardPaths.setTestModeEnabled(True)
    app = make_application()
    ctx = make_context(app, interactive=screenshot is None)
    ctx.fixed_layout = screenshot is not None
    ctx.errors.install()
    from editor.ui.shell import Shell

    shell = Shell(ctx)
    status = {"code": 0}
    if screenshot is not None:
        _arm_screenshot(shell, screenshot, (started, cpu), status)
    try:
        if project is not None and shell.open_project(project) is None:
            # It could not open (a damaged edit log): say why on the terminal too, since the
            # dialog would never be seen — there is no window to run it in.
            message = ctx.errors.history[-1][0] if ctx.errors.history else project
            print(f"wordcut: error: {message}", file=sys.stderr)
            return 1
        if project is None:
            shell.show_library()
        code = app.exec()
    finally:
        ctx.errors.uninstall()
        ctx.jobs.shutdown()
        ctx.store.close()
    return status["code"] or code


def _arm_screenshot(
    shell: object, out: Path, started: tuple[float, float], status: dict[str, int]
) -> None:
    """Save the first window once it is interactive, then quit (non-zero on a timeout)."""
    from editor.ui.shell import Shell

    assert isinstance(shell, Shell)

    def save(window: QWidget) -> None:
        elapsed = time.perf_counter() - started[0]
        cpu = time.process_time() - started[1]
        # CPU time too: on a shared machine the wall time measures the neighbours as well.
        line = f"interactive {elapsed:.3f} s after main() ({cpu:.3f} s CPU); saved {out}"

        def grab() -> None:
            ok = window.grab().save(str(out))
            log.info("%s", line)
            print(line, file=sys.stderr)
            status["code"] = 0 if ok else 1
            shell.quit()
            QApplication.quit()

        # Two turns later: what the window fills in right after it is interactive (the
        # panels, the programme's length) is in the picture a bug report gets.
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, grab))

    def timeout() -> None:
        print("wordcut: error: the window did not become interactive in time", file=sys.stderr)
        status["code"] = 1
        QApplication.quit()

    shell.windowInteractive.connect(save)
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, timeout)
