"""The library schema and its migrations, keyed by ``PRAGMA user_version``.

Each entry of :data:`MIGRATIONS` moves the database from version ``i`` to ``i + 1``. All pending
steps run inside one ``BEGIN IMMEDIATE`` transaction together with the ``user_version`` bump, so a
crash mid-migration leaves the old schema intact (SQLite DDL is transactional, but Python's
sqlite3 module does not open a transaction for DDL on its own, hence the explicit BEGIN). A
database written by a newer Wordcut is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3

from editor.errors import StoreError
from editor.store.db import transaction

_V1 = """
CREATE TABLE projects (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    sample_rate   INTEGER NOT NULL DEFAULT 48000,
    settings_json TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    opened_at     TEXT,
    archived_at   TEXT
);

CREATE TABLE tracks (
    id            TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    label         TEXT NOT NULL,
    media_path    TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    cache_dir     TEXT,
    metadata_json TEXT NOT NULL DEFAULT '{}',
    clock_offset  REAL NOT NULL DEFAULT 0,
    gain_db       REAL NOT NULL DEFAULT 0,
    transcription_status TEXT NOT NULL DEFAULT 'pending'
        CHECK (transcription_status IN ('pending', 'in_progress', 'completed', 'failed')),
    created_at    TEXT NOT NULL,
    UNIQUE (project_id, label)
);
CREATE INDEX tracks_by_project ON tracks(project_id, position);

CREATE TABLE transcript_words (
    track_id   TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    word_id    TEXT NOT NULL,
    text       TEXT NOT NULL,
    start      REAL NOT NULL,
    "end"      REAL NOT NULL,
    confidence REAL NOT NULL DEFAULT 1.0,
    speaker    TEXT,
    PRIMARY KEY (track_id, idx)
);

CREATE TABLE doc_snapshots (
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    data       BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, version)
);

CREATE TABLE doc_ops (
    project_id     TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    op_json        TEXT NOT NULL,
    inverse_json   TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('do', 'undo', 'redo')),
    target_version INTEGER,
    author         TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    client_seq     INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (project_id, version),
    UNIQUE (project_id, client_id, client_seq)
);
CREATE INDEX doc_ops_by_author ON doc_ops(project_id, author, version);

CREATE TABLE renders (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    format       TEXT NOT NULL,
    path         TEXT NOT NULL,
    edl_json     TEXT NOT NULL,
    options_json TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL
        CHECK (status IN ('rendering', 'completed', 'failed', 'cancelled')),
    error        TEXT,
    doc_version  INTEGER,
    started_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX renders_by_project ON renders(project_id, started_at);

CREATE TABLE voice_profiles (
    id              TEXT PRIMARY KEY,
    project_id      TEXT REFERENCES projects(id) ON DELETE CASCADE,
    host            TEXT NOT NULL,
    reference_media TEXT NOT NULL,
    reference_sha256 TEXT,
    backend         TEXT NOT NULL DEFAULT 'splice',
    consent_json    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    revoked_at      TEXT
);

CREATE TABLE transcription_chunks (
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    track_id    TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    job_key     TEXT NOT NULL,
    chunk_index INTEGER NOT NULL,
    start       REAL,
    "end"       REAL,
    status      TEXT CHECK (status IN ('done', 'gap')),
    attempts    INTEGER,
    words_json  TEXT,
    error       TEXT,
    updated_at  TEXT,
    PRIMARY KEY (project_id, track_id, job_key, chunk_index)
);
"""

_V2 = """
ALTER TABLE doc_ops ADD COLUMN request_digest TEXT NOT NULL DEFAULT '';

CREATE TABLE local_client (
    slot       INTEGER PRIMARY KEY CHECK (slot = 1),
    id         TEXT NOT NULL,
    next_seq   INTEGER NOT NULL CHECK (next_seq >= 1),
    created_at TEXT NOT NULL
);
INSERT INTO local_client (slot, id, next_seq, created_at)
    VALUES (1, lower(hex(randomblob(13))), 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
"""
"""v2: the op log keeps a digest of what each client submitted (a resend is told apart from a
reused sequence number), and the library has one client id for this installation with its
persisted sequence counter (every process on this machine submits as that client)."""

_V3 = """
DROP TABLE transcript_words;
"""
"""v3: transcripts live only in the document (its snapshot and op log). The per-track word table
was written outside the session's transaction, so it could disagree with the document, and
nothing read it."""

_V4 = """
CREATE TABLE collab_links (
    project_id  TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    relay_url   TEXT NOT NULL,
    room        TEXT NOT NULL,
    token       TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT 'editor',
    next_seq    INTEGER NOT NULL DEFAULT 1 CHECK (next_seq >= 1),
    synced_at   TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE collab_pending (
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    op_json     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (project_id, seq)
);

CREATE TABLE collab_notices (
    project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    message     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    shown_at    TEXT,
    PRIMARY KEY (project_id, seq)
);
"""
"""v4: a project linked to a relay room (co-editing): the link, the ops made locally that the
relay has not acknowledged yet (they survive a crash or a restart and are sent on reconnect),
and the relay's refusals of such ops, kept until the user has been told."""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4)
"""SQL scripts; index ``i`` upgrades a database at ``user_version == i`` to ``i + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database file."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to :data:`SCHEMA_VERSION`; returns the version found before.

    Raises :class:`StoreError` if the file was written by a newer Wordcut, or if a step fails
    (in which case nothing was changed).
    """
    found = user_version(conn)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the library was written by a newer Wordcut (schema {found}, this one knows up to "
            f"{SCHEMA_VERSION}); update Wordcut to open it"
        )
    if found == SCHEMA_VERSION:
        return found
    with transaction(conn):
        if user_version(conn) != found:  # another process migrated while we waited
            return found
        for script in MIGRATIONS[found:]:
            for statement in _statements(script):
                try:
                    conn.execute(statement)
                except sqlite3.Error as exc:
                    raise StoreError(f"library migration failed: {exc}") from exc
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return found


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would COMMIT our transaction)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
