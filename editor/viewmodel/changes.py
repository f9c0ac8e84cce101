"""What a committed change means for the shown transcript: a :class:`Delta`.

The model is fed the authority's committed changes. This module is the one adapter between
them and the model's incremental paths: it reduces a change to the words whose status changed
(as program-order id ranges), the words whose text changed, the pauses that were edited, and
whether anything structural happened (sections, tracks, overdubs), which rebuilds the shapes.

Until the authority's typed events (``sync.events``) land, a change is the local session's
``Applied`` record and the delta is read off its op; undo and redo submit inverse ops, so they
reduce the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.ops import (
    AddTranscript,
    Compound,
    Correct,
    Delete,
    InsertOverdub,
    MergeSection,
    Op,
    RemoveOverdub,
    RemoveTranscript,
    RenameSection,
    ReorderSection,
    Restore,
    SetPause,
    SplitSection,
)


@dataclass(slots=True)
class Delta:
    status: list[tuple[str, str]] = field(default_factory=list)
    """Inclusive program-order ranges of words that may have been struck or restored."""
    text: set[str] = field(default_factory=set)
    """Words whose shown text may have changed."""
    pauses: set[str] = field(default_factory=set)
    """Words after which the kept pause may have changed."""
    renamed: set[str] = field(default_factory=set)
    """Sections whose name changed (their heading only)."""
    structure: bool = False
    """Paragraphs, tokens or their order changed: shape the whole transcript again."""


def delta_of(change: Any) -> Delta:
    """The delta of one committed change (the session's ``Applied``, or a bare op)."""
    op = getattr(change, "op", change)
    delta = Delta()
    _add(delta, op)
    return delta


def _add(delta: Delta, op: Op) -> None:
    match op:
        case Delete() | Restore():
            delta.status.append((op.start_word, op.end_word))
        case Correct():
            delta.text.add(op.word)
        case SetPause():
            delta.pauses.add(op.after_word)
        case RenameSection():
            delta.renamed.add(op.section)
        case Compound():
            for part in op.ops:
                _add(delta, part)
        case (
            InsertOverdub()
            | RemoveOverdub()
            | ReorderSection()
            | SplitSection()
            | MergeSection()
            | AddTranscript()
            | RemoveTranscript()
        ):
            delta.structure = True
        case _:
            delta.structure = True
