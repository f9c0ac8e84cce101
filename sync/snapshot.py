"""The document snapshot as a value: parsed and checked here, restored by the document.

A snapshot is what the store keeps so that opening a project does not replay its whole op log:
every track, word, edit and section, the version, and the rebase stamps. :class:`Snapshot` is a
frozen msgspec struct, so the structure (every field present with the right JSON type) is
checked in C by ``msgspec.convert``; :func:`parse_snapshot` adds the checks JSON types cannot
express (finite times, unique ids, references to words and tracks that exist, one section at
0) and refuses a newer ``format``. A value that came out of ``parse_snapshot`` is consistent,
so ``Document`` restores it by building its indexes without re-validating anything.

This module never imports ``sync.document``: the document depends on the value, not the other
way round. Every error is ``BadSnapshot``, naming the field.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec

from sync.errors import BadSnapshot
from sync.model import Overdub, Section, TrackRef, Word
from sync.ops import LEAD

SNAPSHOT_FORMAT = 1
"""The format written by this build; readers accept 1..SNAPSHOT_FORMAT."""


class StampsValue(msgspec.Struct, frozen=True):
    """The per-target "last changed at version" stamps (see ``sync.document.Stamps``)."""

    status: dict[str, int] = {}
    text: dict[str, int] = {}
    pause: dict[str, int] = {}
    name: dict[str, int] = {}
    extent: dict[str, int] = {}
    created: dict[str, int] = {}
    order: int = 0
    moved: int = 0


class Snapshot(msgspec.Struct, frozen=True):
    """The whole document at ``version``; ``words`` in source order, ``sections`` in program
    order, ``tracks`` by id. Build one with ``Document.snapshot()`` or :func:`parse_snapshot`."""

    version: int
    tracks: tuple[TrackRef, ...]
    words: tuple[Word, ...]
    deleted: tuple[str, ...]
    corrections: dict[str, str]
    pauses: dict[str, float]
    overdubs: tuple[Overdub, ...]
    sections: tuple[Section, ...]
    stamps: StampsValue = StampsValue()
    format: int = SNAPSHOT_FORMAT


def encode_snapshot(snap: Snapshot) -> bytes:
    """The stored form: compact JSON."""
    return msgspec.json.encode(snap)


def parse_snapshot(data: Any) -> Snapshot:
    """A checked :class:`Snapshot` from stored bytes, decoded JSON data, or a snapshot value.

    Raises ``BadSnapshot`` for anything corrupt, inconsistent or written by a newer Wordcut.
    """
    if isinstance(data, bytes | bytearray | memoryview | str):
        try:
            data = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            raise BadSnapshot(f"document snapshot is not valid JSON: {exc}") from None
        except RecursionError:
            raise BadSnapshot("document snapshot is nested too deeply to read") from None
    if isinstance(data, Snapshot):
        snap = data
    else:
        _check_format(data)
        try:
            snap = msgspec.convert(data, Snapshot)
        except msgspec.ValidationError as exc:
            raise BadSnapshot(f"document snapshot: {exc}") from None
        except RecursionError:
            raise BadSnapshot("document snapshot is nested too deeply to read") from None
    _check_values(snap)
    return snap


def _check_format(data: Any) -> None:
    if not isinstance(data, dict):
        raise BadSnapshot("a document snapshot must be an object")
    fmt = data.get("format")
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
        raise BadSnapshot(f"document snapshot: 'format' must be a positive integer, not {fmt!r}")
    if fmt > SNAPSHOT_FORMAT:
        raise BadSnapshot(
            f"document format {fmt} is newer than this Wordcut understands "
            f"(up to {SNAPSHOT_FORMAT}); update Wordcut to open it"
        )


def _bad(problem: str) -> BadSnapshot:
    return BadSnapshot(f"document snapshot: {problem}")


def _check_values(s: Snapshot) -> None:
    """Everything ``msgspec`` cannot check from types alone."""
    if s.version < 0:
        raise _bad(f"'version' must be >= 0, not {s.version}")
    tracks: set[str] = set()
    for t in s.tracks:
        if not t.id or t.id in tracks:
            raise _bad(f"track ids must be unique and non-empty ({t.id!r})")
        if t.duration is not None and not (math.isfinite(t.duration) and t.duration >= 0):
            raise _bad(f"track {t.id!r}: duration must be a non-negative number")
        tracks.add(t.id)
    words: set[str] = set()
    for w in s.words:
        if not w.id or w.id in words:
            raise _bad(f"word ids must be unique and non-empty ({w.id!r})")
        if w.track not in tracks:
            raise _bad(f"word {w.id!r} names unknown track {w.track!r}")
        if not (math.isfinite(w.start + w.end + w.confidence) and 0 <= w.start <= w.end):
            raise _bad(f"word {w.id!r}: times {w.start}..{w.end} are impossible")
        words.add(w.id)
    for i in s.deleted:
        if i not in words:
            raise _bad(f"deleted word {i!r} does not exist")
    for i, text in s.corrections.items():
        if i not in words or not text:
            raise _bad(f"correction of {i!r} must name a word and have text")
    for i, d in s.pauses.items():
        if i != LEAD and i not in words:
            raise _bad(f"pause after {i!r} names no word")
        if not (math.isfinite(d) and d >= 0):
            raise _bad(f"pause after {i!r} must be >= 0 seconds")
    overdubs: set[str] = set()
    for o in s.overdubs:
        if not o.id or o.id in overdubs or o.after_word not in words:
            raise _bad(f"overdub {o.id!r} must have a unique id and an existing anchor word")
        if not (math.isfinite(o.duration) and o.duration > 0) or not o.clip:
            raise _bad(f"overdub {o.id!r} needs a clip and a positive duration")
        overdubs.add(o.id)
    _check_sections(s.sections)


def _check_sections(sections: tuple[Section, ...]) -> None:
    if not sections:
        raise _bad("'sections' must be a non-empty list")
    starts = sorted(s.start for s in sections)
    if (
        starts[0] != 0.0
        or not all(math.isfinite(t) for t in starts)
        or len(set(starts)) != len(starts)
        or len({s.id for s in sections}) != len(sections)
        or not all(s.id for s in sections)
    ):
        raise _bad("sections must have unique ids and start times, one at 0")
