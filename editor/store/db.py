"""SQLite connections with Wordcut's pragmas, explicit write transactions, and ids.

Why these settings: WAL lets the UI read while a background job writes; ``synchronous=FULL``
makes a returned COMMIT durable even on power loss (the session promises that a returned
``submit`` survives ``kill -9``); ``foreign_keys`` is per connection in SQLite, so every
connection must switch it on; ``isolation_level=None`` stops Python's sqlite3 from opening
implicit transactions so that ``BEGIN IMMEDIATE`` (take the write lock up front, no deadlocking
upgrade from a read) is the only way a write starts.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from editor.errors import StoreError

BUSY_TIMEOUT_MS = 10_000


def connect(path: Path) -> sqlite3.Connection:
    """Open ``path`` with WAL, full sync, foreign keys and a busy timeout; autocommit mode."""
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=True
        )
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the library database: {exc}") from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            # Network filesystems refuse WAL; the library still works, only less concurrently.
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: not a usable library database: {exc}") from exc
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; roll back and re-raise on any error.

    sqlite3 errors (from BEGIN, the block's statements or COMMIT) are turned into
    :class:`StoreError` so callers see one error family; other exceptions (a validation error
    raised inside the block) pass through unchanged after the rollback, so the database is left
    exactly as before.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot start a write to the library: {exc}") from exc
    try:
        yield conn
    except BaseException as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"cannot save to the library: {exc}") from exc
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise StoreError(f"cannot save to the library: {exc}") from exc


def new_id() -> str:
    """A 26-hex-digit id that sorts by creation time (ms prefix) and is unique (56 random bits)."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(7)}"


def now() -> str:
    """The current time as an ISO-8601 UTC string, the form every timestamp column uses."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def integrity_check(conn: sqlite3.Connection) -> list[str]:
    """SQLite's own consistency check; ``["ok"]`` when the file is sound."""
    try:
        return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [f"integrity_check failed: {exc}"]
