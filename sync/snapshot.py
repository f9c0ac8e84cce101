"""Loading a document snapshot: every field checked, so a corrupt or newer one is refused.

Kept apart from ``sync.document`` because it is long and only runs when a project opens; it
rebuilds the document's indexes directly (the same package's private state) rather than
replaying ops, which is what keeps opening a 15,000-word episode fast. Errors are
``BadSnapshot``; ``Document.from_snapshot`` is the public way in.
"""

from __future__ import annotations

import math
from bisect import insort
from typing import Any

from sync.document import SNAPSHOT_FORMAT, Document, Stamps
from sync.errors import BadOpFormat, BadSnapshot
from sync.model import Section, Word
from sync.ops import (
    LEAD,
    AddTranscript,
    InsertOverdub,
    overdub_from_dict,
    track_from_dict,
    words_from_list,
)


def _int_map(raw: Any, what: str) -> dict[str, int]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
        for k, v in raw.items()
    ):
        raise BadSnapshot(f"document snapshot: {what} must map ids to integers")
    return dict(raw)


def load_snapshot(cls: type[Document], data: Any) -> Document:
    """Rebuild a document from ``Document.snapshot()`` data, checking every field."""
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
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise BadSnapshot(f"document snapshot: 'version' must be >= 0, not {version!r}")
    doc = cls()
    tracks = [track_from_dict(t, f"tracks[{i}]") for i, t in enumerate(data["tracks"])]
    try:
        words = words_from_list(data["words"])
    except BadOpFormat as exc:
        raise BadSnapshot(f"document snapshot: {exc}") from None
    by_track: dict[str, list[Word]] = {t.id: [] for t in tracks}
    for w in words:
        if w.track not in by_track:
            raise BadSnapshot(f"document snapshot: word {w.id!r} names unknown track {w.track!r}")
        by_track[w.track].append(w)
    for t in sorted(tracks, key=lambda t: t.id):
        doc._check_transcript(AddTranscript(t, tuple(by_track[t.id])))
        doc._tracks[t.id] = t
        for w in by_track[t.id]:
            doc._words[w.id] = w
    doc._reindex()
    for i in _str_list(data["deleted"], "deleted"):
        doc.word(i)
        doc._deleted.add(i)
    corrections = data["corrections"]
    pauses = data["pauses"]
    if not isinstance(corrections, dict) or not isinstance(pauses, dict):
        raise BadSnapshot("document snapshot: corrections and pauses must be objects")
    for i, text in corrections.items():
        doc.word(i)
        if not isinstance(text, str) or not text:
            raise BadSnapshot(f"document snapshot: correction of {i!r} must be text")
        doc._corrections[i] = text
    for i, d in pauses.items():
        if i != LEAD:
            doc.word(i)
        if isinstance(d, bool) or not isinstance(d, int | float) or not math.isfinite(d) or d < 0:
            raise BadSnapshot(f"document snapshot: pause after {i!r} must be >= 0 seconds")
        doc._pauses[i] = float(d)
    for n, o in enumerate(data["overdubs"]):
        od = overdub_from_dict(o, f"overdubs[{n}]")
        doc._check(InsertOverdub(od))
        doc._overdubs[od.id] = od
        insort(doc._anchored.setdefault(od.after_word, []), od.id)
    sections = _sections(data["sections"])
    doc._sections = sections
    doc._by_time = sorted(sections, key=lambda s: s.start)
    doc._sections_changed(0)
    stamps = data.get("stamps", {})
    if not isinstance(stamps, dict):
        raise BadSnapshot("document snapshot: 'stamps' must be an object")
    order, moved = stamps.get("order", 0), stamps.get("moved", 0)
    if any(isinstance(x, bool) or not isinstance(x, int) for x in (order, moved)):
        raise BadSnapshot("document snapshot: stamps.order and stamps.moved must be integers")
    doc.stamps = Stamps(
        _int_map(stamps.get("status", {}), "stamps.status"),
        _int_map(stamps.get("text", {}), "stamps.text"),
        _int_map(stamps.get("pause", {}), "stamps.pause"),
        _int_map(stamps.get("name", {}), "stamps.name"),
        _int_map(stamps.get("extent", {}), "stamps.extent"),
        _int_map(stamps.get("created", {}), "stamps.created"),
        order,
        moved,
    )
    doc.version = version
    return doc


def _str_list(raw: Any, what: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
        raise BadSnapshot(f"document snapshot: {what} must be a list of ids")
    return raw


def _sections(raw: Any) -> list[Section]:
    if not isinstance(raw, list) or not raw:
        raise BadSnapshot("document snapshot: 'sections' must be a non-empty list")
    out: list[Section] = []
    for i, s in enumerate(raw):
        if not isinstance(s, dict):
            raise BadSnapshot(f"document snapshot: sections[{i}] must be an object")
        sid, name, start = s.get("id"), s.get("name"), s.get("start")
        if not isinstance(sid, str) or not sid or not isinstance(name, str):
            raise BadSnapshot(f"document snapshot: sections[{i}] needs an id and a name")
        if isinstance(start, bool) or not isinstance(start, int | float):
            raise BadSnapshot(f"document snapshot: sections[{i}].start must be a number")
        out.append(Section(sid, name, float(start)))
    starts = sorted(s.start for s in out)
    if starts[0] != 0.0 or len(set(starts)) != len(starts) or len({s.id for s in out}) != len(out):
        raise BadSnapshot(
            "document snapshot: sections must have unique ids and start times, one at 0"
        )
    return out
