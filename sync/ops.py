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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

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


# The wire form's shape, checked in C by msgspec: one tagged struct per op type. Only what
# JSON types cannot say (finite numbers, the nesting limit, the ``v`` envelope) is checked by
# hand; every failure is a ``BadOpFormat`` naming the path.

_Id = Annotated[str, msgspec.Meta(min_length=1)]


class _WireTrack(msgspec.Struct, frozen=True):
    id: _Id
    label: str
    duration: float | None = None


class _WireOverdub(msgspec.Struct, frozen=True):
    id: _Id
    after_word: _Id
    clip: _Id
    text: str
    duration: float
    voice: str | None = None
    generated: bool = True
    voice_owner: str | None = None


class _Wire(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    base_version: int | None = None
    v: int | None = None
    """The envelope's format version (top level only; ignored inside a compound)."""


class _WDelete(_Wire, tag="delete", frozen=True):
    start_word: _Id
    end_word: _Id


class _WRestore(_Wire, tag="restore", frozen=True):
    start_word: _Id
    end_word: _Id


class _WCorrect(_Wire, tag="correct", frozen=True):
    word: _Id
    text: str


class _WInsertOverdub(_Wire, tag="insert_overdub", frozen=True):
    overdub: _WireOverdub


class _WRemoveOverdub(_Wire, tag="remove_overdub", frozen=True):
    overdub_id: _Id


class _WReorderSection(_Wire, tag="reorder_section", frozen=True):
    section: _Id
    new_index: int


class _WSplitSection(_Wire, tag="split_section", frozen=True):
    at_word: str
    name: str
    new_section_id: _Id
    index: int | None = None
    at: float | None = None


class _WMergeSection(_Wire, tag="merge_section", frozen=True):
    section: _Id


class _WRenameSection(_Wire, tag="rename_section", frozen=True):
    section: _Id
    name: str


class _WSetPause(_Wire, tag="set_pause", frozen=True):
    after_word: str
    duration: float | None = None


class _WAddTranscript(_Wire, tag="add_transcript", frozen=True):
    track: _WireTrack
    words: tuple[Word, ...]


class _WRemoveTranscript(_Wire, tag="remove_transcript", frozen=True):
    track_id: _Id


class _WCompound(_Wire, tag="compound", frozen=True):
    label: str
    ops: tuple[_AnyWire, ...]


_AnyWire = (
    _WDelete
    | _WRestore
    | _WCorrect
    | _WInsertOverdub
    | _WRemoveOverdub
    | _WReorderSection
    | _WSplitSection
    | _WMergeSection
    | _WRenameSection
    | _WSetPause
    | _WAddTranscript
    | _WRemoveTranscript
    | _WCompound
)


def _finite(x: float | None, where: str) -> None:
    if x is not None and not math.isfinite(x):
        raise BadOpFormat(f"{where} must be a finite number, not {x!r}")


def _check_words(words: tuple[Word, ...], where: str) -> tuple[Word, ...]:
    for k, w in enumerate(words):
        if not (w.id and w.track and math.isfinite(w.start + w.end + w.confidence)):
            raise BadOpFormat(f"{where}[{k}]: needs an id, a track and finite numbers")
    return words


def _track(t: _WireTrack, where: str) -> TrackRef:
    _finite(t.duration, f"{where}.duration")
    return TrackRef(t.id, t.label, t.duration)


def _overdub(o: _WireOverdub, where: str) -> Overdub:
    _finite(o.duration, f"{where}.duration")
    return Overdub(
        o.id, o.after_word, o.clip, o.text, o.duration, o.voice, o.generated, o.voice_owner
    )


def _compound(w: _WCompound, where: str) -> Op:
    out: list[Op] = []
    for i, o in enumerate(w.ops):
        try:
            out.append(_BUILD[type(o)](o, where))
        except BadOpFormat as exc:
            raise BadOpFormat(f"{where}.ops[{i}]: {exc}") from None
    return Compound(w.label, tuple(out), base_version=w.base_version)


def _split(w: _WSplitSection, where: str) -> Op:
    _finite(w.at, f"{where}.at")
    return SplitSection(
        w.at_word, w.name, w.new_section_id, w.index, w.at, base_version=w.base_version
    )


def _pause(w: _WSetPause, where: str) -> Op:
    _finite(w.duration, f"{where}.duration")
    return SetPause(w.after_word, w.duration, base_version=w.base_version)


def _transcript(w: _WAddTranscript, where: str) -> Op:
    words = _check_words(w.words, f"{where}.words")
    return AddTranscript(_track(w.track, f"{where}.track"), words, base_version=w.base_version)


# One builder per wire type (a dict lookup: a ``match`` over 13 classes cost ~20 µs a leaf).
_BUILD: dict[type, Callable[[Any, str], Op]] = {
    _WDelete: lambda w, _: Delete(w.start_word, w.end_word, base_version=w.base_version),
    _WRestore: lambda w, _: Restore(w.start_word, w.end_word, base_version=w.base_version),
    _WCorrect: lambda w, _: Correct(w.word, w.text, base_version=w.base_version),
    _WInsertOverdub: lambda w, where: InsertOverdub(
        _overdub(w.overdub, f"{where}.overdub"), base_version=w.base_version
    ),
    _WRemoveOverdub: lambda w, _: RemoveOverdub(w.overdub_id, base_version=w.base_version),
    _WReorderSection: lambda w, _: ReorderSection(
        w.section, w.new_index, base_version=w.base_version
    ),
    _WSplitSection: _split,
    _WMergeSection: lambda w, _: MergeSection(w.section, base_version=w.base_version),
    _WRenameSection: lambda w, _: RenameSection(w.section, w.name, base_version=w.base_version),
    _WSetPause: _pause,
    _WAddTranscript: _transcript,
    _WRemoveTranscript: lambda w, _: RemoveTranscript(w.track_id, base_version=w.base_version),
    _WCompound: _compound,
}


def _from_wire(w: _AnyWire, where: str) -> Op:
    return _BUILD[type(w)](w, where)


def _wire_depth(w: _AnyWire) -> int:
    if isinstance(w, _WCompound):
        return 1 + max((_wire_depth(o) for o in w.ops), default=0)
    return 0


_DECODER = msgspec.json.Decoder(_AnyWire)


def _nesting(raw: Any) -> int:
    """How deeply ``compound``s nest in untrusted data, without recursing (a bomb is cheap)."""
    deepest, stack = 0, [(raw, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping) and node.get("type") == "compound":
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_COMPOUND_DEPTH:
                break
            ops = node.get("ops")
            if isinstance(ops, list | tuple):
                stack.extend((o, depth) for o in ops)
    return deepest


def words_from_list(raw: Any, where: str = "words") -> tuple[Word, ...]:
    """Many words at once (a transcript): msgspec builds them in C, then the few checks JSON
    types cannot express (finite numbers, non-empty ids) run in one pass."""
    try:
        words = msgspec.convert(raw, tuple[Word, ...])
    except msgspec.ValidationError as exc:
        raise BadOpFormat(f"{where}: {exc}") from None
    return _check_words(words, where)


def overdub_from_dict(d: Any, where: str = "overdub") -> Overdub:
    try:
        return _overdub(msgspec.convert(d, _WireOverdub), where)
    except msgspec.ValidationError as exc:
        raise BadOpFormat(f"{where}: {exc}") from None


def track_from_dict(d: Any, where: str = "track") -> TrackRef:
    try:
        return _track(msgspec.convert(d, _WireTrack), where)
    except msgspec.ValidationError as exc:
        raise BadOpFormat(f"{where}: {exc}") from None


def op_from_dict(d: Any) -> Op:
    """Parse the wire form; raises ``BadOpFormat`` for anything corrupt, unknown or newer."""
    if not isinstance(d, Mapping):
        raise BadOpFormat(f"op: must be an object, not {type(d).__name__}")
    v = d.get("v")
    if isinstance(v, bool) or not isinstance(v, int):
        raise BadOpFormat(f"op: 'v' must be an integer, not {v!r}")
    if v < 1:
        raise BadOpFormat(f"op: 'v' must be at least 1, not {v}")
    if v > OP_FORMAT:
        raise BadOpFormat(
            f"op format {v} is newer than this Wordcut understands (up to {OP_FORMAT})"
        )
    if _nesting(d) > MAX_COMPOUND_DEPTH:
        raise BadOpFormat(f"op: compound ops nested too deeply (more than {MAX_COMPOUND_DEPTH})")
    try:
        wire: _AnyWire = msgspec.convert(d, _AnyWire)
    except msgspec.ValidationError as exc:
        raise BadOpFormat(f"op: {exc}") from None
    return _from_wire(wire, "op")


def encode_op(op: Op) -> bytes:
    """The op's wire form as compact JSON bytes (what logs store and relays send)."""
    return msgspec.json.encode(op_to_dict(op))


def decode_op(data: bytes | str) -> Op:
    """Parse ``encode_op``'s bytes; anything that is not a valid op raises ``BadOpFormat``.

    The common case decodes straight into the wire structs (no intermediate dicts); anything
    unusual (a newer ``v``, too deep, invalid) takes ``op_from_dict``'s path for its message.
    """
    try:
        wire = _DECODER.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        wire = None
    except RecursionError:
        raise BadOpFormat("op: nested too deeply to read") from None
    if wire is not None and wire.v == OP_FORMAT and _wire_depth(wire) <= MAX_COMPOUND_DEPTH:
        return _from_wire(wire, "op")
    try:
        raw = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise BadOpFormat(f"op: not valid JSON: {exc}") from None
    except RecursionError:
        raise BadOpFormat("op: nested too deeply to read") from None
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
