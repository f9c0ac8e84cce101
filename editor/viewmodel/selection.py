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


def changed_spans(old: Selection | None, new: Selection | None) -> list[tuple[int, int]]:
    """Inclusive ordinal spans selected in exactly one of ``old`` and ``new``."""
    a = (old.first_ordinal, old.last_ordinal) if old is not None else None
    b = (new.first_ordinal, new.last_ordinal) if new is not None else None
    if a is None or b is None:
        return [x for x in (a, b) if x is not None]
    if a[1] < b[0] or b[1] < a[0]:
        return [a, b]
    spans: list[tuple[int, int]] = []
    lo1, lo2 = sorted((a[0], b[0]))
    if lo1 < lo2:
        spans.append((lo1, lo2 - 1))
    hi1, hi2 = sorted((a[1], b[1]))
    if hi1 < hi2:
        spans.append((hi1 + 1, hi2))
    return spans
