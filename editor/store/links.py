"""A project's link to a relay room, its pending ops, and the relay's notices about them.

Why in the library: an edit made on a shared project is durable locally before the relay has
seen it (a crash, a quit or a dead network must not lose it), and it must stay identifiable by
its sequence number until the relay answers, so a resend after a lost acknowledgement is
recognised rather than applied twice. Refusals are kept until shown: an offline edit that the
relay later rejects is reported, never silently dropped.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from editor.store.db import now


@dataclass(frozen=True, slots=True)
class Link:
    project_id: str
    relay_url: str
    room: str
    token: str
    client_id: str
    name: str
    role: str
    next_seq: int
    synced_at: str | None


@dataclass(frozen=True, slots=True)
class Pending:
    seq: int
    op_json: str


@dataclass(frozen=True, slots=True)
class Notice:
    seq: int
    reason: str
    message: str


_COLS = "project_id, relay_url, room, token, client_id, name, role, next_seq, synced_at"


def get(conn: sqlite3.Connection, project_id: str) -> Link | None:
    row = conn.execute(
        f"SELECT {_COLS} FROM collab_links WHERE project_id = ?", (project_id,)
    ).fetchone()
    return None if row is None else Link(*row)


def create(
    conn: sqlite3.Connection,
    project_id: str,
    *,
    relay_url: str,
    room: str,
    token: str,
    client_id: str,
    name: str,
    role: str,
) -> Link:
    conn.execute(
        "INSERT OR REPLACE INTO collab_links "
        "(project_id, relay_url, room, token, client_id, name, role, next_seq, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
        (project_id, relay_url, room, token, client_id, name, role, now()),
    )
    link = get(conn, project_id)
    assert link is not None
    return link


def remove(conn: sqlite3.Connection, project_id: str) -> None:
    for table in ("collab_links", "collab_pending", "collab_notices"):
        conn.execute(f"DELETE FROM {table} WHERE project_id = ?", (project_id,))


def add_pending(conn: sqlite3.Connection, project_id: str, op_json: str) -> int:
    """Record an op to send; returns the sequence number it will be sent under."""
    (seq,) = conn.execute(
        "UPDATE collab_links SET next_seq = next_seq + 1 WHERE project_id = ? "
        "RETURNING next_seq - 1",
        (project_id,),
    ).fetchone()
    conn.execute(
        "INSERT INTO collab_pending VALUES (?, ?, ?, ?)", (project_id, int(seq), op_json, now())
    )
    return int(seq)


def pending(conn: sqlite3.Connection, project_id: str) -> list[Pending]:
    rows = conn.execute(
        "SELECT seq, op_json FROM collab_pending WHERE project_id = ? ORDER BY seq",
        (project_id,),
    )
    return [Pending(int(s), str(o)) for s, o in rows]


def set_pending(conn: sqlite3.Connection, project_id: str, seq: int, op_json: str) -> None:
    """Fix what a pending op will be sent as (its base, decided when it is first sent)."""
    conn.execute(
        "UPDATE collab_pending SET op_json = ? WHERE project_id = ? AND seq = ?",
        (op_json, project_id, seq),
    )


def replace_pending(conn: sqlite3.Connection, project_id: str, seq: int, op_json: str) -> int:
    """Move a pending op to a new sequence number (after a resync its old base is gone)."""
    conn.execute("DELETE FROM collab_pending WHERE project_id = ? AND seq = ?", (project_id, seq))
    return add_pending(conn, project_id, op_json)


def settle(conn: sqlite3.Connection, project_id: str, seq: int) -> None:
    """The relay answered for ``seq`` (acknowledged or refused): it is pending no more."""
    conn.execute("DELETE FROM collab_pending WHERE project_id = ? AND seq = ?", (project_id, seq))


def add_notice(
    conn: sqlite3.Connection, project_id: str, seq: int, reason: str, message: str
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO collab_notices VALUES (?, ?, ?, ?, ?, NULL)",
        (project_id, seq, reason, message, now()),
    )


def unshown_notices(conn: sqlite3.Connection, project_id: str) -> list[Notice]:
    rows = conn.execute(
        "SELECT seq, reason, message FROM collab_notices "
        "WHERE project_id = ? AND shown_at IS NULL ORDER BY seq",
        (project_id,),
    )
    return [Notice(int(s), str(r), str(m)) for s, r, m in rows]


def mark_shown(conn: sqlite3.Connection, project_id: str, seq: int | None = None) -> None:
    """The user has been told (about ``seq``, or about everything)."""
    if seq is None:
        conn.execute(
            "UPDATE collab_notices SET shown_at = ? WHERE project_id = ? AND shown_at IS NULL",
            (now(), project_id),
        )
    else:
        conn.execute(
            "UPDATE collab_notices SET shown_at = ? WHERE project_id = ? AND seq = ?",
            (now(), project_id, seq),
        )


def mark_synced(conn: sqlite3.Connection, project_id: str) -> None:
    conn.execute("UPDATE collab_links SET synced_at = ? WHERE project_id = ?", (now(), project_id))
