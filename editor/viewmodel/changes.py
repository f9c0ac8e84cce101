"""What a committed change means for the shown transcript: a :class:`Delta`.

The model is fed the authority's committed :class:`sync.events.Change` records. This module is
the one adapter between their typed events and the model's incremental paths: it reduces a
change to the words whose status changed (program-order runs), the words whose text changed,
the pauses that were edited, the sections renamed, and whether anything structural happened
(sections inserted / removed / moved, tracks, overdubs, a reset), which reshapes everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sync.events import (
    Change,
    OverdubAdded,
    OverdubRemoved,
    PauseChanged,
    Reset,
    SectionInserted,
    SectionMoved,
    SectionRemoved,
    SectionRenamed,
    TrackAdded,
    TrackRemoved,
    WordsChanged,
)


@dataclass(slots=True)
class Delta:
    status: list[tuple[int, int]] = field(default_factory=list)
    """Program positions ``[start, stop)`` of words that may have been struck or restored."""
    text: list[tuple[int, int]] = field(default_factory=list)
    """Program positions ``[start, stop)`` of words whose shown text may have changed."""
    pauses: set[str] = field(default_factory=set)
    """Words after which the kept pause may have changed."""
    renamed: set[str] = field(default_factory=set)
    """Sections whose name changed (their heading only)."""
    structure: bool = False
    """Paragraphs, tokens or their order changed: shape the whole transcript again."""


_STRUCTURAL = (
    SectionInserted,
    SectionRemoved,
    SectionMoved,
    TrackAdded,
    TrackRemoved,
    OverdubAdded,
    OverdubRemoved,
    Reset,
)


def delta_of(change: Change) -> Delta:
    """The delta of one committed change."""
    delta = Delta()
    for event in change.events:
        match event:
            case WordsChanged(what="status", runs=runs):
                delta.status.extend((r.start, r.stop) for r in runs)
            case WordsChanged(runs=runs):
                delta.text.extend((r.start, r.stop) for r in runs)
            case PauseChanged(after_word=word):
                delta.pauses.add(word)
            case SectionRenamed(section_id=sid):
                delta.renamed.add(sid)
            case _ if isinstance(event, _STRUCTURAL):
                delta.structure = True
            case _:
                delta.structure = True  # an event this build does not know: reshape, be safe
        if delta.structure:
            break
    return delta
