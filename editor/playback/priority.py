"""Scheduling for playback: real-time threads where allowed, and the interpreter's switch interval.

On a loaded machine a normal-priority audio thread can wait tens of milliseconds for a core,
and a producer preempted while it holds the GIL keeps the callback waiting too. PortAudio's
own answer on ALSA (``PaAlsa_EnableRealtimeScheduling``) is not reachable through
sounddevice, so each thread asks for ``SCHED_FIFO`` for itself: the callback thread at
:data:`CALLBACK_PRIORITY`, the feeder a little lower. Without the privilege (an ordinary
desktop user without rtkit limits) the request fails quietly and playback runs as before.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

CALLBACK_PRIORITY = 20
FEEDER_PRIORITY = 10


def make_realtime(priority: int) -> bool:
    """Ask for ``SCHED_FIFO`` at ``priority`` for the calling thread; True if granted."""
    setter = getattr(os, "sched_setscheduler", None)
    policy = getattr(os, "SCHED_FIFO", None)
    if setter is None or policy is None:
        return False
    with contextlib.suppress(OSError, ValueError):
        setter(0, policy, os.sched_param(priority))
        return True
    return False


SWITCH_INTERVAL_S = 0.001
"""The interpreter's thread switch interval while anything plays."""


class _SwitchInterval:
    """Lowers the interpreter's switch interval while any player plays (process-wide)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved = sys.getswitchinterval()

    def lower(self) -> None:
        with self._lock:
            if self._users == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(SWITCH_INTERVAL_S)
            self._users += 1

    def restore(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                sys.setswitchinterval(self._saved)


SWITCH_INTERVAL = _SwitchInterval()
