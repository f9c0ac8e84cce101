"""Render records: what was exported, from which EDL, and whether it finished.

A record is written as ``rendering`` before the export starts and finished afterwards, so a
crash mid-export leaves an honest trail (a ``rendering`` row with no file) instead of nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from editor.errors import NotFound, StoreError
from editor.store.db import new_id, now
from editor.store.records import RenderRecord, RenderStatus

_COLUMNS = (
    "id, project_id, format, path, edl_json, options_json, status, error, doc_version, "
    "started_at, finished_at"
)
FINAL = ("completed", "failed", "cancelled")


def _row(row: sqlite3.Row) -> RenderRecord:
    return RenderRecord(
        id=row["id"],
        project_id=row["project_id"],
        format=row["format"],
        path=Path(row["path"]),
        edl_json=row["edl_json"],
        options=json.loads(row["options_json"]),
        status=cast(RenderStatus, row["status"]),
        error=row["error"],
        doc_version=row["doc_version"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


def start(
    conn: sqlite3.Connection,
    project_id: str,
    *,
    format: str,
    path: Path,
    edl_json: str,
    options: Mapping[str, Any],
    doc_version: int | None,
) -> RenderRecord:
    rid = new_id()
    conn.execute(
        f"INSERT INTO renders ({_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, 'rendering', NULL, ?, ?, NULL)",
        (
            rid,
            project_id,
            format,
            str(path),
            edl_json,
            json.dumps(dict(options), default=str),
            doc_version,
            now(),
        ),
    )
    return get(conn, rid)


def finish(
    conn: sqlite3.Connection, render_id: str, status: RenderStatus, error: str | None = None
) -> RenderRecord:
    if status not in FINAL:
        raise StoreError(f"a render finishes as one of {FINAL}, not {status!r}")
    cur = conn.execute(
        "UPDATE renders SET status = ?, error = ?, finished_at = ? WHERE id = ?",
        (status, error, now(), render_id),
    )
    if cur.rowcount == 0:
        raise NotFound(f"no render with id {render_id!r}")
    return get(conn, render_id)


def get(conn: sqlite3.Connection, render_id: str) -> RenderRecord:
    row = conn.execute(f"SELECT {_COLUMNS} FROM renders WHERE id = ?", (render_id,)).fetchone()
    if row is None:
        raise NotFound(f"no render with id {render_id!r}")
    return _row(row)


def list_for(conn: sqlite3.Connection, project_id: str) -> list[RenderRecord]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM renders WHERE project_id = ? ORDER BY started_at, id",
        (project_id,),
    ).fetchall()
    return [_row(r) for r in rows]
