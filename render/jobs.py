"""The two hooks every long ``render`` job takes: progress reporting and cooperative cancel.

A job calls ``progress(done, total)`` now and then and checks ``cancel()`` at the same points;
when it returns true the job cleans up and raises :class:`render.errors.Cancelled`.
"""

from __future__ import annotations

from collections.abc import Callable

from render.errors import Cancelled

ProgressFn = Callable[[int, int], None]
"""Called with (units done, units in total); the unit is the job's own (frames, bytes)."""

CancelFn = Callable[[], bool]
"""Returns true once the caller wants the job to stop."""


def no_progress(done: int, total: int) -> None:
    """Default progress hook: report nothing."""


def never_cancel() -> bool:
    """Default cancel hook: never stop."""
    return False


def check_cancel(cancel: CancelFn) -> None:
    """Raise :class:`Cancelled` if the caller asked the job to stop."""
    if cancel():
        raise Cancelled("cancelled")
