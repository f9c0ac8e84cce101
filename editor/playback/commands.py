"""What the transport asks the feeder to do, and the programme it plays.

Commands are small frozen values put on the feeder's queue from any thread and applied, in
order, on the feeder's own thread (:meth:`editor.playback.feeder.Feeder.step`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from editor.playback.layout import Layout
from render.reader import EdlReader


@dataclass(frozen=True, slots=True)
class Programme:
    """What is being played: an open reader (owned by the feeder), its layout, its words."""

    reader: EdlReader
    layout: Layout
    words: Any = None
    """A ``sync.derive.ProgramMap`` for word lookups, or ``None`` for a bare EDL."""

    @classmethod
    def open(cls, reader: EdlReader, words: Any = None) -> Programme:
        return cls(reader, Layout(reader.edl, reader.segment_starts(), reader.frames), words)


@dataclass(frozen=True, slots=True)
class Play:
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Pause:
    pass


@dataclass(frozen=True, slots=True)
class Seek:
    frame: int


@dataclass(frozen=True, slots=True)
class Swap:
    programme: Programme


@dataclass(frozen=True, slots=True)
class SetSpeed:
    speed: float


@dataclass(frozen=True, slots=True)
class SetLoop:
    span: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class SetOutput:
    """A new device rate (after a device change); the ring is empty and paused by then."""

    rate: int


@dataclass(frozen=True, slots=True)
class Mark:
    """Sets ``event`` once every command before it has been applied."""

    event: threading.Event


Command = Play | Pause | Seek | Swap | SetSpeed | SetLoop | SetOutput | Mark
