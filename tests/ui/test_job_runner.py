"""The one background-job helper: results, errors and progress come back on the GUI thread
through the one bridge object; cancel is cooperative; unexpected errors reach the route."""

from __future__ import annotations

import threading
from typing import Any

import pytest


@pytest.fixture
def runner(qapp: Any) -> Any:
    from editor.ui.jobs import JobRunner

    errors: list[BaseException] = []
    r = JobRunner(unexpected=errors.append)
    r.errors = errors  # type: ignore[attr-defined]
    yield r
    r.shutdown()


def test_result_progress_and_eta_arrive_on_the_gui_thread(runner: Any, qtbot: Any) -> None:
    gui = threading.current_thread()
    seen: list[tuple[str, object]] = []

    def work(ctx: Any) -> int:
        assert threading.current_thread() is not gui
        for i in range(5):
            ctx.progress(i + 1, 5, eta=float(4 - i))
        return 42

    job = runner.submit(
        "sum",
        work,
        on_done=lambda r: seen.append(("done", (r, threading.current_thread() is gui))),
        on_progress=lambda d, t: seen.append(("progress", d)),
    )
    with qtbot.waitSignal(runner.idle, timeout=5000):
        pass
    assert seen[-1] == ("done", (42, True))
    assert ("progress", 5) in seen  # the last one always gets through the throttle
    assert job.finished and job.eta == 0.0


def test_cancel_is_cooperative_and_errors_are_routed(runner: Any, qtbot: Any) -> None:
    from editor.ui.jobs import JobCancelled

    started = threading.Event()
    failures: list[BaseException] = []

    def long(ctx: Any) -> None:
        started.set()
        while True:
            ctx.check()  # raises JobCancelled once cancel was asked for

    job = runner.submit("long", long, on_error=failures.append)
    assert started.wait(5)
    with qtbot.waitSignal(runner.idle, timeout=5000):
        job.cancel()
    assert isinstance(failures[0], JobCancelled) and job.cancel_requested

    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.submit("bug", lambda ctx: 1 / 0)  # no on_error: the unexpected route gets it
    assert isinstance(runner.errors[0], ZeroDivisionError)
