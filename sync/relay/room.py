"""One room's authority: orders ops, rebases stale ones, remembers receipts; no I/O.

This is the seam the issue asks for while ``sync/authority.py`` (issue 8) is being written:
the relay drives it with two-phase group commit. ``submit`` applies an op to the live document
*tentatively* and records the row to persist; the driver persists every tentative row of a
batch in one transaction and then calls :meth:`RoomAuthority.committed` (acks and broadcasts
go out only after that), or :meth:`RoomAuthority.reload` when the commit failed, which puts the
document back exactly as the store holds it. Nothing outside the room sees a tentative op: a
join is answered only when no tentative rows are outstanding.

Rebase uses ``sync.rebase`` with the ops applied since the submitted ``base_version``; the room
keeps the last ``retain`` of them (decoded ops plus their encoded ``applied`` messages for
catch-up). A base older than that window needs a resync.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from sync import protocol as p
from sync.document import Document
from sync.errors import BadSnapshot, OpError, StaleVersion
from sync.ops import Op, op_from_dict, op_to_dict
from sync.relay.errors import RelayStoreError
from sync.relay.store import OpRow, RelayStore

_json = msgspec.json.Encoder()


@dataclass(frozen=True, slots=True)
class Accepted:
    seq: int
    version: int
    applied: bytes
    """The encoded ``applied`` message every other member gets."""
    ack: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    """Anything that is not a new op: a duplicate's original ack, a rejection, an error."""

    seq: int
    data: bytes
    resync: bool = False


Outcome = Accepted | Answer


class RoomAuthority:
    """The authority of one room; not thread-safe (the room's task owns it)."""

    def __init__(self, room: str, store: RelayStore, *, retain: int, snapshot_every: int) -> None:
        self.room = room
        self.store = store
        self.retain = retain
        self.snapshot_every = snapshot_every
        self.reload()

    # --- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """(Re)build from the store: the newest snapshot, the ops after it, and the retained
        window before it. A snapshot or op that cannot be read raises; nothing is written."""
        data = self.store.load_room(self.room)
        if data.snapshot is None:
            doc = Document()
        else:
            try:
                doc = Document.from_snapshot(msgspec.json.decode(data.snapshot))
            except (BadSnapshot, msgspec.DecodeError) as exc:
                raise RelayStoreError(
                    f"room {self.room}: stored snapshot unreadable: {exc}"
                ) from exc
        start = max(0, data.snapshot_version - self.retain)
        before = self.store.ops_between(self.room, start, data.snapshot_version)
        if before and before[0].version != start + 1:
            start = before[0].version - 1  # older ops were compacted away
        elif not before:
            start = data.snapshot_version
        self.doc = doc
        self.log_start = start
        self.log: list[Op] = []
        self.history: list[bytes] = []
        self.receipts: dict[str, dict[int, tuple[int, bytes]]] = {}
        self.tentative: list[OpRow] = []
        for row in before:
            self._remember(row, self._decode(row))
        for row in data.ops:
            if row.version != doc.version + 1:
                raise RelayStoreError(f"room {self.room}: op log has a gap at {doc.version + 1}")
            op = self._decode(row)
            try:
                doc.apply(op)
            except OpError as exc:
                raise RelayStoreError(
                    f"room {self.room}: op {row.version} replays badly: {exc}"
                ) from exc
            self._remember(row, op)
        self._snapshot_cache: tuple[int, bytes] | None = None

    def _decode(self, row: OpRow) -> Op:
        try:
            return op_from_dict(msgspec.json.decode(row.op))
        except (OpError, msgspec.DecodeError) as exc:
            raise RelayStoreError(f"room {self.room}: stored op {row.version}: {exc}") from exc

    def _remember(self, row: OpRow, op: Op) -> None:
        self.log.append(op)
        wire = msgspec.json.decode(row.op)
        self.history.append(
            p.encode(p.Applied(row.version, wire, row.client_id, row.seq, row.author))
        )

    @property
    def version(self) -> int:
        return self.doc.version

    def known(self, client_id: str) -> dict[int, tuple[int, bytes]]:
        r = self.receipts.get(client_id)
        if r is None:
            r = self.receipts[client_id] = self.store.receipts(self.room, client_id)
        return r

    # --- submitting --------------------------------------------------------------------------

    def submit(self, client_id: str, author: str, role: str, ev: p.OpSubmitted) -> Outcome:
        seq, op, wire = ev.seq, ev.op, ev.wire
        digest = p.op_digest(wire)
        seen = self.known(client_id).get(seq)
        if seen is not None:
            version, was = seen
            if was != digest:
                msg = f"seq {seq} was already used for a different op"
                return Answer(seq, p.encode(p.Error("seq_reuse", msg)))
            return Answer(seq, p.encode(p.Ack(seq, version, self._applied_wire(version))))
        if role == "viewer":
            return self._reject(seq, "forbidden", "viewers cannot edit this room")
        base = op.base_version
        if base is not None and base > self.version:
            return Answer(
                seq,
                p.encode(p.Rejected(seq, "future_version", f"base {base} is ahead", self.version)),
                resync=True,
            )
        if base is not None and base < self.log_start:
            return Answer(seq, p.encode(p.ResyncRequired(self.version)), resync=True)
        concurrent = self.log[base - self.log_start :] if base is not None else []
        try:
            from sync.rebase import rebase

            rebased = rebase(op, concurrent, self.doc)
            self.doc.apply(rebased)
        except StaleVersion as exc:
            return self._reject(seq, "stale_version", str(exc))
        except OpError as exc:
            return self._reject(seq, exc.code, str(exc))
        version = self.doc.version
        applied = op_to_dict(rebased)
        op_json = _json.encode(applied).decode()
        row = OpRow(version, client_id, seq, author, op_json, digest)
        self.tentative.append(row)
        self.known(client_id)[seq] = (version, digest)
        self.log.append(rebased)
        applied_msg = p.encode(p.Applied(version, applied, client_id, seq, author))
        self.history.append(applied_msg)
        return Accepted(seq, version, applied_msg, p.encode(p.Ack(seq, version, applied)))

    def _reject(self, seq: int, reason: str, message: str) -> Answer:
        return Answer(seq, p.encode(p.Rejected(seq, reason, message[:500], self.version)))

    def _applied_wire(self, version: int) -> dict[str, object] | None:
        i = version - self.log_start - 1
        if 0 <= i < len(self.log):
            return op_to_dict(self.log[i])
        return None

    # --- two-phase commit --------------------------------------------------------------------

    def batch(self) -> tuple[list[OpRow], tuple[int, bytes] | None, int | None]:
        """What the driver must persist now: rows, maybe a snapshot, maybe a compaction."""
        rows = self.tentative
        if not rows:
            return [], None, None
        first, last = rows[0].version, rows[-1].version
        every = self.snapshot_every
        if every and last // every > (first - 1) // every:
            snap = (last, _json.encode(msgspec.to_builtins(self.doc.snapshot())))
            return rows, snap, max(0, last - self.retain) + 1
        return rows, None, None

    def committed(self, compact_before: int | None) -> None:
        """The batch is durable: forget it as tentative and trim the in-memory window."""
        self.tentative = []
        if compact_before is not None:
            drop = compact_before - 1 - self.log_start
            if drop > 0:
                del self.log[:drop]
                del self.history[:drop]
                self.log_start += drop

    # --- joining -----------------------------------------------------------------------------

    def catch_up(self, last_version: int | None) -> list[bytes]:
        """Messages that bring a client at ``last_version`` to now (committed state only)."""
        assert not self.tentative, "catch-up must wait for the commit in flight"
        v = self.version
        if last_version is not None and self.log_start <= last_version <= v:
            return self.history[last_version - self.log_start :]
        return [self.snapshot_message()]

    def snapshot_message(self) -> bytes:
        if self._snapshot_cache is None or self._snapshot_cache[0] != self.version:
            msg = p.encode(p.Snapshot(self.version, msgspec.to_builtins(self.doc.snapshot())))
            self._snapshot_cache = (self.version, msg)
        return self._snapshot_cache[1]

    def seedable(self) -> bool:
        return self.version == 0 and not self.tentative and not self.log
