"""One room's authority on the relay: ``sync.authority.Authority`` over the relay's store.

The relay does not order edits itself: each room drives one :class:`sync.authority.Authority`
(issue 8's sans-I/O authority, the same object the solo app uses) with :class:`RoomLog`, a
``LogStore`` over the relay's SQLite. The group commit is the authority's two phases: every
submit of a batch is applied in memory and appended to ``RoomLog.batch``; the driver persists
the batch in one transaction and then calls :meth:`RoomAuthority.committed` (the authority's
``commit``; acks and broadcasts go out only after that) or :meth:`RoomAuthority.failed` (its
``rollback``: the same document, back as it was, nobody told).

Around the authority this module keeps what only a relay needs: the encoded ``applied``
messages of the retained window (catch-up for a client returning at ``last_version``), the
snapshot message for joins, when to write a snapshot and how far to compact, and the viewer
rule, given to the authority as its ``authorize`` hook.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from sync import protocol as p
from sync.authority import Authority
from sync.errors import (
    BadOpFormat,
    BadSnapshot,
    FutureVersion,
    LogGap,
    OpError,
    ResyncRequired,
    SeqReuse,
)
from sync.events import LogEntry
from sync.ops import Compound, InsertOverdub, Op, decode_op, encode_op, op_to_dict
from sync.relay.errors import RelayStoreError
from sync.relay.store import OpRow, RelayStore
from sync.snapshot import Snapshot, encode_snapshot, parse_snapshot

_json = msgspec.json.Encoder()

COMPACTED = "\x00compacted"
"""Label of the stand-in op ``RoomLog.find`` returns for a receipt whose op was compacted."""


def _entry(row: OpRow) -> LogEntry:
    try:
        op = decode_op(row.op)
        inverse = decode_op(row.inverse)
    except BadOpFormat as exc:
        raise RelayStoreError(f"stored op {row.version} is unreadable: {exc}") from exc
    return LogEntry(
        version=row.version,
        op=op,
        inverse=inverse,
        author=row.author,
        client_id=row.client_id,
        seq=row.seq,
        digest=row.digest,
    )


def _row(e: LogEntry, op_text: str | None = None) -> OpRow:
    return OpRow(
        e.version,
        e.client_id,
        e.seq,
        e.author,
        op_text if op_text is not None else encode_op(e.op).decode(),
        e.digest,
        encode_op(e.inverse).decode(),
    )


class RoomLog:
    """The authority's ``LogStore`` for one room: appends collect in :attr:`batch` until the
    driver commits them; reads go to the relay's store (committed data only)."""

    def __init__(self, store: RelayStore, room: str) -> None:
        self.store = store
        self.room = room
        self.batch: list[LogEntry] = []

    def append(self, entry: LogEntry) -> None:
        self.batch.append(entry)

    def find(self, client_id: str, seq: int) -> LogEntry | None:
        hit = self.store.receipt(self.room, client_id, seq)
        if hit is None:
            return None
        version, digest, row = hit
        if row is not None:
            return _entry(row)
        gone = Compound(COMPACTED, ())
        return LogEntry(version, gone, gone, "", client_id, seq, digest=digest)

    def entries_after(self, version: int) -> Iterable[LogEntry]:
        return [_entry(r) for r in self.store.ops_between(self.room, version, p.MAX_INT)]

    def load(self) -> tuple[Snapshot | None, Iterable[LogEntry]]:
        data = self.store.load_room(self.room)
        try:
            snap = None if data.snapshot is None else parse_snapshot(data.snapshot)
        except BadSnapshot as exc:
            raise RelayStoreError(f"room {self.room}: stored snapshot unreadable: {exc}") from exc
        return snap, [_entry(r) for r in data.ops]


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
    """The relay's side of one room; not thread-safe (the room's task owns it)."""

    def __init__(self, room: str, store: RelayStore, *, retain: int, snapshot_every: int) -> None:
        self.room = room
        self.store = store
        self.retain = retain
        self.snapshot_every = snapshot_every
        self.reload()

    def reload(self) -> None:
        """(Re)build from the store. Unreadable data raises; nothing is ever written here."""
        self.log = RoomLog(self.store, self.room)
        self._role = "editor"
        self._identified = False
        try:
            self.auth = Authority.load(self.log, authorize=self._authorize, window=self.retain)
        except (LogGap, BadSnapshot, OpError) as exc:
            raise RelayStoreError(f"room {self.room} cannot be loaded: {exc}") from exc
        v = self.auth.version
        rows = self.store.ops_between(self.room, max(0, v - self.retain), v)
        self.log_start = rows[0].version - 1 if rows else v
        self.history: list[bytes] = [self._applied(_entry(r)) for r in rows]
        self._pending: list[bytes] = []
        self._op_text: dict[int, str] = {}
        self._snapshot_cache: tuple[int, bytes] | None = None

    @property
    def doc(self) -> Any:
        return self.auth.document

    @property
    def version(self) -> int:
        return self.auth.version

    def _authorize(self, author: str, op: Op) -> str | None:
        if self._role == "viewer":
            return "viewers can watch but not edit"
        return foreign_voice(author, op, identified=self._identified)

    @staticmethod
    def _applied(e: LogEntry) -> bytes:
        return p.encode(p.Applied(e.version, op_to_dict(e.op), e.client_id, e.seq, e.author))

    # --- submitting --------------------------------------------------------------------------

    def submit(
        self,
        client_id: str,
        author: str,
        role: str,
        ev: p.OpSubmitted,
        *,
        identified: bool = True,
    ) -> Outcome:
        """Apply one submit tentatively. ``author`` is the connection's identity and
        ``identified`` whether it comes from the token (``foreign_voice``)."""
        seq = ev.seq
        self._role = role
        self._identified = identified
        try:
            res = self.auth.submit(client_id, seq, ev.op.base_version, ev.op, author)
        except SeqReuse as exc:
            return Answer(seq, p.encode(p.Error("seq_reuse", str(exc))))
        except ResyncRequired:
            return Answer(seq, p.encode(p.ResyncRequired(self.version)), resync=True)
        except FutureVersion as exc:
            return self._reject(seq, "future_version", str(exc), resync=True)
        except BadOpFormat as exc:
            return self._reject(seq, "bad_op", str(exc))
        except OpError as exc:
            return self._reject(seq, exc.code, str(exc))
        e = res.entry
        if res.duplicate:
            gone = isinstance(e.op, Compound) and e.op.label == COMPACTED
            wire = None if gone else op_to_dict(e.op)
            return Answer(seq, p.encode(p.Ack(seq, e.version, wire)))
        wire = op_to_dict(e.op)  # once: the ack, the broadcast and the stored row share it
        applied = p.encode(p.Applied(e.version, wire, e.client_id, e.seq, e.author))
        self._pending.append(applied)
        self._op_text[e.version] = _json.encode(wire).decode()
        return Accepted(seq, e.version, applied, p.encode(p.Ack(seq, e.version, wire)))

    def _reject(self, seq: int, reason: str, message: str, *, resync: bool = False) -> Answer:
        msg = p.Rejected(seq, reason, message[:500], self.version)
        return Answer(seq, p.encode(msg), resync=resync)

    # --- two-phase commit --------------------------------------------------------------------

    def batch(self) -> tuple[list[OpRow], tuple[int, bytes] | None, int | None]:
        """What the driver must persist now: rows, maybe a snapshot, maybe a compaction."""
        entries = self.log.batch
        if not entries:
            return [], None, None
        rows = [_row(e, self._op_text.get(e.version)) for e in entries]
        first, last = rows[0].version, rows[-1].version
        every = self.snapshot_every
        if every and last // every > (first - 1) // every:
            snap = (last, encode_snapshot(self.doc.snapshot()))
            return rows, snap, max(0, last - self.retain) + 1
        return rows, None, None

    def committed(self, compact_before: int | None) -> None:
        """The batch is durable: the authority commits; the catch-up window grows."""
        self.log.batch = []
        self._op_text.clear()
        self.auth.commit()
        self.history.extend(self._pending)
        self._pending = []
        excess = len(self.history) - self.retain
        if excess > 0:
            del self.history[:excess]
            self.log_start += excess

    def failed(self) -> None:
        """The batch could not be persisted: the authority rolls back in place."""
        self.log.batch = []
        self._pending = []
        self._op_text.clear()
        self.auth.rollback()

    # --- joining -----------------------------------------------------------------------------

    def catch_up(self, last_version: int | None) -> list[bytes]:
        """Messages that bring a client at ``last_version`` to now (committed state only)."""
        assert not self.log.batch, "catch-up must wait for the commit in flight"
        v = self.version
        if last_version is not None and self.log_start <= last_version <= v:
            return self.history[last_version - self.log_start :]
        return [self.snapshot_message()]

    def snapshot_message(self) -> bytes:
        if self._snapshot_cache is None or self._snapshot_cache[0] != self.version:
            body = msgspec.json.decode(encode_snapshot(self.doc.snapshot()))
            msg = p.encode(p.Snapshot(self.version, body))
            self._snapshot_cache = (self.version, msg)
        return self._snapshot_cache[1]

    def seedable(self) -> bool:
        return self.version == 0 and not self.log.batch and not self.history


def foreign_voice(author: str, op: Op, *, identified: bool = True) -> str | None:
    """Overdub consent at the relay: an ``insert_overdub`` that imitates a voice (``voice``)
    is accepted only from the identity that voice belongs to (``voice_owner``), so nobody in a
    room can insert a clip in another host's voice. ``author`` must be an identity the relay
    vouches for (``identified``: from the token, never from the hello a client writes); a
    connection without one may not insert voiced clips at all. The relay cannot see the
    hosts' voice libraries; each host's own authority checks the profile itself
    (``editor.overdub``)."""
    if isinstance(op, Compound):
        for inner in op.ops:
            reason = foreign_voice(author, inner, identified=identified)
            if reason is not None:
                return reason
        return None
    o = op.overdub if isinstance(op, InsertOverdub) else None
    if o is None or o.voice is None:
        return None
    if not identified:
        return (
            "an overdub in a host's voice needs a token that carries your identity "
            "(ask the owner for one: wordcut-relay token create ROOM --name NAME)"
        )
    if o.voice_owner != author:
        return "an overdub in a host's voice may only be inserted by that host"
    return None
