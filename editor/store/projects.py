"""Project rows: create, find, list, rename, archive, delete.

Functions take a connection so the :class:`editor.store.Store` facade decides transactions; the
ones that write expect to be called inside :func:`editor.store.db.transaction`.
"""

from __future__ import annotations

import json
import sqlite3

from editor.errors import NotFound, StoreError
from editor.store.db import new_id, now
from editor.store.records import Project

_COLUMNS = "id, name, sample_rate, settings_json, created_at, updated_at, opened_at, archived_at"


def _row(row: sqlite3.Row) -> Project:
    return Project(
        id=row["id"],
        name=row["name"],
        sample_rate=int(row["sample_rate"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        opened_at=row["opened_at"],
        archived_at=row["archived_at"],
        settings=json.loads(row["settings_json"]),
    )


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean:
        raise StoreError("a project name cannot be empty")
    if len(clean) > 200:
        raise StoreError("a project name can be at most 200 characters")
    return clean


def create(conn: sqlite3.Connection, name: str, sample_rate: int = 48000) -> Project:
    """Insert a new project; names are unique so the CLI can address projects by name."""
    clean = _check_name(name)
    stamp = now()
    pid = new_id()
    try:
        conn.execute(
            f"INSERT INTO projects ({_COLUMNS}) VALUES (?, ?, ?, '{{}}', ?, ?, NULL, NULL)",
            (pid, clean, sample_rate, stamp, stamp),
        )
    except sqlite3.IntegrityError:
        raise StoreError(f"a project named {clean!r} already exists") from None
    return get(conn, pid)


def get(conn: sqlite3.Connection, project_id: str) -> Project:
    row = conn.execute(f"SELECT {_COLUMNS} FROM projects WHERE id = ?", (project_id,)).fetchone()
    if row is None:
        raise NotFound(f"no project with id {project_id!r}")
    return _row(row)


def find(conn: sqlite3.Connection, ref: str) -> Project:
    """A project by exact name, exact id, or unique id prefix (as the CLI prints them)."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM projects WHERE name = ? OR id = ?", (ref, ref)
    ).fetchone()
    if row is not None:
        return _row(row)
    if len(ref) >= 6:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM projects WHERE id LIKE ? || '%' ESCAPE '\\'",
            (ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"),),
        ).fetchall()
        if len(rows) == 1:
            return _row(rows[0])
        if len(rows) > 1:
            raise NotFound(f"{ref!r} matches {len(rows)} projects; give more of the id")
    raise NotFound(f"no project named {ref!r} (see `wordcut list --archived`)")


def list_all(conn: sqlite3.Connection, archived: bool | None = False) -> list[Project]:
    """Projects, most recently used first; ``archived=None`` lists both kinds."""
    where = ""
    if archived is True:
        where = "WHERE archived_at IS NOT NULL"
    elif archived is False:
        where = "WHERE archived_at IS NULL"
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM projects {where} "
        "ORDER BY COALESCE(opened_at, updated_at) DESC, id DESC"
    ).fetchall()
    return [_row(r) for r in rows]


def rename(conn: sqlite3.Connection, project_id: str, name: str) -> Project:
    clean = _check_name(name)
    try:
        cur = conn.execute(
            "UPDATE projects SET name = ?, updated_at = ? WHERE id = ?",
            (clean, now(), project_id),
        )
    except sqlite3.IntegrityError:
        raise StoreError(f"a project named {clean!r} already exists") from None
    if cur.rowcount == 0:
        raise NotFound(f"no project with id {project_id!r}")
    return get(conn, project_id)


def set_archived(conn: sqlite3.Connection, project_id: str, archived: bool) -> Project:
    stamp = now()
    cur = conn.execute(
        "UPDATE projects SET archived_at = ?, updated_at = ? WHERE id = ?",
        (stamp if archived else None, stamp, project_id),
    )
    if cur.rowcount == 0:
        raise NotFound(f"no project with id {project_id!r}")
    return get(conn, project_id)


def touch_opened(conn: sqlite3.Connection, project_id: str) -> None:
    """Record that the project was opened, for the start screen's recent list."""
    conn.execute("UPDATE projects SET opened_at = ? WHERE id = ?", (now(), project_id))


def touch_updated(conn: sqlite3.Connection, project_id: str) -> None:
    conn.execute("UPDATE projects SET updated_at = ? WHERE id = ?", (now(), project_id))


def delete(conn: sqlite3.Connection, project_id: str) -> None:
    """Delete the project's rows; foreign keys cascade to tracks, ops, renders, chunks."""
    cur = conn.execute("DELETE FROM projects WHERE id = ?", (project_id,))
    if cur.rowcount == 0:
        raise NotFound(f"no project with id {project_id!r}")
