"""The document's state and every question asked of it (no changes): ``sync.document`` adds
validation and mutation on top.

Indexing is what keeps an op under a millisecond on a 15,000-word episode: words by id, the
source order as a list with an id -> position map and a parallel list of start times (so the
section of a word and a section's words are found by bisection), and sections by time for the
same reason. Split from ``sync.document`` so that each module reads as one thing; import
``Document`` from there.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sync.errors import InvalidRange, UnknownTarget
from sync.events import Event
from sync.model import Overdub, Section, TrackRef, Word
from sync.ops import LEAD, Op

FIRST_SECTION_ID = "s0"
FIRST_SECTION_NAME = "Episode"

_StampLog = list[tuple[dict[str, int] | None, str, int | None]]
"""Undo log of stamp writes: ``(stamp dict, key, old value or None)``; a ``None`` dict names
an integer field of ``Stamps`` (``order``, ``moved``)."""


def id_runs(ids: Iterable[str], pick: Callable[[str], bool | None]) -> list[tuple[str, str]]:
    """Maximal runs ``(first, last)`` of the ids ``pick`` takes (``True``), in the given order.

    ``False`` ends a run; ``None`` passes over an id without ending one (a word whose state
    already matches, which a range op may span without changing it).
    """
    out: list[tuple[str, str]] = []
    start: str | None = None
    last = ""
    for i in ids:
        taken = pick(i)
        if taken:
            if start is None:
                start = i
            last = i
        elif taken is False and start is not None:
            out.append((start, last))
            start = None
    if start is not None:
        out.append((start, last))
    return out


def source_key(w: Word) -> tuple[float, str, str]:
    """Source order: by start time, ties broken by track then id so every replica agrees."""
    return (w.start, w.track, w.id)


@dataclass(slots=True)
class Stamps:
    """The version at which each target last changed (absent = before any op)."""

    status: dict[str, int] = field(default_factory=dict)
    text: dict[str, int] = field(default_factory=dict)
    pause: dict[str, int] = field(default_factory=dict)
    name: dict[str, int] = field(default_factory=dict)
    extent: dict[str, int] = field(default_factory=dict)
    """Sections that absorbed another's words (a merge)."""
    created: dict[str, int] = field(default_factory=dict)
    """When each track's words were (last) added: older ops cannot have meant them."""
    order: int = 0
    """Any change to the list of sections (reorder, split, merge)."""
    moved: int = 0
    """A change that moved existing words in program order (reorder, merge, undo of a merge)."""


class DocumentState:
    """The indexed state of a document and its read-only queries."""

    def __init__(self) -> None:
        self.version = 0
        self._tracks: dict[str, TrackRef] = {}
        self._words: dict[str, Word] = {}
        self._order: list[str] = []
        self._starts: list[float] = []
        self._pos: dict[str, int] = {}
        self._deleted: set[str] = set()
        self._corrections: dict[str, str] = {}
        self._pauses: dict[str, float] = {}
        self._overdubs: dict[str, Overdub] = {}
        self._anchored: dict[str, list[str]] = {}
        self._sections: list[Section] = [Section(FIRST_SECTION_ID, FIRST_SECTION_NAME, 0.0)]
        self._by_time: list[Section] = list(self._sections)
        self._sec_starts: list[float] = [0.0]
        self._sec_index: dict[str, int] = {FIRST_SECTION_ID: 0}
        self._program: tuple[Word, ...] | None = None
        self._max_ends: list[float] | None = None
        self.stamps = Stamps()
        self._stamp_at = 0
        self._stamp_log: _StampLog = []
        self._applied: list[Op] | None = None
        """Inverses of the ops applied since the oldest open savepoint (``None``: none open)."""
        self._events: list[Event] | None = None
        """Where ``apply`` records events while it runs, when its caller asked for them."""

    # --- queries -------------------------------------------------------------------------------

    @property
    def tracks(self) -> tuple[TrackRef, ...]:
        """The tracks, by id."""
        return tuple(self._tracks.values())

    def track(self, track_id: str) -> TrackRef:
        try:
            return self._tracks[track_id]
        except KeyError:
            raise UnknownTarget(f"no track {track_id!r}") from None

    @property
    def words(self) -> tuple[Word, ...]:
        """Every word in program order (sections in order, source time inside a section)."""
        if self._program is None:
            out: list[Word] = []
            for sec in self._sections:
                lo, hi = self._section_slice(sec)
                out.extend(self._words[i] for i in self._order[lo:hi])
            self._program = tuple(out)
        return self._program

    @property
    def source_order(self) -> tuple[str, ...]:
        """Word ids by source time (the order of the recording, ignoring sections)."""
        return tuple(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, word_id: object) -> bool:
        return word_id in self._words

    def word(self, word_id: str) -> Word:
        try:
            return self._words[word_id]
        except KeyError:
            raise UnknownTarget(f"no word {word_id!r}") from None

    def words_by_id(self) -> Mapping[str, Word]:
        """A read-only live view of every word by id (no copy: for hot loops)."""
        return MappingProxyType(self._words)

    def is_deleted(self, word_id: str) -> bool:
        self.word(word_id)
        return word_id in self._deleted

    @property
    def deleted(self) -> frozenset[str]:
        """The deleted word ids (a copy: take it once per pass, not once per word)."""
        return frozenset(self._deleted)

    def text_of(self, word_id: str) -> str:
        """The word as shown: its correction if it has one, else what was transcribed."""
        return self._corrections.get(word_id) or self.word(word_id).text

    @property
    def corrections(self) -> dict[str, str]:
        """Word id -> corrected text, for corrected words only (a copy)."""
        return dict(self._corrections)

    @property
    def sections(self) -> tuple[Section, ...]:
        """Sections in program order."""
        return tuple(self._sections)

    def section(self, section_id: str) -> Section:
        try:
            return self._sections[self._sec_index[section_id]]
        except KeyError:
            raise UnknownTarget(f"no section {section_id!r}") from None

    def section_index(self, section_id: str) -> int:
        self.section(section_id)
        return self._sec_index[section_id]

    def section_of(self, word_id: str) -> Section:
        return self._by_time[bisect_right(self._sec_starts, self.word(word_id).start) - 1]

    def section_words(self, section_id: str) -> list[str]:
        """The ids of a section's words in source order."""
        lo, hi = self._section_slice(self.section(section_id))
        return self._order[lo:hi]

    @property
    def overdubs(self) -> tuple[Overdub, ...]:
        """Every overdub, ordered by id (stable across replicas)."""
        return tuple(self._overdubs[k] for k in sorted(self._overdubs))

    def overdub(self, overdub_id: str) -> Overdub:
        try:
            return self._overdubs[overdub_id]
        except KeyError:
            raise UnknownTarget(f"no overdub {overdub_id!r}") from None

    def overdubs_after(self, word_id: str) -> tuple[Overdub, ...]:
        """Overdubs anchored after a word, in play order (by id, so replicas agree)."""
        return tuple(self._overdubs[k] for k in self._anchored.get(word_id, ()))

    @property
    def pauses(self) -> dict[str, float]:
        """Pause edits: ``after_word`` (``LEAD`` = before the first word) -> seconds kept."""
        return dict(self._pauses)

    def pause_after(self, word_id: str) -> float | None:
        return self._pauses.get(word_id)

    def next_word(self, word_id: str) -> str | None:
        """The following word in source order, or ``None`` after the last."""
        p = self._pos[word_id] + 1
        return self._order[p] if p < len(self._order) else None

    def media_end(self) -> float | None:
        """The end of the longest track with a known duration."""
        ends = [t.duration for t in self._tracks.values() if t.duration is not None]
        return max(ends) if ends else None

    def gap_after(self, word_id: str) -> tuple[float, float]:
        """The silence after a word (``LEAD``: before the first) as source ``(start, end)``.

        It runs to the next word's start in source order; after the last word, to the end of
        the media (or nowhere when that is unknown). Overlapping speech gives ``end < start``.
        """
        if word_id == LEAD:
            return (0.0, self._starts[0] if self._order else 0.0)
        w = self.word(word_id)
        nxt = self.next_word(word_id)
        if nxt is not None:
            return (w.end, self._words[nxt].start)
        end = self.media_end()
        return (w.end, w.end if end is None else max(w.end, end))

    def program_position(self, word_id: str) -> tuple[int, int]:
        """``(section index, source position)``: sorts words in program order."""
        return (self._sec_index[self.section_of(word_id).id], self._pos[word_id])

    def range_ids(self, start_word: str, end_word: str) -> list[str]:
        """Word ids from ``start_word`` to ``end_word`` inclusive, in program order."""
        pa = self.program_position(start_word)
        pb = self.program_position(end_word)
        if pb < pa:
            raise InvalidRange(f"range {start_word!r}..{end_word!r} is inverted")
        out: list[str] = []
        for si in range(pa[0], pb[0] + 1):
            lo, hi = self._section_slice(self._sections[si])
            if si == pa[0]:
                lo = pa[1]
            if si == pb[0]:
                hi = pb[1] + 1
            out.extend(self._order[lo:hi])
        return out

    def tokens(self) -> Iterator[tuple[str, str, bool]]:
        """``(word id, shown text, deleted)`` in program order: the transcript as displayed."""
        corr, dele = self._corrections, self._deleted
        for w in self.words:
            yield (w.id, corr.get(w.id) or w.text, w.id in dele)

    def plain_text(self, *, struck: bool = False) -> str:
        """The kept words as text; with ``struck`` deleted words appear as ``~~word~~``."""
        parts: list[str] = []
        for _, text, gone in self.tokens():
            if not gone:
                parts.append(text)
            elif struck:
                parts.append(f"~~{text}~~")
        return " ".join(parts)

    def positions_between(self, t0: float, t1: float) -> tuple[int, int]:
        """Source positions ``[lo, hi)`` of the words starting in ``[t0, t1)`` seconds."""
        return bisect_left(self._starts, t0), bisect_left(self._starts, t1)

    def section_slice(self, section_id: str) -> tuple[int, int]:
        """Source positions ``[lo, hi)`` of a section's words."""
        return self._section_slice(self.section(section_id))

    def position(self, word_id: str) -> int:
        """A word's index in source order."""
        self.word(word_id)
        return self._pos[word_id]

    def running_max_ends(self) -> list[float]:
        """For each source position, the latest end of any word up to it (cached).

        Where tracks overlap, the silence after a word only begins once every earlier word has
        ended; derivation uses this so that a cut never clips another speaker's tail.
        """
        if self._max_ends is None:
            out: list[float] = []
            m = -math.inf
            words = self._words
            for i in self._order:
                e = words[i].end
                if e > m:
                    m = e
                out.append(m)
            self._max_ends = out
        return self._max_ends

    def _section_slice(self, sec: Section) -> tuple[int, int]:
        i = bisect_left(self._sec_starts, sec.start)
        lo = bisect_left(self._starts, sec.start)
        if i + 1 < len(self._sec_starts):
            return lo, bisect_left(self._starts, self._sec_starts[i + 1])
        return lo, len(self._order)
