"""Validation of every op type against a document's state: each check raises a typed
``OpError`` before anything changes (``Document.apply`` only mutates after it passed)."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

from sync.doc_state import DocumentState
from sync.errors import BadOpFormat, Conflict, InvalidRange, UnknownTarget
from sync.ops import (
    LEAD,
    AddTranscript,
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
    type_name,
)


class DocumentChecks(DocumentState):
    """``DocumentState`` plus one validation function per op type."""

    # Validation: one function per op type, each raising before anything changes.

    def _check(self, op: Op) -> None:
        match op:
            case Delete() | Restore():
                ids = self.range_ids(op.start_word, op.end_word)
                want_deleted = isinstance(op, Restore)
                if not any((i in self._deleted) == want_deleted for i in ids):
                    state = "kept" if want_deleted else "deleted"
                    raise InvalidRange(
                        f"{type_name(op)} {op.start_word!r}..{op.end_word!r}: every word in the "
                        f"range is already {state}"
                    )
            case Correct():
                self.word(op.word)
                if not op.text.strip():
                    raise InvalidRange(f"correct {op.word!r}: the text is empty")
                if op.text == self.text_of(op.word):
                    raise InvalidRange(f"correct {op.word!r}: it already reads {op.text!r}")
            case InsertOverdub():
                o = op.overdub
                if o.id in self._overdubs:
                    raise Conflict(f"an overdub {o.id!r} already exists")
                self.word(o.after_word)
                if not (math.isfinite(o.duration) and o.duration > 0):
                    raise InvalidRange(f"overdub {o.id!r}: duration must be positive")
                if not o.clip:
                    raise InvalidRange(f"overdub {o.id!r}: no clip")
            case RemoveOverdub():
                self.overdub(op.overdub_id)
            case ReorderSection():
                self.section(op.section)
                if not 0 <= op.new_index < len(self._sections):
                    raise InvalidRange(
                        f"reorder {op.section!r}: position {op.new_index} is outside "
                        f"0..{len(self._sections) - 1}"
                    )
            case SplitSection():
                self._split_point(op)
            case MergeSection():
                sec = self.section(op.section)
                if self._by_time[0].id == sec.id:
                    raise InvalidRange(f"section {op.section!r} starts the episode; no merge")
            case RenameSection():
                self.section(op.section)
            case SetPause():
                self._check_pause(op)
            case AddTranscript():
                self._check_transcript(op)
            case RemoveTranscript():
                self.track(op.track_id)
            case _:
                raise BadOpFormat(f"not an op: {op!r}")

    def _split_point(self, op: SplitSection) -> tuple[float, int]:
        """Validate a split; returns the boundary time and the new section's program index."""
        if op.new_section_id in self._sec_index:
            raise Conflict(f"a section {op.new_section_id!r} already exists")
        if op.at is not None:
            if not (math.isfinite(op.at) and op.at > 0):
                raise InvalidRange(f"split at {op.at!r}: must be a positive time")
            t = op.at
        else:
            t = self.word(op.at_word).start
        i = bisect_right(self._sec_starts, t) - 1
        parent = self._by_time[i]
        if parent.start == t:
            raise InvalidRange(f"split at {op.at_word or t!r}: a section already starts there")
        if op.at is None and bisect_left(self._starts, t) == bisect_left(
            self._starts, parent.start
        ):
            raise InvalidRange(
                f"split at {op.at_word!r}: it is the first word of section {parent.name!r}"
            )
        index = self._sec_index[parent.id] + 1 if op.index is None else op.index
        if not 0 <= index <= len(self._sections):
            raise InvalidRange(f"split: position {index} is outside 0..{len(self._sections)}")
        return t, index

    def _check_pause(self, op: SetPause) -> None:
        if op.after_word != LEAD:
            self.word(op.after_word)
        elif not self._order:
            raise UnknownTarget("the document has no words, so no leading silence")
        if op.duration is None:
            if op.after_word not in self._pauses:
                raise InvalidRange(f"the pause after {op.after_word!r} is not edited")
            return
        d = op.duration
        if not (math.isfinite(d) and d >= 0):
            raise InvalidRange(f"pause duration must be zero or more seconds, not {d!r}")
        a, b = self.gap_after(op.after_word)
        if d >= b - a:
            raise InvalidRange(
                f"the pause after {op.after_word or 'the start'!r} is only "
                f"{max(0.0, b - a):.3f} s; cannot keep {d:.3f} s of it"
            )
        if self._pauses.get(op.after_word) == d:
            raise InvalidRange(f"the pause after {op.after_word!r} is already {d:.3f} s")

    def _check_transcript(self, op: AddTranscript) -> None:
        t = op.track
        if t.id in self._tracks:
            raise Conflict(f"a track {t.id!r} already exists")
        if t.duration is not None and not (math.isfinite(t.duration) and t.duration >= 0):
            raise InvalidRange(f"track {t.id!r}: duration must be a non-negative number")
        seen: set[str] = set()
        for w in op.words:
            if w.id in self._words or w.id in seen:
                raise Conflict(f"word id {w.id!r} is already used")
            seen.add(w.id)
            if w.id == LEAD:
                raise InvalidRange("a word id must not be empty")
            if w.track != t.id:
                raise InvalidRange(f"word {w.id!r} belongs to track {w.track!r}, not {t.id!r}")
            if not (math.isfinite(w.start) and math.isfinite(w.end) and 0 <= w.start <= w.end):
                raise InvalidRange(f"word {w.id!r}: times {w.start}..{w.end} are impossible")
