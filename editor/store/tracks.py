"""Track rows and their transcription words.

A track references the user's media file by path and SHA-256; the hash lets a moved file be
re-attached (``locate``) with proof that it is the same recording.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast, get_args

from editor.errors import NotFound, StoreError
from editor.store.db import new_id, now
from editor.store.records import Track, TranscriptionStatus

_COLUMNS = (
    "id, project_id, position, label, media_path, sha256, cache_dir, metadata_json, "
    "clock_offset, gain_db, transcription_status, created_at"
)
STATUSES: tuple[str, ...] = get_args(TranscriptionStatus)


def _row(row: sqlite3.Row) -> Track:
    return Track(
        id=row["id"],
        project_id=row["project_id"],
        position=int(row["position"]),
        label=row["label"],
        media_path=Path(row["media_path"]),
        sha256=row["sha256"],
        cache_dir=None if row["cache_dir"] is None else Path(row["cache_dir"]),
        metadata=json.loads(row["metadata_json"]),
        clock_offset=float(row["clock_offset"]),
        gain_db=float(row["gain_db"]),
        transcription_status=cast(TranscriptionStatus, row["transcription_status"]),
        created_at=row["created_at"],
    )


def add(
    conn: sqlite3.Connection,
    project_id: str,
    *,
    label: str,
    media_path: Path,
    sha256: str,
    cache_dir: Path | None = None,
    metadata: Mapping[str, Any] | None = None,
    clock_offset: float = 0.0,
    gain_db: float = 0.0,
    track_id: str | None = None,
) -> Track:
    """Insert a track at the end of the project's track list; labels are unique per project."""
    if not label.strip():
        raise StoreError("a track label cannot be empty")
    tid = track_id or new_id()
    pos = conn.execute(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM tracks WHERE project_id = ?", (project_id,)
    ).fetchone()[0]
    try:
        conn.execute(
            f"INSERT INTO tracks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
            (
                tid,
                project_id,
                pos,
                label.strip(),
                str(media_path),
                sha256,
                None if cache_dir is None else str(cache_dir),
                json.dumps(dict(metadata or {})),
                clock_offset,
                gain_db,
                now(),
            ),
        )
    except sqlite3.IntegrityError as exc:
        if "UNIQUE" in str(exc):
            raise StoreError(f"the project already has a track labelled {label!r}") from None
        raise NotFound(f"no project with id {project_id!r}") from None
    return get(conn, tid)


def get(conn: sqlite3.Connection, track_id: str) -> Track:
    row = conn.execute(f"SELECT {_COLUMNS} FROM tracks WHERE id = ?", (track_id,)).fetchone()
    if row is None:
        raise NotFound(f"no track with id {track_id!r}")
    return _row(row)


def list_for(conn: sqlite3.Connection, project_id: str) -> list[Track]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM tracks WHERE project_id = ? ORDER BY position", (project_id,)
    ).fetchall()
    return [_row(r) for r in rows]


def find(conn: sqlite3.Connection, project_id: str, ref: str) -> Track:
    """A project's track by label, id, or position number (1-based, as the CLI lists them)."""
    for t in list_for(conn, project_id):
        if ref in (t.label, t.id) or (ref.isdigit() and int(ref) == t.position + 1):
            return t
    raise NotFound(f"the project has no track {ref!r}")


def update(conn: sqlite3.Connection, track_id: str, **fields: Any) -> Track:
    """Change some of: label, media_path, cache_dir, metadata, clock_offset, gain_db,
    transcription_status."""
    column = {
        "label": "label",
        "media_path": "media_path",
        "cache_dir": "cache_dir",
        "metadata": "metadata_json",
        "clock_offset": "clock_offset",
        "gain_db": "gain_db",
        "transcription_status": "transcription_status",
    }
    sets: list[str] = []
    values: list[Any] = []
    for key, value in fields.items():
        if key not in column:
            raise ValueError(f"unknown track field {key!r}")
        if key == "transcription_status" and value not in STATUSES:
            raise StoreError(f"transcription status must be one of {STATUSES}, not {value!r}")
        if key == "metadata":
            value = json.dumps(dict(value))
        elif key in ("media_path", "cache_dir") and value is not None:
            value = str(value)
        sets.append(f"{column[key]} = ?")
        values.append(value)
    if sets:
        try:
            cur = conn.execute(
                f"UPDATE tracks SET {', '.join(sets)} WHERE id = ?", (*values, track_id)
            )
        except sqlite3.IntegrityError:
            raise StoreError(
                f"the project already has a track labelled {fields.get('label')!r}"
            ) from None
        if cur.rowcount == 0:
            raise NotFound(f"no track with id {track_id!r}")
    return get(conn, track_id)
