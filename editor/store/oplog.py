"""The persisted document: snapshots plus an append-only op log.

Loading is "latest snapshot, then replay the ops after it"; the session writes a new snapshot
every so often in the same transaction as an op, so a load never replays more than a few hundred
ops. Ops are stored as the JSON text ``sync.ops.op_to_dict`` produces (this module does not
interpret it, so the store stays independent of the document's code), together with the inverse
the document returned when it applied the op: undo history can then be rebuilt from the log
alone, in a new process, without replaying the document.

Several processes may write one project (the app and a CLI command): each appends inside its
own ``BEGIN IMMEDIATE`` transaction after reading the tail it had not seen, so versions stay
gap-free and nobody is told to reopen. Every process on this machine submits as the library's
one client id (:func:`local_client_id`), numbering its ops from the persisted counter
(:func:`take_seq`) inside the same transaction as the append.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from editor.errors import StoreError
from editor.store.db import now
from editor.store.records import OpKind, OpRecord

_OP_COLUMNS = (
    "version, op_json, inverse_json, kind, target_version, author, client_id, client_seq, "
    "created_at, request_digest"
)


def _op(row: sqlite3.Row) -> OpRecord:
    return OpRecord(
        version=int(row[0]),
        op=str(row[1]),
        inverse=str(row[2]),
        kind=row[3],
        target_version=None if row[4] is None else int(row[4]),
        author=str(row[5]),
        client_id=str(row[6]),
        client_seq=int(row[7]),
        created_at=str(row[8]),
        digest=str(row[9] or ""),
    )


def head_version(conn: sqlite3.Connection, project_id: str) -> int:
    """The version of the newest op (0 for a document nobody has edited)."""
    row = conn.execute(
        "SELECT MAX(version) FROM doc_ops WHERE project_id = ?", (project_id,)
    ).fetchone()
    snap = conn.execute(
        "SELECT MAX(version) FROM doc_snapshots WHERE project_id = ?", (project_id,)
    ).fetchone()
    return max(int(row[0] or 0), int(snap[0] or 0))


def append(
    conn: sqlite3.Connection,
    project_id: str,
    *,
    version: int,
    op_json: str,
    inverse_json: str,
    kind: OpKind,
    author: str,
    client_id: str,
    client_seq: int,
    target_version: int | None = None,
    digest: str = "",
) -> None:
    """Append one op; its version must follow the head exactly (the log is gap-free).

    The caller holds the write lock and has caught up with the log, so a mismatch means a
    bug or a damaged log, never a concurrent writer."""
    head = head_version(conn, project_id)
    if version != head + 1:
        raise StoreError(
            f"op version {version} does not follow the stored version {head}; "
            "the edit was not saved"
        )
    try:
        conn.execute(
            f"INSERT INTO doc_ops (project_id, {_OP_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                project_id,
                version,
                op_json,
                inverse_json,
                kind,
                target_version,
                author,
                client_id,
                client_seq,
                now(),
                digest,
            ),
        )
    except sqlite3.IntegrityError as exc:
        raise StoreError(f"cannot record the edit: {exc}") from None


def by_client_seq(
    conn: sqlite3.Connection, project_id: str, client_id: str, client_seq: int
) -> OpRecord | None:
    """The op a client already submitted under this sequence number (idempotent resend)."""
    row = conn.execute(
        f"SELECT {_OP_COLUMNS} FROM doc_ops WHERE project_id = ? AND client_id = ? "
        "AND client_seq = ?",
        (project_id, client_id, client_seq),
    ).fetchone()
    return None if row is None else _op(row)


def next_client_seq(conn: sqlite3.Connection, project_id: str, client_id: str) -> int:
    """One past the highest sequence number ``client_id`` used in this project's log."""
    row = conn.execute(
        "SELECT MAX(client_seq) FROM doc_ops WHERE project_id = ? AND client_id = ?",
        (project_id, client_id),
    ).fetchone()
    return int(row[0] or 0) + 1


def local_client_id(conn: sqlite3.Connection) -> str:
    """This installation's client id (made once, by the schema migration)."""
    row = conn.execute("SELECT id FROM local_client WHERE slot = 1").fetchone()
    if row is None:
        raise StoreError("the library has no client id; it is damaged")
    return str(row[0])


def take_seq(conn: sqlite3.Connection) -> int:
    """The next sequence number of this installation's client, counted as used.

    Call it inside the write transaction that appends the op: a rolled-back edit gives its
    number back."""
    row = conn.execute(
        "UPDATE local_client SET next_seq = next_seq + 1 WHERE slot = 1 RETURNING next_seq - 1"
    ).fetchone()
    if row is None:
        raise StoreError("the library has no client id; it is damaged")
    return int(row[0])


def ops_after(conn: sqlite3.Connection, project_id: str, version: int) -> Iterator[OpRecord]:
    """Ops with a version greater than ``version``, in order."""
    rows = conn.execute(
        f"SELECT {_OP_COLUMNS} FROM doc_ops WHERE project_id = ? AND version > ? ORDER BY version",
        (project_id, version),
    )
    for row in rows:
        yield _op(row)


def author_history(conn: sqlite3.Connection, project_id: str, author: str) -> list[OpRecord]:
    """Every op one author made, oldest first: the input for rebuilding their undo stacks."""
    rows = conn.execute(
        f"SELECT {_OP_COLUMNS} FROM doc_ops WHERE project_id = ? AND author = ? ORDER BY version",
        (project_id, author),
    ).fetchall()
    return [_op(r) for r in rows]


def save_snapshot(conn: sqlite3.Connection, project_id: str, version: int, data: bytes) -> None:
    """Store the document as it is at ``version``; older snapshots but the previous are pruned.

    One older snapshot is kept so a snapshot that turns out unreadable still has a fallback.
    """
    conn.execute(
        "INSERT OR REPLACE INTO doc_snapshots (project_id, version, data, created_at) "
        "VALUES (?, ?, ?, ?)",
        (project_id, version, data, now()),
    )
    conn.execute(
        "DELETE FROM doc_snapshots WHERE project_id = ? AND version < ("
        "SELECT MIN(version) FROM (SELECT version FROM doc_snapshots WHERE project_id = ? "
        "ORDER BY version DESC LIMIT 2))",
        (project_id, project_id),
    )


def snapshots(conn: sqlite3.Connection, project_id: str) -> list[tuple[int, bytes]]:
    """Stored snapshots, newest first, as ``(version, data)``."""
    rows = conn.execute(
        "SELECT version, data FROM doc_snapshots WHERE project_id = ? ORDER BY version DESC",
        (project_id,),
    ).fetchall()
    return [(int(r[0]), bytes(r[1])) for r in rows]
