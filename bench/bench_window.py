"""A delete in the real editor window: cut → committed → every event processed (transcript
and waveform repainted), on bench_ui's 90-minute, 15,000-word, two-track project.

``bench_ui.py`` times the transcript view alone; this times the whole path a user's Delete
takes through the window: the controller submits the cut (durable commit, ``BEGIN IMMEDIATE``
… ``COMMIT`` with ``synchronous=FULL``), the committed change updates the view model, the EDL
and the waveform lanes, and the event loop repaints. Each cut is undone afterwards, so the
project is left as it was.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_window.py [--deletes 40]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_ui  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deletes", type=int, default=40)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WORDCUT_HOME"] = str(bench_ui.APP_HOME)
    bench_ui.build_app_project()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from editor.store import open_store
    from editor.ui.context import AppContext
    from editor.ui.error_route import ErrorRoute
    from editor.ui.jobs import JobRunner
    from editor.ui.settings import Settings
    from editor.ui.shell import Shell

    store = open_store()
    errors = ErrorRoute(interactive=False)
    ini = bench_ui.APP_HOME / "bench_window.ini"
    settings = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    ctx = AppContext(store, settings, errors, JobRunner(unexpected=errors.report))
    shell = Shell(ctx)
    window: Any = shell.open_project(bench_ui.APP_PROJECT)
    while not window.is_interactive:
        app.processEvents()
    words = [token.key for token in window.model.words]

    commits: list[float] = []
    original = type(store).transaction

    @contextlib.contextmanager
    def timed(self: Any) -> Iterator[Any]:
        start = time.perf_counter()
        with original(self) as conn:
            yield conn
        commits.append(time.perf_counter() - start)

    type(store).transaction = timed  # type: ignore[method-assign]
    total: list[float] = []
    submit: list[float] = []
    for i in range(args.deletes):
        first, last = words[2000 + i * 37], words[2000 + i * 37 + 2]
        t0 = time.perf_counter()
        window.controller.cut([(first, last)])
        t1 = time.perf_counter()
        app.processEvents()
        total.append(time.perf_counter() - t0)
        submit.append(t1 - t0)
    type(store).transaction = original  # type: ignore[method-assign]
    for _ in range(args.deletes):
        window.controller.undo()
    app.processEvents()
    print(f"{len(words)} words; {args.deletes} deletes of 3 words; load {os.getloadavg()}")
    rows = [("durable commit", commits), ("cut submitted + applied", submit)]
    rows.append(("cut -> events processed", total))
    for name, values in rows:
        print(f"{name:26} p50 {pct(values, 0.5):5.1f} ms  p95 {pct(values, 0.95):5.1f} ms")
    print("bar: cut -> events processed <= 16 ms p95")
    shell.quitting = True
    window.close()
    ctx.jobs.shutdown()


if __name__ == "__main__":
    main()
