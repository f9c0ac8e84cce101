"""Real-time scheduling for the two playback threads, where the system allows it.

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
