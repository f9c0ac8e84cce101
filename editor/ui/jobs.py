"""One way to run background work from the window: ``concurrent.futures`` executors and ONE
long-lived bridge ``QObject`` on the GUI thread.

A job is a plain function ``fn(ctx)`` run on a worker thread; ``ctx.progress(done, total)``
reports progress and ``ctx.cancelled()`` is polled at its yields (the long jobs of ``render`` and
``editor`` take exactly these two hooks). Its result, its error, and its progress are delivered
on the GUI thread through the bridge's one queued ``Signal(object)`` carrying a callable, so no
per-job QThread/QRunnable/QObject exists whose deletion could race its signals (the source of
"signal source has been deleted" and exit-time crashes in neighbouring apps).

Closing the window never waits on a thread from ``closeEvent``: it cancels every job and closes
again when the last one has delivered (see :meth:`JobRunner.idle`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.05
"""Seconds between progress deliveries of one job (a decoder can report thousands a second)."""


class JobCancelled(Exception):
    """Raised by :meth:`JobContext.check` inside a job the user cancelled."""


@dataclass(slots=True)
class JobContext:
    """What a running job sees: progress and cancel hooks, safe to call from its thread."""

    name: str
    _runner: JobRunner
    _handle: Job
    _cancel: threading.Event = field(default_factory=threading.Event)
    _last: float = 0.0

    def progress(self, done: float, total: float, eta: float | None = None) -> None:
        """Report progress; ``eta`` (seconds left) when the job knows better than elapsed time
        does (a resumed transcription starts part-done, which is no speed)."""
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL and done < total:
            return
        self._last = now
        self._runner._deliver(lambda: self._handle._progress(done, total, eta))

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled(self.name)


Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]
ProgressFn = Callable[[float, float], None]


@dataclass(slots=True)
class Job:
    """A handle on a submitted job: cancel it, ask whether it runs; callbacks run on the GUI."""

    name: str
    on_done: Done | None
    on_error: Failed | None
    on_progress: ProgressFn | None
    started: float = field(default_factory=time.monotonic)
    ctx: JobContext | None = None
    future: Future[Any] | None = None
    finished: bool = False
    eta: float | None = None
    """Seconds left, as the job last reported it (None: estimate from elapsed time)."""

    def cancel(self) -> None:
        """Ask the job to stop at its next yield; its ``on_error`` gets the cancellation."""
        if self.ctx is not None:
            self.ctx._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self.ctx is not None and self.ctx.cancelled()

    def _progress(self, done: float, total: float, eta: float | None) -> None:
        self.eta = eta
        if not self.finished and self.on_progress is not None:
            self.on_progress(done, total)


class JobRunner(QObject):
    """Runs jobs on a thread pool and hands everything they produce back to the GUI thread.

    ``unexpected`` receives errors of jobs that have no ``on_error`` (the app's error route).
    """

    _delivered = Signal(object)
    idle = Signal()
    """Emitted when the last running job has delivered its result or error."""
    busy_changed = Signal(bool)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_workers: int = 2,
        unexpected: Failed | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="wordcut-job")
        self._jobs: list[Job] = []
        self._unexpected = unexpected
        self._closed = False
        self._delivered.connect(self._run_delivery)

    # --- GUI-thread API ---------------------------------------------------------------------

    def submit(
        self,
        name: str,
        fn: Callable[[JobContext], Any],
        *,
        on_done: Done | None = None,
        on_error: Failed | None = None,
        on_progress: ProgressFn | None = None,
    ) -> Job:
        """Run ``fn(ctx)`` in the background; ``on_*`` are called later on the GUI thread."""
        if self._closed:
            raise RuntimeError("the job runner is shut down")
        job = Job(name, on_done, on_error, on_progress)
        job.ctx = JobContext(name, self, job)
        self._jobs.append(job)
        if len(self._jobs) == 1:
            self.busy_changed.emit(True)
        job.future = self._pool.submit(self._work, job, fn)
        return job

    @property
    def running(self) -> list[Job]:
        return [j for j in self._jobs if not j.finished]

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def shutdown(self) -> None:
        """Cancel everything and stop the pool; call once nothing is running (after ``idle``)."""
        self._closed = True
        self.cancel_all()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- worker side ------------------------------------------------------------------------

    def _deliver(self, fn: Callable[[], None]) -> None:
        """Queue ``fn`` to run on the GUI thread (the signal is queued: emitted off-thread)."""
        self._delivered.emit(fn)

    def _work(self, job: Job, fn: Callable[[JobContext], Any]) -> None:
        assert job.ctx is not None
        try:
            result = fn(job.ctx)
        except BaseException as exc:  # every error goes to the GUI thread, none is lost
            error: BaseException = exc
            self._deliver(lambda: self._finish(job, None, error))
            return
        self._deliver(lambda: self._finish(job, result, None))

    # --- GUI side ---------------------------------------------------------------------------

    def _run_delivery(self, fn: Callable[[], None]) -> None:
        fn()

    def _finish(self, job: Job, result: Any, error: BaseException | None) -> None:
        job.finished = True
        if job in self._jobs:
            self._jobs.remove(job)
        try:
            if error is None:
                if job.on_done is not None:
                    job.on_done(result)
            elif job.on_error is not None:
                job.on_error(error)
            elif not isinstance(error, JobCancelled):
                log.error("job %s failed", job.name, exc_info=error)
                if self._unexpected is not None:
                    self._unexpected(error)
        finally:
            if not self._jobs:
                self.busy_changed.emit(False)
                self.idle.emit()
