"""An in-memory ``LogStore`` for authority tests: a transaction is a list that commit keeps.

It stores entries as their wire bytes (op and inverse through ``encode_op``) and decodes them
on the way out, so what a test reads back is what a real store would have persisted.
"""

from __future__ import annotations

from collections.abc import Iterable

from sync.events import LogEntry
from sync.ops import decode_op, encode_op
from sync.snapshot import Snapshot, encode_snapshot, parse_snapshot


class PersistFailed(Exception):
    """The injected storage failure."""


def _freeze(e: LogEntry) -> tuple[object, ...]:
    return (
        e.version, encode_op(e.op), encode_op(e.inverse), e.author, e.client_id, e.seq,
        e.kind, e.target, e.digest,
    )  # fmt: skip


def _thaw(row: tuple[object, ...]) -> LogEntry:
    v, op, inv, author, cid, seq, kind, target, digest = row
    return LogEntry(
        int(v),  # type: ignore[call-overload]
        decode_op(op),  # type: ignore[arg-type]
        decode_op(inv),  # type: ignore[arg-type]
        str(author), str(cid), int(seq), kind, target, str(digest),  # type: ignore[arg-type, call-overload]
    )  # fmt: skip


class MemoryLog:
    """Committed rows, the open transaction's rows, an optional snapshot, failure injection."""

    def __init__(self) -> None:
        self.rows: list[tuple[object, ...]] = []
        self.open: list[tuple[object, ...]] = []
        self.snapshot: bytes | None = None
        self.fail_next_append = False
        self.compacted_before = 0

    # LogStore
    def append(self, entry: LogEntry) -> None:
        if self.fail_next_append:
            self.fail_next_append = False
            raise PersistFailed("disk full")
        head = (self.open or self.rows or [(0,)])[-1][0]
        assert entry.version == int(head) + 1  # type: ignore[call-overload]
        self.open.append(_freeze(entry))

    def find(self, client_id: str, seq: int) -> LogEntry | None:
        for row in self.rows:
            if row[4] == client_id and row[5] == seq:
                return _thaw(row)
        return None

    def entries_after(self, version: int) -> Iterable[LogEntry]:
        return [_thaw(r) for r in self.rows if int(r[0]) > max(version, self.compacted_before)]  # type: ignore[call-overload]

    def load(self) -> tuple[Snapshot | None, Iterable[LogEntry]]:
        snap = None if self.snapshot is None else parse_snapshot(self.snapshot)
        return snap, self.entries_after(0 if snap is None else snap.version)

    # the driver's side
    def commit(self) -> None:
        self.rows.extend(self.open)
        self.open.clear()

    def abort(self) -> None:
        self.open.clear()

    def save_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = encode_snapshot(snap)
