"""What the player tells its observers (the CLI's status line, the app's Qt adapter).

Observers are called on the player's feeder thread, never on the audio callback; a Qt adapter
re-emits them through a queued signal. Every event is a small frozen value.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Ended:
    """Playback reached the end of the programme or of the selection and stopped there."""

    position: float
    """Program seconds where it stopped."""


@dataclass(frozen=True, slots=True)
class DeviceLost:
    """The output device stopped taking audio (unplugged, server gone); playback is paused and
    can resume on another device with ``Player.set_device``."""

    device: str
    message: str


@dataclass(frozen=True, slots=True)
class PlaybackFailed:
    """The programme could not be rendered (a source vanished or became unreadable); paused."""

    message: str


PlayerEvent = Ended | DeviceLost | PlaybackFailed
Observer = Callable[[PlayerEvent], None]


@dataclass(frozen=True, slots=True)
class PlaybackStats:
    """What the callback counted, for the benchmark and a diagnostics panel."""

    callbacks: int
    underruns: int
    status_flags: int
    output_underflows: int
    callback_p50_s: float
    callback_p99_s: float
    buffer_s: float
    latency_s: float
    device: str
    device_rate: int


class Observers:
    """The player's observer list: subscribe from any thread, emit on the feeder thread; an
    observer that raises is logged and the others still hear the event."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._observers: list[Observer] = []

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        with self._lock:
            self._observers.append(observer)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._observers.remove(observer)

        return unsubscribe

    def emit(self, event: PlayerEvent) -> None:
        with self._lock:
            observers = list(self._observers)
        for observer in observers:
            try:
                observer(event)
            except Exception:  # an observer's bug must not stop playback
                log.exception("playback observer failed on %r", event)
