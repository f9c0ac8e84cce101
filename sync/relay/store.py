"""The relay's own SQLite: rooms' snapshots and op logs, idempotency receipts, tokens, blobs.

Why it looks like this: an acknowledgement promises durability, so the database runs WAL with
``synchronous=FULL`` (RELIABILITY.md rule 7) and checks its integrity when it opens. Writes go
through one connection used by one thread (the server's database thread) so that a commit's
fsync never blocks the event loop; reads (token checks, loading a room) use a second
connection, which WAL lets run beside a writer. A batch of ops from many clients is written in
one transaction (group commit): the fsync is paid once per batch, not once per op.

Receipts ``(room, client_id, seq) -> (version, digest)`` are kept forever (they are small), so a
resend is recognised even after its op was compacted out of the retained log.

Schema 2 adds a token's identity (``name``: the author every op and presence entry of its
connections carries; ``bind``: take the first hello's name as that identity, for invitations)
and each room's clip index (which blob holds an overdub clip made after the room was seeded,
and the clip's record), so a co-host can fetch a clip by the name the document uses.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.relay.errors import RelayStoreError

SCHEMA = """
CREATE TABLE rooms (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, manifest TEXT);
CREATE TABLE snapshots (
    room TEXT NOT NULL, version INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (room, version));
CREATE TABLE ops (
    room TEXT NOT NULL, version INTEGER NOT NULL, client_id TEXT NOT NULL,
    seq INTEGER NOT NULL, author TEXT NOT NULL, op TEXT NOT NULL, digest TEXT NOT NULL,
    inverse TEXT NOT NULL, PRIMARY KEY (room, version));
CREATE TABLE receipts (
    room TEXT NOT NULL, client_id TEXT NOT NULL, seq INTEGER NOT NULL,
    version INTEGER NOT NULL, digest TEXT NOT NULL,
    PRIMARY KEY (room, client_id, seq));
CREATE TABLE tokens (
    id TEXT PRIMARY KEY, room TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at TEXT NOT NULL);
"""
MIGRATIONS = {
    2: """
ALTER TABLE tokens ADD COLUMN name TEXT;
ALTER TABLE tokens ADD COLUMN bind INTEGER NOT NULL DEFAULT 0;
CREATE TABLE clips (
    room TEXT NOT NULL, clip TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
    record TEXT, created_at TEXT NOT NULL, PRIMARY KEY (room, clip));
""",
}
"""Schema steps after version 1, each run in the same transaction as its version bump."""
SCHEMA_VERSION = 2


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class OpRow:
    version: int
    client_id: str
    seq: int
    author: str
    op: str
    digest: str
    inverse: str


@dataclass(frozen=True, slots=True)
class RoomData:
    """What a room loads from: the newest snapshot (``None``: empty document) and the ops
    after it, in version order."""

    snapshot: bytes | None
    snapshot_version: int
    ops: list[OpRow]


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: str
    room: str
    role: str
    hash: str
    label: str
    created_at: str
    revoked_at: str | None
    name: str | None = None
    """The identity this token's connections author as; ``None``: the hello's name (a token
    made before schema 2, or without ``--name``), trusted for nothing that needs identity."""
    bind: int = 0
    """1: the first hello's name becomes :attr:`name` (an invitation's token)."""


@dataclass(frozen=True, slots=True)
class ClipRow:
    clip: str
    sha256: str
    size: int
    record: str | None


_OP_COLS = "version, client_id, seq, author, op, digest, inverse"


def _op_row(r: Any) -> OpRow:
    return OpRow(int(r[0]), str(r[1]), int(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]))


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        raise RelayStoreError(f"{path}: cannot open the relay database: {exc}") from exc
    return conn


class RelayStore:
    """The relay database at ``DIR/relay.sqlite``; see the module docstring for threading."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "relay.sqlite"
        self._w = _connect(self.path)
        self._r = _connect(self.path)
        self._rlock = threading.Lock()
        self._wlock = threading.Lock()
        try:
            check = [str(r[0]) for r in self._w.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            raise RelayStoreError(f"{self.path}: not a relay database: {exc}") from exc
        if check != ["ok"]:
            raise RelayStoreError(f"{self.path}: integrity check failed: {check[:3]}")
        self._migrate()

    def close(self) -> None:
        self._w.close()
        self._r.close()

    def _migrate(self) -> None:
        found = int(self._w.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise RelayStoreError(f"{self.path}: written by a newer relay (schema {found})")
        if found == SCHEMA_VERSION:
            return
        with self._write() as c:
            steps = [SCHEMA] if found == 0 else []
            steps += [MIGRATIONS[v] for v in range(max(found, 1) + 1, SCHEMA_VERSION + 1)]
            for script in steps:
                for stmt in script.split(";"):
                    if stmt.strip():
                        c.execute(stmt)
            c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        c = self._w
        with self._wlock:
            try:
                c.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise RelayStoreError(f"cannot start a write: {exc}") from exc
            try:
                yield c
                c.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    c.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise RelayStoreError(f"cannot save: {exc}") from exc
                raise

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[Any]:
        try:
            with self._rlock:
                return list(self._r.execute(sql, args).fetchall())
        except sqlite3.Error as exc:
            raise RelayStoreError(f"cannot read the relay database: {exc}") from exc

    # --- rooms -------------------------------------------------------------------------------

    def ensure_room(self, room: str) -> None:
        with self._write() as c:
            c.execute("INSERT OR IGNORE INTO rooms (id, created_at) VALUES (?, ?)", (room, now()))

    def rooms(self) -> list[str]:
        return [str(r[0]) for r in self._read("SELECT id FROM rooms ORDER BY id")]

    def load_room(self, room: str) -> RoomData:
        snap = self._read(
            "SELECT version, data FROM snapshots WHERE room = ? ORDER BY version DESC LIMIT 1",
            (room,),
        )
        version, data = (int(snap[0][0]), bytes(snap[0][1])) if snap else (0, None)
        rows = self._read(
            f"SELECT {_OP_COLS} FROM ops WHERE room = ? AND version > ? ORDER BY version",
            (room, version),
        )
        return RoomData(data, version, [_op_row(r) for r in rows])

    def ops_between(self, room: str, after: int, upto: int) -> list[OpRow]:
        rows = self._read(
            f"SELECT {_OP_COLS} FROM ops "
            "WHERE room = ? AND version > ? AND version <= ? ORDER BY version",
            (room, after, upto),
        )
        return [_op_row(r) for r in rows]

    def receipt(self, room: str, client_id: str, seq: int) -> tuple[int, str, OpRow | None] | None:
        """A committed submission's version and digest, with its op row unless compacted."""
        rows = self._read(
            "SELECT version, digest FROM receipts WHERE room = ? AND client_id = ? AND seq = ?",
            (room, client_id, seq),
        )
        if not rows:
            return None
        version, digest = int(rows[0][0]), str(rows[0][1])
        ops = self.ops_between(room, version - 1, version)
        return version, digest, ops[0] if ops else None

    def commit(
        self,
        room: str,
        ops: Sequence[OpRow],
        snapshot: tuple[int, bytes] | None = None,
        compact_before: int | None = None,
    ) -> None:
        """Persist a batch of ops (and maybe a snapshot) in one transaction; raises
        :class:`RelayStoreError` with nothing written when any part fails."""
        with self._write() as c:
            c.executemany(
                "INSERT INTO ops VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (room, o.version, o.client_id, o.seq, o.author, o.op, o.digest, o.inverse)
                    for o in ops
                ],
            )
            c.executemany(
                "INSERT INTO receipts VALUES (?, ?, ?, ?, ?)",
                [(room, o.client_id, o.seq, o.version, o.digest) for o in ops],
            )
            if snapshot is not None:
                c.execute("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?)", (room, *snapshot))
                c.execute(
                    "DELETE FROM snapshots WHERE room = ? AND version < ?", (room, snapshot[0])
                )
            if compact_before is not None:
                c.execute("DELETE FROM ops WHERE room = ? AND version < ?", (room, compact_before))

    def manifest(self, room: str) -> str | None:
        rows = self._read("SELECT manifest FROM rooms WHERE id = ?", (room,))
        return None if not rows or rows[0][0] is None else str(rows[0][0])

    def seed(self, room: str, version: int, data: bytes, manifest: str | None = None) -> bool:
        """Start an untouched room from a snapshot; ``False`` if it already has content."""
        with self._write() as c:
            used = c.execute(
                "SELECT (SELECT COUNT(*) FROM ops WHERE room = ?) + "
                "(SELECT COUNT(*) FROM snapshots WHERE room = ?)",
                (room, room),
            ).fetchone()[0]
            if used:
                return False
            c.execute("INSERT OR IGNORE INTO rooms (id, created_at) VALUES (?, ?)", (room, now()))
            c.execute("INSERT INTO snapshots VALUES (?, ?, ?)", (room, version, data))
            c.execute("UPDATE rooms SET manifest = ? WHERE id = ?", (manifest, room))
        return True

    def integrity(self) -> list[str]:
        return [str(r[0]) for r in self._read("PRAGMA integrity_check")]

    # --- tokens ------------------------------------------------------------------------------

    def add_token(self, row: TokenRow) -> None:
        with self._write() as c:
            c.execute(
                "INSERT OR IGNORE INTO rooms (id, created_at) VALUES (?, ?)", (row.room, now())
            )
            c.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.room,
                    row.role,
                    row.hash,
                    row.label,
                    row.created_at,
                    None,
                    row.name,
                    row.bind,
                ),
            )

    def bind_token(self, token_id: str, name: str) -> str | None:
        """Fix an invitation token's identity to ``name`` unless one is already fixed (two
        first connections racing: one wins); returns the identity the token now carries."""
        with self._write() as c:
            c.execute(
                "UPDATE tokens SET name = ?, bind = 0 WHERE id = ? AND bind = 1 AND name IS NULL",
                (name, token_id),
            )
            row = c.execute("SELECT name FROM tokens WHERE id = ?", (token_id,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def token_by_hash(self, digest: str) -> TokenRow | None:
        rows = self._read("SELECT * FROM tokens WHERE hash = ?", (digest,))
        return TokenRow(*rows[0]) if rows else None

    def tokens(self, room: str | None = None) -> list[TokenRow]:
        if room is None:
            rows = self._read("SELECT * FROM tokens ORDER BY room, created_at")
        else:
            rows = self._read("SELECT * FROM tokens WHERE room = ? ORDER BY created_at", (room,))
        return [TokenRow(*r) for r in rows]

    def revoke_token(self, token_id: str) -> bool:
        with self._write() as c:
            cur = c.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (now(), token_id),
            )
            return cur.rowcount > 0

    # --- blobs -------------------------------------------------------------------------------

    def add_blob(self, sha256: str, size: int) -> None:
        with self._write() as c:
            c.execute("INSERT OR IGNORE INTO blobs VALUES (?, ?, ?)", (sha256, size, now()))

    # --- clips -------------------------------------------------------------------------------

    def put_clip(self, room: str, row: ClipRow) -> ClipRow:
        """Record which blob holds ``row.clip`` in ``room``; the first record of a clip stays
        (its name is its hash, so a second one names the same bytes). Returns what is kept."""
        with self._write() as c:
            c.execute(
                "INSERT OR IGNORE INTO clips VALUES (?, ?, ?, ?, ?, ?)",
                (room, row.clip, row.sha256, row.size, row.record, now()),
            )
            kept = c.execute(
                "SELECT clip, sha256, size, record FROM clips WHERE room = ? AND clip = ?",
                (room, row.clip),
            ).fetchone()
        return ClipRow(str(kept[0]), str(kept[1]), int(kept[2]), kept[3])

    def clip(self, room: str, clip: str) -> ClipRow | None:
        rows = self._read(
            "SELECT clip, sha256, size, record FROM clips WHERE room = ? AND clip = ?",
            (room, clip),
        )
        if not rows:
            return None
        r = rows[0]
        return ClipRow(str(r[0]), str(r[1]), int(r[2]), None if r[3] is None else str(r[3]))
