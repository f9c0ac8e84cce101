"""Overdub clips in a shared project: sent with the op that inserts them, fetched by a co-host.

An overdub's clip is a file in the project's ``clips/`` named by its hash (``editor.overdub``
writes ``<first 32 hex digits of its SHA-256>.wav`` and a record ``.json`` beside it, which
the transcript's generated-word marks read). ``wordcut share`` sends the clips that exist then;
a clip made later travels here: before a pending op that inserts it is submitted, the clip goes
up as a blob (resumably, skipped when the relay already holds it) and is indexed in the room
under its name with its record (``clip_put``), so by the time a co-host applies the op the clip
can be found. A co-host's replica fetches every clip its document names and its ``clips/``
lacks (``clip_get`` -> blob download, verified against the full hash and the name) and writes
the record beside it; what cannot be fetched is said in one line, not discovered by a failing
export.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from editor.collab.conn import ClipsUnsupported, Progress, RelayConn, sha256_of
from editor.errors import CollabError
from render.atomic import write_text
from sync import protocol as p
from sync.model import Overdub
from sync.ops import Compound, InsertOverdub, Op

log = logging.getLogger(__name__)

CLIP_NAME = re.compile(r"[0-9a-f]{32}\.wav")
"""The clips that can travel: hash-named ones (a clip given by an absolute path cannot)."""


def inserted(op: Op) -> Iterator[Overdub]:
    """The overdubs an op inserts (inside compounds too)."""
    if isinstance(op, Compound):
        for inner in op.ops:
            yield from inserted(inner)
    elif isinstance(op, InsertOverdub):
        yield op.overdub


def _record(clip: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(clip.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or len(json.dumps(data)) > p.MAX_RECORD:
        return None
    return data


async def offer(conn: RelayConn, clips_dir: Path, overdubs: Iterable[Overdub]) -> int:
    """Make sure the room holds each of these clips that exists here; returns bytes sent.

    Raises :class:`CollabError` when the relay refuses a clip (the op that needs it must not
    go out without it) and ``Offline`` when the connection drops (it is all resumed later)."""
    sent = 0
    for o in overdubs:
        if not CLIP_NAME.fullmatch(o.clip):
            continue
        path = clips_dir / o.clip
        if not path.is_file():
            continue  # not made here: whoever made it sent it
        sha = sha256_of(path)
        if not sha.startswith(o.clip[:32]):
            log.warning("clip %s does not match its name; not sent", path)
            continue
        try:
            info = await conn.clip(p.ClipGet(o.clip))
        except ClipsUnsupported:
            log.warning("the relay keeps no clip index; clip %s is not sent", o.clip)
            return sent  # an older relay: as before, only the clips shared with the room
        if info.sha256 == sha:
            continue  # already in the room
        sent += await conn.upload(path, sha)
        info = await conn.clip(p.ClipPut(o.clip, sha, path.stat().st_size, _record(path)))
        if info.sha256 is None:
            raise CollabError(f"the relay did not keep overdub clip {o.clip}")
    return sent


def missing(clips_dir: Path, overdubs: Iterable[Overdub]) -> list[Overdub]:
    """The travelling clips the document plays that this project's ``clips/`` lacks."""
    return [
        o for o in overdubs if CLIP_NAME.fullmatch(o.clip) and not (clips_dir / o.clip).is_file()
    ]


async def fetch(
    conn: RelayConn,
    clips_dir: Path,
    overdubs: Iterable[Overdub],
    progress: Progress | None = None,
) -> list[str]:
    """Fetch each missing clip (and its record) from the room; returns one line per clip that
    could not be had (the room does not know it yet). A damaged download raises."""
    problems: list[str] = []
    for o in missing(clips_dir, overdubs):
        try:
            info = await conn.clip(p.ClipGet(o.clip))
        except ClipsUnsupported:
            problems.append(f"overdub clip {o.clip}: {ClipsUnsupported.__doc__}")
            continue
        if info.sha256 is None or not info.sha256.startswith(o.clip[:32]):
            problems.append(
                f"overdub clip {o.clip} ({o.text[:40]!r}) is not on the relay yet; "
                "export and play will lack it until its host syncs"
            )
            continue
        clips_dir.mkdir(parents=True, exist_ok=True)
        dest = clips_dir / o.clip
        await conn.download(info.sha256, info.size, dest, progress)
        if info.record is not None and not dest.with_suffix(".json").exists():
            text = json.dumps(info.record, ensure_ascii=False, indent=1) + "\n"
            write_text(dest.with_suffix(".json"), text)
    return problems


def offline_note(clips_dir: Path, overdubs: Iterable[Overdub]) -> str | None:
    """One line for the clips that are missing while the relay cannot be reached."""
    lacking = missing(clips_dir, overdubs)
    if not lacking:
        return None
    names = ", ".join(o.clip[:12] for o in lacking[:3]) + (" ..." if len(lacking) > 3 else "")
    return (
        f"{len(lacking)} overdub clip(s) ({names}) are not here and cannot be fetched while "
        "offline; export and play need them: sync when the relay is back"
    )
