"""The one word record every transcription stage passes along, and its JSON form.

Kept separate from ``sync.model.Word`` on purpose: these are *recognised* words of one track
before they have document ids, and they round-trip through the checkpoint table as JSON, so a
resumed job gets back exactly what the model said the first time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class TimedWord:
    """A recognised word: text as spoken, source-clock seconds, model probability in [0, 1]."""

    text: str
    start: float
    end: float
    confidence: float = 1.0
    filler: bool = False

    @property
    def mid(self) -> float:
        return (self.start + self.end) / 2.0

    def moved(self, offset: float) -> TimedWord:
        """The same word ``offset`` seconds later (chunk-local time → track time)."""
        return replace(self, start=self.start + offset, end=self.end + offset)

    def to_json(self) -> list[Any]:
        """Compact list form; checkpoints hold thousands of these."""
        return [self.text, round(self.start, 3), round(self.end, 3), round(self.confidence, 4)]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> TimedWord:
        text, start, end, conf = data[0], data[1], data[2], data[3]
        if not isinstance(text, str):
            raise ValueError(f"word text is not a string: {text!r}")
        return cls(str(text), float(start), float(end), float(conf))


def words_to_json(words: Iterable[TimedWord]) -> list[list[Any]]:
    return [w.to_json() for w in words]


def words_from_json(data: Any) -> list[TimedWord]:
    """Parse a checkpoint's word list; raises ``ValueError`` on anything malformed."""
    if not isinstance(data, list):
        raise ValueError("word list is not a JSON array")
    return [TimedWord.from_json(item) for item in data]
