"""A selection in the transcript: a contiguous program-order range of words.

Selections are values: the view and the shell pass them around and compare them without
touching Qt. Ordinals are positions in the model's program order at the time the selection was
made; the ids are what survives an edit (the model re-anchors a selection by id after a
structural change).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Selection:
    """Words ``first``..``last``, inclusive, in program order."""

    first: str
    last: str
    first_ordinal: int
    last_ordinal: int
    anchor_ordinal: int
    """The end that stays put when the selection is extended (the other end is the caret)."""

    @property
    def caret_ordinal(self) -> int:
        """The moving end: where keyboard navigation continues from."""
        if self.anchor_ordinal == self.first_ordinal:
            return self.last_ordinal
        return self.first_ordinal

    def __len__(self) -> int:
        return self.last_ordinal - self.first_ordinal + 1

    def __contains__(self, ordinal: object) -> bool:
        return isinstance(ordinal, int) and self.first_ordinal <= ordinal <= self.last_ordinal
