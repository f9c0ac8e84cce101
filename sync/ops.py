"""Edit operations: small typed records with a versioned wire form.

Operations say *what* a user wants ("delete these words"); ``Document.validate`` decides whether
they make sense and ``Document.apply`` performs them and returns the inverse. Keeping them as
plain frozen records (no methods that touch a document) is what lets the same op be logged,
sent over the relay, rebased and undone without surprises.

Every op carries ``base_version``: the document version the author saw. ``None`` means "the
current version" (local, unshared edits). Ranges are by program order, inclusive at both ends.

Wire form (``op_to_dict``)::

    {"v": 1, "type": "delete", "start_word": "w10", "end_word": "w20", "base_version": 41}

A newer ``v``, an unknown ``type``, a missing or wrongly typed field all raise
``sync.errors.BadOpFormat``; unknown extra fields are ignored so newer peers can add optional
information.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import msgspec

from sync.errors import BadOpFormat
from sync.model import Overdub, TrackRef, Word

OP_FORMAT = 1
"""The wire version written by this build; readers accept 1..OP_FORMAT."""

LEAD = ""
"""``SetPause.after_word`` value naming the leading silence before the first word."""

MAX_COMPOUND_DEPTH = 4


@dataclass(frozen=True, slots=True)
class Delete:
    """Strike out the words ``start_word``..``end_word``; their audio is cut, the text stays."""

    start_word: str
    end_word: str
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Restore:
    """Bring back the deleted words in ``start_word``..``end_word``."""

    start_word: str
    end_word: str
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Correct:
    """Change a word's displayed text (the audio is untouched); the original text resets it."""

    word: str
    text: str
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class InsertOverdub:
    """Play ``overdub``'s clip after its ``after_word``."""

    overdub: Overdub
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class RemoveOverdub:
    """Take an overdub clip out of the program."""

    overdub_id: str
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class ReorderSection:
    """Move a section to position ``new_index`` of the program (0 = first)."""

    section: str
    new_index: int
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class SplitSection:
    """Start a new section at ``at_word``: it takes the rest of that word's section.

    The new section is placed right after the one it came from, or at ``index`` when given (undo
    uses it). ``at`` gives the boundary time directly; only undo needs it, for a section that has
    lost all of its words (``at_word`` is then empty).
    """

    at_word: str
    name: str
    new_section_id: str
    index: int | None = None
    at: float | None = None
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class MergeSection:
    """Give a section's words back to the section before it in source time (undoes a split)."""

    section: str
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class RenameSection:
    section: str
    name: str
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class SetPause:
    """Keep ``duration`` seconds of the silence after ``after_word``; ``None`` = the original.

    ``after_word == LEAD`` addresses the silence before the first word; the last word's gap runs
    to the end of the media.
    """

    after_word: str
    duration: float | None
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class AddTranscript:
    """Add a track and its words (a finished transcription) to the document."""

    track: TrackRef
    words: tuple[Word, ...]
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class RemoveTranscript:
    """Remove a track and its words (undoes ``AddTranscript``)."""

    track_id: str
    base_version: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Compound:
    """Several ops applied as one: validated together, one version step, one undo."""

    label: str
    ops: tuple[Op, ...]
    base_version: int | None = field(default=None, kw_only=True)


Op = (
    Delete
    | Restore
    | Correct
    | InsertOverdub
    | RemoveOverdub
    | ReorderSection
    | SplitSection
    | MergeSection
    | RenameSection
    | SetPause
    | AddTranscript
    | RemoveTranscript
    | Compound
)

OP_TYPES: dict[str, type[Op]] = {
    "delete": Delete,
    "restore": Restore,
    "correct": Correct,
    "insert_overdub": InsertOverdub,
    "remove_overdub": RemoveOverdub,
    "reorder_section": ReorderSection,
    "split_section": SplitSection,
    "merge_section": MergeSection,
    "rename_section": RenameSection,
    "set_pause": SetPause,
    "add_transcript": AddTranscript,
    "remove_transcript": RemoveTranscript,
    "compound": Compound,
}
TYPE_NAMES: dict[type[Op], str] = {cls: name for name, cls in OP_TYPES.items()}


def type_name(op: Op) -> str:
    """The op's wire name (``"delete"``...), used in messages and the rebase table."""
    return TYPE_NAMES[type(op)]


def with_base(op: Op, base_version: int | None) -> Op:
    """The same op stamped with another base version."""
    return replace(op, base_version=base_version)


# --- wire form ---------------------------------------------------------------------------------


def word_to_dict(w: Word) -> dict[str, Any]:
    d: dict[str, Any] = {"id": w.id, "track": w.track, "text": w.text, "start": w.start}
    d["end"] = w.end
    if w.confidence != 1.0:
        d["confidence"] = w.confidence
    if w.speaker is not None:
        d["speaker"] = w.speaker
    if w.filler:
        d["filler"] = True
    return d


def overdub_to_dict(o: Overdub) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": o.id,
        "after_word": o.after_word,
        "clip": o.clip,
        "text": o.text,
        "duration": o.duration,
        "generated": o.generated,
    }
    if o.voice is not None:
        d["voice"] = o.voice
    if o.voice_owner is not None:
        d["voice_owner"] = o.voice_owner
    return d


def track_to_dict(t: TrackRef) -> dict[str, Any]:
    d: dict[str, Any] = {"id": t.id, "label": t.label}
    if t.duration is not None:
        d["duration"] = t.duration
    return d


def op_to_dict(op: Op) -> dict[str, Any]:
    """The JSON-ready wire form of ``op`` (see the module docstring)."""
    d: dict[str, Any] = {"v": OP_FORMAT, "type": type_name(op)}
    match op:
        case Delete() | Restore():
            d["start_word"], d["end_word"] = op.start_word, op.end_word
        case Correct():
            d["word"], d["text"] = op.word, op.text
        case InsertOverdub():
            d["overdub"] = overdub_to_dict(op.overdub)
        case RemoveOverdub():
            d["overdub_id"] = op.overdub_id
        case ReorderSection():
            d["section"], d["new_index"] = op.section, op.new_index
        case SplitSection():
            d["at_word"], d["name"], d["new_section_id"] = op.at_word, op.name, op.new_section_id
            if op.index is not None:
                d["index"] = op.index
            if op.at is not None:
                d["at"] = op.at
        case MergeSection():
            d["section"] = op.section
        case RenameSection():
            d["section"], d["name"] = op.section, op.name
        case SetPause():
            d["after_word"], d["duration"] = op.after_word, op.duration
        case AddTranscript():
            d["track"] = track_to_dict(op.track)
            d["words"] = [word_to_dict(w) for w in op.words]
        case RemoveTranscript():
            d["track_id"] = op.track_id
        case Compound():
            d["label"] = op.label
            d["ops"] = [_inner_to_dict(o) for o in op.ops]
    if op.base_version is not None:
        d["base_version"] = op.base_version
    return d


def _inner_to_dict(op: Op) -> dict[str, Any]:
    d = op_to_dict(op)
    del d["v"]
    return d


class _Reader:
    """Typed field access on an untrusted mapping; every failure is a ``BadOpFormat``."""

    __slots__ = ("d", "where")

    def __init__(self, d: Any, where: str) -> None:
        if not isinstance(d, Mapping):
            raise BadOpFormat(f"{where}: must be an object, not {type(d).__name__}")
        self.d: Mapping[str, Any] = d
        self.where = where

    def _get(self, key: str, optional: bool) -> Any:
        if key not in self.d:
            if optional:
                return None
            raise BadOpFormat(f"{self.where}: missing field {key!r}")
        return self.d[key]

    def text(self, key: str, *, allow_empty: bool = False) -> str:
        v = self._get(key, False)
        if not isinstance(v, str) or (not v and not allow_empty):
            raise BadOpFormat(f"{self.where}: {key!r} must be a non-empty string, not {v!r}")
        return v

    def opt_text(self, key: str) -> str | None:
        v = self._get(key, True)
        if v is not None and not isinstance(v, str):
            raise BadOpFormat(f"{self.where}: {key!r} must be a string or null, not {v!r}")
        return v

    def number(self, key: str) -> float:
        v = self._get(key, False)
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise BadOpFormat(f"{self.where}: {key!r} must be a finite number, not {v!r}")
        return float(v)

    def opt_number(self, key: str) -> float | None:
        if self._get(key, True) is None:
            return None
        return self.number(key)

    def integer(self, key: str) -> int:
        v = self._get(key, False)
        if isinstance(v, bool) or not isinstance(v, int):
            raise BadOpFormat(f"{self.where}: {key!r} must be an integer, not {v!r}")
        return v

    def opt_integer(self, key: str) -> int | None:
        if self._get(key, True) is None:
            return None
        return self.integer(key)

    def flag(self, key: str, default: bool) -> bool:
        v = self._get(key, True)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise BadOpFormat(f"{self.where}: {key!r} must be true or false, not {v!r}")
        return v

    def items(self, key: str) -> list[Any]:
        v = self._get(key, False)
        if not isinstance(v, list | tuple):
            raise BadOpFormat(f"{self.where}: {key!r} must be a list")
        return list(v)


def words_from_list(raw: Any, where: str = "words") -> tuple[Word, ...]:
    """Many words at once (a transcript, a snapshot): msgspec builds them in C, then the few
    checks JSON types cannot express (finite numbers, non-empty ids) run in one pass."""
    try:
        words = msgspec.convert(raw, tuple[Word, ...])
    except msgspec.ValidationError as exc:
        raise BadOpFormat(f"{where}: {exc}") from None
    for k, w in enumerate(words):
        if not (w.id and w.track and math.isfinite(w.start + w.end + w.confidence)):
            raise BadOpFormat(f"{where}[{k}]: needs an id, a track and finite numbers")
    return words


def overdub_from_dict(d: Any, where: str = "overdub") -> Overdub:
    r = _Reader(d, where)
    return Overdub(
        id=r.text("id"),
        after_word=r.text("after_word"),
        clip=r.text("clip"),
        text=r.text("text", allow_empty=True),
        duration=r.number("duration"),
        voice=r.opt_text("voice"),
        generated=r.flag("generated", True),
        voice_owner=r.opt_text("voice_owner"),
    )


def track_from_dict(d: Any, where: str = "track") -> TrackRef:
    r = _Reader(d, where)
    return TrackRef(
        id=r.text("id"), label=r.text("label", allow_empty=True), duration=r.opt_number("duration")
    )


def _parse(r: _Reader, kind: str, depth: int) -> Op:
    base = r.opt_integer("base_version")
    match kind:
        case "delete":
            return Delete(r.text("start_word"), r.text("end_word"), base_version=base)
        case "restore":
            return Restore(r.text("start_word"), r.text("end_word"), base_version=base)
        case "correct":
            return Correct(r.text("word"), r.text("text", allow_empty=True), base_version=base)
        case "insert_overdub":
            return InsertOverdub(overdub_from_dict(r.d.get("overdub")), base_version=base)
        case "remove_overdub":
            return RemoveOverdub(r.text("overdub_id"), base_version=base)
        case "reorder_section":
            return ReorderSection(r.text("section"), r.integer("new_index"), base_version=base)
        case "split_section":
            return SplitSection(
                r.text("at_word", allow_empty=True),
                r.text("name", allow_empty=True),
                r.text("new_section_id"),
                r.opt_integer("index"),
                r.opt_number("at"),
                base_version=base,
            )
        case "merge_section":
            return MergeSection(r.text("section"), base_version=base)
        case "rename_section":
            return RenameSection(
                r.text("section"), r.text("name", allow_empty=True), base_version=base
            )
        case "set_pause":
            return SetPause(
                r.text("after_word", allow_empty=True), r.opt_number("duration"), base_version=base
            )
        case "add_transcript":
            words = words_from_list(r.items("words"), f"{r.where}.words")
            return AddTranscript(track_from_dict(r.d.get("track")), words, base_version=base)
        case "remove_transcript":
            return RemoveTranscript(r.text("track_id"), base_version=base)
        case "compound":
            if depth >= MAX_COMPOUND_DEPTH:
                raise BadOpFormat(f"{r.where}: compound ops nested too deeply")
            inner = tuple(
                _parse_inner(o, f"{r.where}.ops[{i}]", depth + 1)
                for i, o in enumerate(r.items("ops"))
            )
            return Compound(r.text("label", allow_empty=True), inner, base_version=base)
    raise BadOpFormat(f"{r.where}: unknown op type {kind!r}")


def _parse_inner(d: Any, where: str, depth: int) -> Op:
    r = _Reader(d, where)
    return _parse(r, r.text("type"), depth)


def op_from_dict(d: Any) -> Op:
    """Parse the wire form; raises ``BadOpFormat`` for anything corrupt, unknown or newer."""
    r = _Reader(d, "op")
    v = r.integer("v")
    if v < 1:
        raise BadOpFormat(f"op: 'v' must be at least 1, not {v}")
    if v > OP_FORMAT:
        raise BadOpFormat(
            f"op format {v} is newer than this Wordcut understands (up to {OP_FORMAT})"
        )
    return _parse(r, r.text("type"), 0)


def encode_op(op: Op) -> bytes:
    """The op's wire form as compact JSON bytes (what logs store and relays send)."""
    return msgspec.json.encode(op_to_dict(op))


def decode_op(data: bytes | str) -> Op:
    """Parse ``encode_op``'s bytes; anything that is not a valid op raises ``BadOpFormat``."""
    try:
        raw = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise BadOpFormat(f"op: not valid JSON: {exc}") from None
    return op_from_dict(raw)


def op_digest(op: Op) -> str:
    """A SHA-256 of the op's wire form, base version included: tells a resend of the same
    submission from a different op sent under a reused sequence number."""
    return hashlib.sha256(encode_op(op)).hexdigest()


def compound_depth(op: Op) -> int:
    """How deeply compounds nest in ``op`` (a leaf: 0); the wire form allows
    ``MAX_COMPOUND_DEPTH``."""
    if isinstance(op, Compound):
        return 1 + max((compound_depth(o) for o in op.ops), default=0)
    return 0


def is_op(value: object) -> bool:
    """Whether ``value`` is one of the op records (untrusted callers may pass anything)."""
    return type(value) in TYPE_NAMES


def walk(op: Op) -> list[Op]:
    """The leaf ops of ``op`` in application order (a compound's children, recursively)."""
    if isinstance(op, Compound):
        out: list[Op] = []
        for o in op.ops:
            out.extend(walk(o))
        return out
    return [op]
