"""Run a job's spans on several threads, with progress, cancel and errors on the caller's thread.

Export work (metering, MP3 encoding) splits into spans of the program that can be processed
independently; the heavy lifting happens in C (FFmpeg filters, LAME) with the GIL released, so
threads use every core without pickling audio between processes. The first span runs on the
calling thread; the others on helper threads. Only the calling thread ever calls the user's
``progress`` and ``cancel`` hooks (they may touch UI objects); helpers see a shared stop flag.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from render.errors import Cancelled
from render.jobs import CancelFn

T = TypeVar("T")


class SpanContext:
    """What a span's work function gets: a stop check and a progress counter."""

    def __init__(
        self, shared: _Shared, on_caller: bool, report: Callable[[int], None], cancel: CancelFn
    ) -> None:
        self._shared = shared
        self._on_caller = on_caller
        self._report = report
        self._cancel = cancel

    def stopped(self) -> bool:
        """True once the job should stop (the user cancelled, or another span failed)."""
        if self._on_caller and self._cancel():
            self._shared.stop.set()
        return self._shared.stop.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the job should stop."""
        if self.stopped():
            raise Cancelled("cancelled")

    def advance(self, frames: int) -> None:
        """Count ``frames`` of the program as done (reported from the calling thread)."""
        self._shared.add(frames)
        if self._on_caller:
            self._report(self._shared.done)


class _Shared:
    def __init__(self) -> None:
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self.done = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.done += n


class _Worker(threading.Thread, Generic[T]):
    def __init__(self, work: Callable[[SpanContext], T], ctx: SpanContext) -> None:
        super().__init__(name="wordcut-export-span", daemon=True)
        self.work = work
        self.ctx = ctx
        self.result: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work(self.ctx)
        except BaseException as exc:  # handed to the calling thread, which re-raises it
            self.error = exc
            self.ctx._shared.stop.set()


def run_spans(
    works: Sequence[Callable[[SpanContext], T]],
    report: Callable[[int], None],
    cancel: CancelFn,
) -> list[T]:
    """Run ``works[0]`` here and the rest on threads; return their results in order.

    The first error (or :class:`Cancelled`) stops every span and is raised here once all
    threads have finished, so nothing is left running behind the caller's back.
    """
    shared = _Shared()
    workers = [_Worker(work, SpanContext(shared, False, report, cancel)) for work in works[1:]]
    for worker in workers:
        worker.start()
    first: T | None = None
    error: BaseException | None = None
    try:
        first = works[0](SpanContext(shared, True, report, cancel))
        ctx = SpanContext(shared, True, report, cancel)
        for worker in workers:
            while worker.is_alive():
                worker.join(timeout=0.2)
                if not ctx.stopped():
                    report(shared.done)
    except BaseException as exc:
        error = exc
        shared.stop.set()
    for worker in workers:
        worker.join()
    errors = [e for e in (error, *(w.error for w in workers)) if e is not None]
    real = [e for e in errors if not isinstance(e, Cancelled)]
    if real:  # a span that failed explains why the others were stopped: report it, once
        raise real[0]
    if errors:
        raise errors[0]
    if shared.stop.is_set():
        raise Cancelled("cancelled")
    return [first, *(w.result for w in workers)]  # type: ignore[list-item]
