"""The edit decision list: what the program is, as an ordered list of source ranges and clips.

The EDL is the one contract between the document (``sync``), playback and export: the document
derives it, the reader walks it. It is deliberately small and has a versioned JSON form (see
``docs/edl.md``) so that other tools can write one by hand::

    {"version": 1, "sample_rate": 48000,
     "tracks": [{"path": "host-a.wav", "gain_db": 0.0}],
     "segments": [{"start": 12.5, "end": 30.25}, {"clip": "fix.wav"}]}

Times are seconds on the shared project clock (every track mixed, each shifted by its
``offset``). Frame positions are ``round(seconds * sample_rate)`` so that a range written in
seconds maps to exactly one frame range. Unknown fields are accepted and ignored, so newer
producers can add information older readers do not need; a newer *version* is refused.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import msgspec

from render.atomic import same_file, write_text
from render.errors import EdlError, EdlVersionError, WriteError
from render.textfile import read_user_text

EDL_VERSION = 1
DEFAULT_CROSSFADE_MS = 10.0
DEFAULT_SAMPLE_RATE = 48000

_NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


@dataclass(frozen=True, slots=True)
class EdlTrack:
    """One source recording, mixed into every range segment."""

    path: Path
    gain_db: float = 0.0
    mute: bool = False
    offset: float = 0.0
    """Seconds on the project clock at which the track's first sample plays (may be negative)."""
    label: str | None = None


@dataclass(frozen=True, slots=True)
class SourceRange:
    """A span of the project clock, ``start <= t < end`` seconds, all tracks mixed."""

    start: float
    end: float

    def frames(self, sample_rate: int) -> tuple[int, int]:
        """The range as ``(first frame, end frame)`` at ``sample_rate``."""
        return seconds_to_frame(self.start, sample_rate), seconds_to_frame(self.end, sample_rate)


@dataclass(frozen=True, slots=True)
class ClipInsert:
    """A whole audio file (an overdub, a sting) played at this point of the program."""

    path: Path
    gain_db: float = 0.0


Segment = SourceRange | ClipInsert


@dataclass(frozen=True, slots=True)
class Edl:
    """An ordered program: segments are played one after another, joined by crossfades."""

    sample_rate: int
    tracks: tuple[EdlTrack, ...]
    segments: tuple[Segment, ...]
    crossfade_ms: float = DEFAULT_CROSSFADE_MS
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    """Fields this version does not interpret, kept so a load/save round trip preserves them."""

    def __post_init__(self) -> None:
        validate(self)

    def crossfade_frames(self) -> int:
        """Length of each join's crossfade in frames."""
        return round(self.crossfade_ms * self.sample_rate / 1000.0)

    def source_paths(self) -> tuple[Path, ...]:
        """Every file the program reads: the tracks' recordings and the inserted clips."""
        clips = (seg.path for seg in self.segments if isinstance(seg, ClipInsert))
        return (*(t.path for t in self.tracks), *clips)

    def check_output(self, target: str | Path) -> None:
        """Refuse to write the program over one of its own sources (the user's recording would
        be replaced by the edit); raises :class:`WriteError` naming ``target``."""
        for source in self.source_paths():
            if same_file(target, source):
                raise WriteError(
                    target, f"is one of the program's own sources ({source}); choose another name"
                )

    def range_frames(self) -> int:
        """Total frames contributed by range segments (clips need decoding to be measured)."""
        total = 0
        for seg in self.segments:
            if isinstance(seg, SourceRange):
                a, b = seg.frames(self.sample_rate)
                total += b - a
        return total


def seconds_to_frame(seconds: float, sample_rate: int) -> int:
    """The frame index of a time in seconds: the nearest frame, so 12.5 s at 48 kHz is 600000."""
    return round(seconds * sample_rate)


def validate(edl: Edl) -> None:
    """Check the EDL's own consistency (the sources are checked when they are opened)."""
    if not isinstance(edl.sample_rate, int) or not 8000 <= edl.sample_rate <= 384000:
        raise EdlError(
            f"sample_rate must be an integer from 8000 to 384000, not {edl.sample_rate!r}"
        )
    if not math.isfinite(edl.crossfade_ms) or not 0 <= edl.crossfade_ms <= 1000:
        raise EdlError(f"crossfade_ms must be between 0 and 1000, not {edl.crossfade_ms!r}")
    for i, track in enumerate(edl.tracks):
        if not math.isfinite(track.gain_db) or not math.isfinite(track.offset):
            raise EdlError(f"track {i} ({track.path}): gain_db and offset must be finite numbers")
    has_range = False
    for i, seg in enumerate(edl.segments):
        if isinstance(seg, SourceRange):
            has_range = True
            if not (math.isfinite(seg.start) and math.isfinite(seg.end)):
                raise EdlError(f"segment {i}: start and end must be finite numbers")
            if seg.start < 0:
                raise EdlError(f"segment {i}: start {seg.start} s is before the source begins")
            a, b = seg.frames(edl.sample_rate)
            if b <= a:
                raise EdlError(
                    f"segment {i}: end {seg.end} s must be after start {seg.start} s "
                    "(by at least one sample)"
                )
        elif not math.isfinite(seg.gain_db):
            raise EdlError(f"segment {i} ({seg.path}): gain_db must be a finite number")
    if has_range and not edl.tracks:
        raise EdlError("the EDL has range segments but no tracks to take them from")


# --- JSON form ---------------------------------------------------------------------------------


def to_dict(edl: Edl, relative_to: Path | None = None) -> dict[str, Any]:
    """The versioned JSON-ready form; paths are made relative to ``relative_to`` when given."""

    def rel(p: Path) -> str:
        if relative_to is None:
            return str(p)
        try:
            return os.path.relpath(p, relative_to)
        except ValueError:  # another drive on Windows
            return str(p)

    tracks: list[dict[str, Any]] = []
    for t in edl.tracks:
        d: dict[str, Any] = {"path": rel(t.path), "gain_db": t.gain_db}
        if t.mute:
            d["mute"] = True
        if t.offset:
            d["offset"] = t.offset
        if t.label is not None:
            d["label"] = t.label
        tracks.append(d)
    segments: list[dict[str, Any]] = []
    for s in edl.segments:
        if isinstance(s, SourceRange):
            segments.append({"start": s.start, "end": s.end})
        else:
            c: dict[str, Any] = {"clip": rel(s.path)}
            if s.gain_db:
                c["gain_db"] = s.gain_db
            segments.append(c)
    out: dict[str, Any] = dict(edl.extra)
    out.update(
        {
            "version": EDL_VERSION,
            "sample_rate": edl.sample_rate,
            "crossfade_ms": edl.crossfade_ms,
            "tracks": tracks,
            "segments": segments,
        }
    )
    return out


class _TrackForm(msgspec.Struct, frozen=True):
    path: _NonEmpty
    gain_db: float = 0.0
    mute: bool = False
    offset: float = 0.0
    label: str | None = None


class _SegmentForm(msgspec.Struct, frozen=True):
    """A range (``start``, ``end``) or a clip (``clip``): the JSON form has no tag to tell
    them apart, so both shapes share one form and :func:`_segment` checks which it is."""

    start: float | None = None
    end: float | None = None
    clip: _NonEmpty | None = None
    gain_db: float = 0.0


class _Envelope(msgspec.Struct, frozen=True):
    """What every version has: read first, so a newer file is refused for its version, not
    for a field this build does not know."""

    version: Annotated[int, msgspec.Meta(ge=1)]


class _EdlForm(msgspec.Struct, frozen=True):
    version: int
    segments: list[_SegmentForm]
    sample_rate: int = DEFAULT_SAMPLE_RATE
    crossfade_ms: float = DEFAULT_CROSSFADE_MS
    tracks: list[_TrackForm] = []


_KNOWN = frozenset(_EdlForm.__struct_fields__)
_EXPECTED = {
    "float": "must be a number",
    "int": "must be an integer",
    "str": "must be a string",
    "bool": "must be true or false",
    "array": "must be a list",
    "object": "must be an object",
}
_WHERE = re.compile(r"^\$\.(tracks|segments)\[(\d+)\](?:\.(\w+))?$")


def _problem(exc: msgspec.ValidationError) -> str:
    """msgspec's "Expected `float`, got `str` - at `$.segments[0].start`" in our words:
    "segment 0: 'start' must be a number, not 'str'"."""
    text = str(exc)
    message, _, at = text.partition(" - at `")
    at = at.rstrip("`")
    missing = re.fullmatch(r"Object missing required field `(\w+)`", message)
    expected = re.fullmatch(r"Expected `([^`]+)`(?:, got `(\w+)`)?(.*)", message)
    where = "EDL"
    field_name: str | None = None
    match = _WHERE.match(at)
    if match is not None:
        where = f"{'track' if match[1] == 'tracks' else 'segment'} {match[2]}"
        field_name = match[3]
    elif at.startswith("$."):
        field_name = at[2:]
    if missing is not None:
        return f"{where}: missing {missing[1]!r}"
    subject = f"{field_name!r} " if field_name else ""
    if expected is not None:
        kind = expected[1].removesuffix(" | null")  # an optional field: say what it takes
        wanted = _EXPECTED.get(kind, f"must be {kind}")
        if expected[3].strip() == "of length >= 1":
            wanted = "must be a non-empty string"
        elif expected[3]:  # another constraint, as msgspec states it (">= 1")
            wanted += expected[3]
        got = f", not {expected[2]}" if expected[2] else ""
        return f"{where}: {subject}{wanted}{got}"
    return f"{where}: {text}"


def _resolve(value: str, base: Path | None) -> Path:
    p = Path(value).expanduser()
    return base / p if base is not None and not p.is_absolute() else p


def _segment(i: int, form: _SegmentForm, base: Path | None) -> Segment:
    if form.clip is not None:
        return ClipInsert(_resolve(form.clip, base), form.gain_db)
    for name in ("start", "end"):
        if getattr(form, name) is None:
            raise EdlError(f"segment {i}: missing {name!r}")
    assert form.start is not None and form.end is not None
    return SourceRange(form.start, form.end)


def from_dict(data: Any, base: Path | None = None) -> Edl:
    """Parse the JSON form; relative paths resolve against ``base`` (the EDL file's folder).

    The shape (types, required fields) is checked by msgspec against the forms above; what no
    type can say (ranges that end after they start, finite numbers, a track for every range)
    by :func:`validate`. Every problem is an :class:`EdlError` naming the track or segment.
    """
    if not isinstance(data, Mapping):
        raise EdlError("an EDL must be a JSON object")
    data = dict(data)
    try:
        version = msgspec.convert(data, _Envelope).version
    except msgspec.ValidationError:
        raise EdlError(
            f"'version' must be a positive integer, not {data.get('version')!r}"
        ) from None
    if version > EDL_VERSION:
        raise EdlVersionError(
            f"EDL version {version} is newer than this Wordcut understands "
            f"(up to {EDL_VERSION}); update Wordcut to read it"
        )
    try:
        form = msgspec.convert(data, _EdlForm)
    except msgspec.ValidationError as exc:
        raise EdlError(_problem(exc)) from None
    tracks = tuple(
        EdlTrack(_resolve(t.path, base), t.gain_db, t.mute, t.offset, t.label) for t in form.tracks
    )
    segments = tuple(_segment(i, s, base) for i, s in enumerate(form.segments))
    extra = {k: v for k, v in data.items() if k not in _KNOWN}
    return Edl(form.sample_rate, tracks, segments, form.crossfade_ms, extra)


def loads(text: str, base: Path | None = None) -> Edl:
    """Parse EDL JSON text."""
    try:
        data = msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        raise EdlError(f"not valid JSON: {exc}") from None
    return from_dict(data, base)


def load(path: str | Path) -> Edl:
    """Read an EDL file; relative media paths resolve against the file's folder."""
    p = Path(path)
    text = read_user_text(p, EdlError)
    try:
        return loads(text, p.resolve().parent)
    except EdlVersionError as exc:
        raise EdlVersionError(f"{p}: {exc}") from None
    except EdlError as exc:
        raise EdlError(f"{p}: {exc}") from None


def save(edl: Edl, path: str | Path) -> None:
    """Write an EDL atomically (temp file + rename), paths relative to its folder."""
    p = Path(path)
    write_text(p, json.dumps(to_dict(edl, p.resolve().parent), indent=2) + "\n")
