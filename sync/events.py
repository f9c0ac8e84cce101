"""Typed change events: what one committed version changed, by id and by position.

A view (the Qt transcript model, the waveform, the section list) should not have to re-read
the op and re-derive what it did, nor rebuild everything after each edit. So every committed
version comes with a :class:`Change`: the op as applied, who made it, and a tuple of events in
the order the steps happened — the shape napari's evented containers use (inserted / removed /
moved with indices).

Rules a consumer can rely on:

* Events are emitted once, **after** the version is durable (``sync.authority`` hands them out
  only from ``commit``), never for an op that was rolled back.
* Replay the events of a change in order: each event's positions and indices are valid right
  after the step it describes (the document you can read is the one after the whole change).
* Positions are indices into the program order (``Document.words``); section indices are into
  ``Document.sections``.
* ``TrackAdded``, ``TrackRemoved``, ``SectionMoved``, ``SectionInserted``, ``SectionRemoved`` and
  ``Reset`` may move words in program order: re-read the rows (``Change.relayout``).

Events are frozen, slotted records with no behaviour, so they can cross threads (a worker hands
them to the Qt main thread) without copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sync.model import Overdub, Section, TrackRef
from sync.ops import Op

OpKind = Literal["do", "undo", "redo"]
"""How an op came about: a new edit, or an undo/redo of an earlier one (for undo stacks)."""


@dataclass(frozen=True, slots=True)
class WordRun:
    """Words ``first``..``last`` at program positions ``[start, stop)`` (contiguous)."""

    first: str
    last: str
    start: int
    stop: int


@dataclass(frozen=True, slots=True)
class WordsChanged:
    """Words whose ``status`` (kept/deleted) or ``text`` (correction) changed.

    ``runs`` are maximal runs in program order; a word may appear although its final state is
    what it was (a compound that deleted and restored it): "may have changed, repaint".
    """

    what: Literal["status", "text"]
    runs: tuple[WordRun, ...]


@dataclass(frozen=True, slots=True)
class SectionInserted:
    """A new section (a split) now at ``index`` of the program."""

    section: Section
    index: int


@dataclass(frozen=True, slots=True)
class SectionRemoved:
    """A section merged away from ``index``; its words joined the section before it in time."""

    section: Section
    index: int


@dataclass(frozen=True, slots=True)
class SectionMoved:
    """A section moved from program index ``old_index`` to ``new_index``."""

    section_id: str
    old_index: int
    new_index: int


@dataclass(frozen=True, slots=True)
class SectionRenamed:
    section_id: str
    index: int
    old_name: str
    new_name: str


@dataclass(frozen=True, slots=True)
class OverdubAdded:
    overdub: Overdub


@dataclass(frozen=True, slots=True)
class OverdubRemoved:
    """An overdub left the program (removed, or with the track its anchor word belonged to)."""

    overdub: Overdub


@dataclass(frozen=True, slots=True)
class PauseChanged:
    """The kept length of the silence after ``after_word`` (``LEAD`` = before the first word);
    ``None`` is the original, unedited pause."""

    after_word: str
    old: float | None
    new: float | None


@dataclass(frozen=True, slots=True)
class TrackAdded:
    """A track and its ``words`` words joined the document (interleaved by time)."""

    track: TrackRef
    words: int


@dataclass(frozen=True, slots=True)
class TrackRemoved:
    """A track left with all its words (their edits went with them)."""

    track: TrackRef


@dataclass(frozen=True, slots=True)
class Reset:
    """The whole document was replaced (a load or a resync): forget everything, re-read it."""

    version: int


Event = (
    WordsChanged
    | SectionInserted
    | SectionRemoved
    | SectionMoved
    | SectionRenamed
    | OverdubAdded
    | OverdubRemoved
    | PauseChanged
    | TrackAdded
    | TrackRemoved
    | Reset
)

RELAYOUT = (TrackAdded, TrackRemoved, SectionInserted, SectionRemoved, SectionMoved, Reset)
"""Events after which rows may sit at other program positions."""


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One committed version as the op log stores it (what a storage ``append`` receives).

    ``op`` is the op as applied (already rebased, ``base_version == version - 1``); ``inverse``
    undoes it; ``digest`` identifies what the client submitted (before rebasing), so a resend
    with the same ``(client_id, seq)`` is told apart from a reused sequence number.
    """

    version: int
    op: Op
    inverse: Op
    author: str
    client_id: str
    seq: int
    kind: OpKind = "do"
    target: int | None = None
    """For undo/redo: the version whose effect this undoes or redoes."""
    digest: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """One committed version and what it changed; ``entry`` is ``None`` only for a reset."""

    version: int
    events: tuple[Event, ...]
    entry: LogEntry | None

    @property
    def op(self) -> Op | None:
        return None if self.entry is None else self.entry.op

    @property
    def author(self) -> str:
        return "" if self.entry is None else self.entry.author

    @property
    def client_id(self) -> str:
        return "" if self.entry is None else self.entry.client_id

    @property
    def seq(self) -> int:
        return 0 if self.entry is None else self.entry.seq

    @property
    def relayout(self) -> bool:
        """Whether words may have moved in program order (views re-read their rows)."""
        return any(isinstance(e, RELAYOUT) for e in self.events)

    @classmethod
    def reset(cls, version: int) -> Change:
        return cls(version, (Reset(version),), None)
