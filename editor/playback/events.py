"""What the player tells its observers (the CLI's status line, the app's Qt adapter).

Observers are called on the player's feeder thread, never on the audio callback; a Qt adapter
re-emits them through a queued signal. Every event is a small frozen value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


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
