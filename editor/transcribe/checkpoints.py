"""Per-chunk checkpoints in the library's ``transcription_chunks`` table.

Durable state is separate from work in flight: a chunk's row is written, in its own
transaction, only once the chunk is finished (its words) or given up on (a gap). A crash or quit
therefore loses at most the chunks that were being transcribed; everything already written is
read back on the next run with the same ``job_key``.

The job key identifies *what* is being transcribed and *how* (model, options, the cached audio),
so a run with another model or option never picks up words it did not produce. Rows that cannot
be read back (a corrupted ``words_json``) are treated as not done: the chunk is simply redone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from editor.errors import StoreError, TranscribeError
from editor.store import db
from editor.transcribe.chunking import Chunk
from editor.transcribe.words import TimedWord, words_from_json, words_to_json


class CheckpointError(TranscribeError):
    """The checkpoint table cannot be read or written (disk full, locked, corrupt)."""


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    index: int
    start: float
    end: float
    status: str  # "done" | "gap"
    attempts: int
    words: list[TimedWord] = field(default_factory=list)
    error: str | None = None


def job_key(model_id: str, options: Mapping[str, Any], audio_id: str) -> str:
    """A stable hash of model, options and audio identity (the checkpoints' namespace)."""
    blob = json.dumps(
        {"model": model_id, "options": dict(options), "audio": audio_id}, sort_keys=True
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@contextlib.contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction (:func:`editor.store.db.transaction`); any failure is one clear error."""
    try:
        with db.transaction(conn):
            yield conn
    except (sqlite3.Error, StoreError) as exc:
        cause = exc.__cause__ if isinstance(exc, StoreError) and exc.__cause__ else exc
        reason = "the disk is full" if "full" in str(cause).lower() else str(cause)
        raise CheckpointError(
            f"cannot save transcription progress ({reason}); earlier chunks are kept"
        ) from cause


class Checkpoints:
    """The finished chunks of one (project, track, job key); one connection, one thread."""

    def __init__(self, conn: sqlite3.Connection, project_id: str, track_id: str, key: str) -> None:
        self.conn = conn
        self.where = (project_id, track_id, key)

    def load(self) -> dict[int, ChunkRecord]:
        """Every readable row by chunk index; unreadable ones are left out (to be redone)."""
        try:
            rows = self.conn.execute(
                'SELECT chunk_index, start, "end", status, attempts, words_json, error '
                "FROM transcription_chunks WHERE project_id=? AND track_id=? AND job_key=? "
                "ORDER BY chunk_index",
                self.where,
            ).fetchall()
        except sqlite3.Error as exc:
            raise CheckpointError(f"cannot read transcription progress: {exc}") from exc
        out: dict[int, ChunkRecord] = {}
        for row in rows:
            record = _record(tuple(row))
            if record is not None:
                out[record.index] = record
        return out

    def save_done(self, chunk: Chunk, words: Sequence[TimedWord], attempts: int) -> None:
        self._save(chunk, "done", attempts, json.dumps(words_to_json(words)), None)

    def save_gap(self, chunk: Chunk, attempts: int, error: str) -> None:
        self._save(chunk, "gap", attempts, "[]", error)

    def clear_gaps(self) -> int:
        """Forget the gaps so the next run retries them; returns how many there were."""
        with _write(self.conn) as conn:
            cur = conn.execute(
                "DELETE FROM transcription_chunks WHERE project_id=? AND track_id=? "
                "AND job_key=? AND status='gap'",
                self.where,
            )
        return int(cur.rowcount)

    def _save(
        self, chunk: Chunk, status: str, attempts: int, words_json: str, error: str | None
    ) -> None:
        with _write(self.conn) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO transcription_chunks (project_id, track_id, job_key, "
                'chunk_index, start, "end", status, attempts, words_json, error, updated_at) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *self.where,
                    chunk.index,
                    chunk.start,
                    chunk.end,
                    status,
                    attempts,
                    words_json,
                    error,
                    db.now(),
                ),
            )


def _record(row: tuple[Any, ...]) -> ChunkRecord | None:
    index, start, end, status, attempts, words_json, error = row
    if status not in ("done", "gap"):
        return None
    try:
        words = words_from_json(json.loads(words_json or "[]"))
        return ChunkRecord(
            int(index),
            float(start),
            float(end),
            str(status),
            int(attempts or 0),
            words,
            None if error is None else str(error),
        )
    except (ValueError, TypeError, IndexError):
        return None
