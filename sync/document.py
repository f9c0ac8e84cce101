"""The edit document: the transcript plus every edit made to it, and the only way to change it.

State is tracks, words (stable ids, in source order), which words are deleted, text
corrections, overdub clips, sections (in program order), pause edits and a gap-free version.
Every change goes through ``apply``: the op is validated against the whole current state first
(a typed ``sync.errors.OpError`` leaves the document untouched), then performed; the version goes
up by one and the inverse op comes back for undo. The document tells nobody: the authority
(``sync.authority``) collects the typed events ``apply`` records (``sync.events``) and hands
them out only once the version is durable. ``savepoint`` / ``rollback_to`` / ``release`` let it
apply several ops, persist them together, and put this same object back in place when the
persist fails (a view holding the document never sees a state that was not committed).

The state and its indexes, with every read-only query, live in ``sync.doc_state``; one
validation function per op type in ``sync.doc_checks``; this module applies, rolls back,
records events and snapshots. Range ops touch only their range; nothing is copied per op.

Per-target "last changed at version" stamps (word status, word text, pauses, section names,
section order) let ``sync.rebase`` tell what concurrent ops changed without replaying history.
They persist in the snapshot but are not content: ``content_hash`` ignores them and the version.
"""

from __future__ import annotations

import hashlib
from bisect import insort
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import msgspec

from sync.doc_checks import DocumentChecks
from sync.doc_state import FIRST_SECTION_ID, FIRST_SECTION_NAME, Stamps, id_runs, source_key
from sync.errors import (
    BadOpFormat,
    OpError,
    StaleVersion,
)
from sync.events import (
    Event,
    OverdubAdded,
    OverdubRemoved,
    PauseChanged,
    SectionInserted,
    SectionMoved,
    SectionRemoved,
    SectionRenamed,
    TrackAdded,
    TrackRemoved,
    WordRun,
    WordsChanged,
)
from sync.model import Overdub, Section
from sync.ops import (
    LEAD,
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
    overdub_to_dict,
    track_to_dict,
    type_name,
    word_to_dict,
)
from sync.snapshot import SNAPSHOT_FORMAT, Snapshot, StampsValue, parse_snapshot

__all__ = ["FIRST_SECTION_ID", "FIRST_SECTION_NAME", "Document", "Savepoint", "Stamps", "id_runs"]


@dataclass(frozen=True, slots=True)
class Savepoint:
    """A point ``Document.rollback_to`` can return to (opaque to callers)."""

    version: int
    log: int
    applied: int


class Document(DocumentChecks):
    """One episode's transcript and edits. Not thread-safe: one owner applies ops."""

    # --- applying ------------------------------------------------------------------------------

    def validate(self, op: Op) -> None:
        """Raise the ``OpError`` that ``apply(op)`` would raise; change nothing."""
        self._check_base(op)
        if isinstance(op, Compound):
            # Later parts may depend on earlier ones (split, then rename the new section), so a
            # compound is checked by performing it and rolling it back; nobody is notified.
            with self.scratch(self.version + 1) as perform:
                perform(op)
        else:
            self._check(op)

    def apply(self, op: Op, events: list[Event] | None = None) -> Op:
        """Validate ``op`` whole, perform it, bump the version; returns its inverse.

        With ``events``, the typed events of the change are appended to it in step order
        (nothing is appended when the op is refused).
        """
        self._check_base(op)
        self._stamp_at = self.version + 1
        mark, ev_mark = len(self._stamp_log), 0 if events is None else len(events)
        self._events = events
        try:
            inverse = self._perform(op)
        except OpError:
            self._unwind(mark)  # a compound's earlier parts were rolled back; so are stamps
            if events is not None:
                del events[ev_mark:]
            raise
        finally:
            self._events = None
        self.version += 1
        if self._applied is None:
            self._stamp_log.clear()
        else:
            self._applied.append(inverse)
        return inverse

    def savepoint(self) -> Savepoint:
        """Mark the current state; ops applied after it can be undone with ``rollback_to``.

        Holding a savepoint keeps the inverses and stamp changes of every op since the oldest
        one, so the driver calls ``release`` once its ops are durable.
        """
        if self._applied is None:
            self._applied = []
            self._stamp_log.clear()
        return Savepoint(self.version, len(self._stamp_log), len(self._applied))

    def rollback_to(self, point: Savepoint) -> None:
        """Undo, in place, every op applied since ``point`` (content, stamps and version)."""
        applied = self._applied
        if applied is None or len(applied) < point.applied or self.version < point.version:
            raise ValueError("rollback_to: that savepoint is no longer open")
        self._events = None
        while len(applied) > point.applied:
            self._rollback(applied.pop())
        self._unwind(point.log)
        self.version = point.version

    def release(self) -> None:
        """Forget every open savepoint: what was applied since is now permanent."""
        self._applied = None
        self._stamp_log.clear()

    def _unwind(self, mark: int) -> None:
        """Put back every stamp written since the log held ``mark`` entries, newest first."""
        log, stamps = self._stamp_log, self.stamps
        while len(log) > mark:
            d, key, old = log.pop()
            if d is None:
                setattr(stamps, key, old)
            elif old is None:
                d.pop(key, None)
            else:
                d[key] = old

    def _stamp(self, d: dict[str, int], key: str, v: int) -> None:
        self._stamp_log.append((d, key, d.get(key)))
        d[key] = v

    def _stamp_int(self, name: str, v: int) -> None:
        self._stamp_log.append((None, name, getattr(self.stamps, name)))
        setattr(self.stamps, name, v)

    def _emit(self, event: Event) -> None:
        events = self._events
        if events is None:
            return
        if isinstance(event, WordsChanged) and events:
            last = events[-1]
            if isinstance(last, WordsChanged) and last.what == event.what:
                # Status edits never move words, so runs of consecutive steps share positions.
                events[-1] = WordsChanged(event.what, last.runs + event.runs)
                return
        events.append(event)

    def program_index(self, word_id: str) -> int:
        """A word's index in program order (``words[program_index(i)].id == i``)."""
        si = self._sec_index[self.section_of(word_id).id]
        off = 0
        for sec in self._sections[:si]:
            lo, hi = self._section_slice(sec)
            off += hi - lo
        lo, _ = self._section_slice(self._sections[si])
        return off + self._pos[word_id] - lo

    @contextmanager
    def scratch(self, stamp: int) -> Iterator[Callable[[Op], None]]:
        """Try ops without committing: yields ``perform(op)``; everything is undone on exit.

        Changes made inside are stamped with ``stamp`` (rebase passes the op's base version so a
        compound's own earlier parts never look like concurrent edits). No version bump, no
        events; the document is exactly as before when the block ends.
        """
        mark, saved_at, saved_events = len(self._stamp_log), self._stamp_at, self._events
        done: list[Op] = []
        self._events = None

        def perform(op: Op) -> None:
            self._stamp_at = stamp
            done.append(self._perform(op))

        try:
            yield perform
        finally:
            for inv in reversed(done):
                self._rollback(inv)
            self._unwind(mark)
            self._stamp_at, self._events = saved_at, saved_events

    def _check_base(self, op: Op) -> None:
        b = op.base_version
        if b is not None and b != self.version:
            raise StaleVersion(
                f"{type_name(op)} was made at version {b} but the document is at "
                f"{self.version}; rebase it first"
            )

    def _perform(self, op: Op) -> Op:
        if isinstance(op, Compound):
            done: list[Op] = []
            try:
                for part in op.ops:
                    done.append(self._perform(part))
            except OpError:
                for inv in reversed(done):
                    self._rollback(inv)
                raise
            # Flat: a part's compound inverse is spliced in, so undoing an undo of an undo
            # never nests deeper than the wire form allows (and applies the same steps).
            parts: list[Op] = []
            for inv in reversed(done):
                if isinstance(inv, Compound):
                    parts.extend(inv.ops)
                else:
                    parts.append(inv)
            return Compound(op.label, tuple(parts))
        self._check(op)
        return self._mutate(op)

    def _rollback(self, inverse: Op) -> None:
        """Undo a step just performed, without validating it against today's state.

        An inverse puts back exactly what was there a moment ago, so it is valid by
        construction; checking it anyway can refuse a state the document legitimately held (a
        pause edit longer than its gap once another track's words landed in that gap).
        """
        if isinstance(inverse, Compound):
            for part in inverse.ops:
                self._rollback(part)
        else:
            self._mutate(inverse)

    # Mutation: only reached after _check passed; each returns the inverse op.

    def _mutate(self, op: Op) -> Op:
        v = self._stamp_at
        match op:
            case Delete() | Restore():
                return self._set_status(op, v)
            case Correct():
                old = self.text_of(op.word)
                if op.text == self._words[op.word].text:
                    self._corrections.pop(op.word, None)
                else:
                    self._corrections[op.word] = op.text
                self._stamp(self.stamps.text, op.word, v)
                if self._events is not None:
                    p = self.program_index(op.word)
                    self._emit(WordsChanged("text", (WordRun(op.word, op.word, p, p + 1),)))
                return Correct(op.word, old)
            case InsertOverdub():
                o = op.overdub
                self._overdubs[o.id] = o
                insort(self._anchored.setdefault(o.after_word, []), o.id)
                self._emit(OverdubAdded(o))
                return RemoveOverdub(o.id)
            case RemoveOverdub():
                o = self._overdubs.pop(op.overdub_id)
                self._unanchor(o)
                self._emit(OverdubRemoved(o))
                return InsertOverdub(o)
            case ReorderSection():
                old_index = self._sec_index[op.section]
                sec = self._sections.pop(old_index)
                self._sections.insert(op.new_index, sec)
                self._sections_changed(v)
                self._stamp_int("moved", v)
                self._emit(SectionMoved(op.section, old_index, op.new_index))
                return ReorderSection(op.section, old_index)
            case SplitSection():
                t, index = self._split_point(op)
                new = Section(op.new_section_id, op.name, t)
                self._sections.insert(index, new)
                insort(self._by_time, new, key=lambda s: s.start)
                self._sections_changed(v)
                self._stamp(self.stamps.name, new.id, v)
                if op.index is not None:
                    self._stamp_int("moved", v)
                self._emit(SectionInserted(new, index))
                return MergeSection(new.id)
            case MergeSection():
                sec = self.section(op.section)
                index = self._sec_index[sec.id]
                survivor = self._by_time[self._by_time.index(sec) - 1]
                self._sections.pop(index)
                self._by_time.remove(sec)
                self._sections_changed(v)
                self._stamp(self.stamps.name, sec.id, v)
                self._stamp(self.stamps.extent, survivor.id, v)
                self._stamp_int("moved", v)
                self._emit(SectionRemoved(sec, index))
                return SplitSection("", sec.name, sec.id, index, sec.start)
            case RenameSection():
                index = self._sec_index[op.section]
                before = self._sections[index]
                renamed = Section(before.id, op.name, before.start)
                self._sections[index] = renamed
                self._by_time[self._by_time.index(before)] = renamed
                self._stamp(self.stamps.name, op.section, v)
                self._emit(SectionRenamed(op.section, index, before.name, op.name))
                return RenameSection(op.section, before.name)
            case SetPause():
                prev = self._pauses.get(op.after_word)
                if op.duration is None:
                    del self._pauses[op.after_word]
                else:
                    self._pauses[op.after_word] = op.duration
                self._stamp(self.stamps.pause, op.after_word, v)
                self._emit(PauseChanged(op.after_word, prev, op.duration))
                return SetPause(op.after_word, prev)
            case AddTranscript():
                self._tracks[op.track.id] = op.track
                # Kept sorted by id so that every replica (and an undo) lists tracks alike.
                self._tracks = dict(sorted(self._tracks.items()))
                for w in op.words:
                    self._words[w.id] = w
                self._stamp(self.stamps.created, op.track.id, v)
                self._reindex()
                self._emit(TrackAdded(op.track, len(op.words)))
                return RemoveTranscript(op.track.id)
            case RemoveTranscript():
                return self._remove_track(op.track_id, v)
        raise BadOpFormat(f"not an op: {op!r}")  # pragma: no cover - _check rejected it

    def _set_status(self, op: Delete | Restore, v: int) -> Op:
        deleting = isinstance(op, Delete)
        runs: list[tuple[int, int]] = []
        j0 = j1 = -1
        dele, status = self._deleted, self.stamps.status
        log = self._stamp_log.append
        ids = self.range_ids(op.start_word, op.end_word)
        for j, i in enumerate(ids):
            if (i in dele) != deleting:
                if deleting:
                    dele.add(i)
                else:
                    dele.discard(i)
                log((status, i, status.get(i)))
                status[i] = v
                if j0 < 0:
                    j0 = j
                j1 = j
            elif j0 >= 0:
                runs.append((j0, j1))
                j0 = -1
        if j0 >= 0:
            runs.append((j0, j1))
        if self._events is not None and runs:
            # range_ids is contiguous in program order, so positions follow from the first.
            p = self.program_index(ids[0])
            made = tuple(WordRun(ids[a], ids[b], p + a, p + b + 1) for a, b in runs)
            self._emit(WordsChanged("status", made))
        undo: type[Delete] | type[Restore] = Restore if deleting else Delete
        inverses: list[Op] = [undo(ids[a], ids[b]) for a, b in runs]
        if len(inverses) == 1:
            return inverses[0]
        return Compound(f"undo {type_name(op)}", tuple(inverses))

    def _unanchor(self, o: Overdub) -> None:
        ids = self._anchored[o.after_word]
        ids.remove(o.id)
        if not ids:
            del self._anchored[o.after_word]

    def _sections_changed(self, v: int) -> None:
        self._sec_index = {s.id: i for i, s in enumerate(self._sections)}
        self._sec_starts = [s.start for s in self._by_time]
        self._program = None
        self._stamp_int("order", v)

    def _reindex(self) -> None:
        self._order = sorted(self._words, key=lambda i: source_key(self._words[i]))
        self._starts = [self._words[i].start for i in self._order]
        self._pos = {i: p for p, i in enumerate(self._order)}
        self._program = None
        self._max_ends = None

    def _remove_track(self, track_id: str, v: int) -> Op:
        track = self._tracks.pop(track_id)
        words = tuple(self._words[i] for i in self._order if self._words[i].track == track_id)
        restore: list[Op] = [AddTranscript(track, words)]
        for w in words:
            if w.id in self._deleted:
                restore.append(Delete(w.id, w.id))
                self._deleted.discard(w.id)
            if w.id in self._corrections:
                restore.append(Correct(w.id, self._corrections.pop(w.id)))
            if w.id in self._pauses:
                kept = self._pauses.pop(w.id)
                restore.append(SetPause(w.id, kept))
                self._emit(PauseChanged(w.id, kept, None))
            for oid in self._anchored.pop(w.id, ()):
                o = self._overdubs.pop(oid)
                restore.append(InsertOverdub(o))
                self._emit(OverdubRemoved(o))
            del self._words[w.id]
            for stamps in (self.stamps.status, self.stamps.text, self.stamps.pause):
                self._stamp(stamps, w.id, v)
        self._reindex()
        if not self._order and LEAD in self._pauses:
            kept = self._pauses.pop(LEAD)
            restore.append(SetPause(LEAD, kept))
            self._stamp(self.stamps.pause, LEAD, v)
            self._emit(PauseChanged(LEAD, kept, None))
        self._emit(TrackRemoved(track))
        return Compound(f"undo remove track {track_id}", tuple(restore))

    # --- persistence ---------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The whole document as a snapshot value (``sync.snapshot.encode_snapshot`` stores it)."""
        st = self.stamps
        return Snapshot(
            version=self.version,
            tracks=tuple(self._tracks.values()),
            words=tuple(self._words[i] for i in self._order),
            deleted=tuple(i for i in self._order if i in self._deleted),
            corrections=dict(sorted(self._corrections.items())),
            pauses=dict(sorted(self._pauses.items())),
            overdubs=self.overdubs,
            sections=tuple(self._sections),
            stamps=StampsValue(
                dict(st.status),
                dict(st.text),
                dict(st.pause),
                dict(st.name),
                dict(st.extent),
                dict(st.created),
                st.order,
                st.moved,
            ),
        )

    def _content(self) -> dict[str, Any]:
        words = self._words
        return {
            "format": SNAPSHOT_FORMAT,
            "tracks": [track_to_dict(t) for t in self._tracks.values()],
            "words": [word_to_dict(words[i]) for i in self._order],
            "deleted": [i for i in self._order if i in self._deleted],
            "corrections": dict(sorted(self._corrections.items())),
            "pauses": dict(sorted(self._pauses.items())),
            "overdubs": [overdub_to_dict(o) for o in self.overdubs],
            "sections": [{"id": s.id, "name": s.name, "start": s.start} for s in self._sections],
        }

    def content_hash(self) -> str:
        """A stable SHA-256 of the content (not the version or stamps): equal docs, equal hash."""
        return hashlib.sha256(msgspec.json.encode(self._content(), order="sorted")).hexdigest()

    @classmethod
    def from_snapshot(cls, data: Any) -> Document:
        """A document from a snapshot (value, stored bytes or decoded JSON); a corrupt or newer
        one raises ``BadSnapshot``."""
        doc = cls()
        doc._restore(parse_snapshot(data))
        return doc

    def restore(self, data: Any) -> None:
        """Become the snapshot's document, in place (a resync: views keep this object).

        It is parsed whole first, so a bad snapshot raises ``BadSnapshot`` and changes nothing.
        """
        self._restore(parse_snapshot(data))

    def _restore(self, s: Snapshot) -> None:
        """Rebuild every member and index from a checked snapshot (no op replay: opening a
        15,000-word episode stays fast)."""
        self._tracks = {t.id: t for t in sorted(s.tracks, key=lambda t: t.id)}
        self._words = {w.id: w for w in s.words}
        self._deleted = set(s.deleted)
        self._corrections = dict(s.corrections)
        self._pauses = {k: float(v) for k, v in s.pauses.items()}
        self._overdubs = {o.id: o for o in s.overdubs}
        self._anchored = {}
        for oid in sorted(self._overdubs):
            self._anchored.setdefault(self._overdubs[oid].after_word, []).append(oid)
        self._reindex()
        self._sections = list(s.sections)
        self._by_time = sorted(self._sections, key=lambda sec: sec.start)
        st = s.stamps
        self.stamps = Stamps(
            dict(st.status),
            dict(st.text),
            dict(st.pause),
            dict(st.name),
            dict(st.extent),
            dict(st.created),
            st.order,
            st.moved,
        )
        self._sec_index = {sec.id: i for i, sec in enumerate(self._sections)}
        self._sec_starts = [sec.start for sec in self._by_time]
        self._program = None
        self.version = s.version
        self._stamp_at = s.version
        self._stamp_log = []
        self._applied = None
        self._events = None
