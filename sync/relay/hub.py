"""A room on the relay: its members, its inbox, and the group-commit loop that drives the
room's authority (persist -> ack -> broadcast, RELIABILITY.md rule 1).

One task per room takes everything waiting in the inbox as one batch: each submit is applied
tentatively; the batch's rows are written in one transaction on the database thread while new
submits queue up behind it (they form the next batch); only after COMMIT returns do the acks
and broadcasts go out. A failed commit reloads the authority from the store (so memory equals
what is stored) and answers each op of the batch ``rejected(unavailable)``: it stays pending
on its client, which resends it. Joins, resyncs and seeds wait for the batch in flight, so a
snapshot never shows an op that is not yet durable.

Presence is the room's connections (one entry per client id, replaced on reconnect, removed on
close) with a TTL: a sweep takes out every connection silent past ``Limits.presence_ttl`` and
puts it back once it is heard again (``Room.sweep_presence``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import msgspec

from sync import protocol as p
from sync.document import Document
from sync.errors import BadSnapshot
from sync.relay.blobs import BlobStore
from sync.relay.errors import BlobError, RelayStoreError
from sync.relay.limits import Limits
from sync.relay.member import Member
from sync.relay.room import Accepted, Answer, Outcome, RoomAuthority
from sync.relay.store import RelayStore

log = logging.getLogger(__name__)

MAX_BATCH = 128
"""Submits per group commit: bounds the answers one batch queues before writers run."""


@dataclass(frozen=True, slots=True)
class Work:
    kind: str
    """``submit``, ``join``, ``resync`` or ``seed``."""
    member: Member
    payload: Any = None


class Room:
    def __init__(
        self,
        name: str,
        store: RelayStore,
        blobs: BlobStore,
        db: Executor,
        limits: Limits,
    ) -> None:
        self.name = name
        self.store = store
        self.blobs = blobs
        self.db = db
        self.limits = limits
        self.authority = RoomAuthority(
            name, store, retain=limits.retain_ops, snapshot_every=limits.snapshot_every
        )
        self.manifest = store.manifest(name)
        self.members: dict[str, Member] = {}
        self.presence: dict[str, p.PresenceEntry] = {}
        self.inbox: asyncio.Queue[Work] = asyncio.Queue()
        self.busy = False
        self._presence_due: asyncio.TimerHandle | None = None
        loop = asyncio.get_running_loop()
        self.task = loop.create_task(self._run())
        self.sweeper = loop.create_task(self._sweep())

    # --- the loop ----------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            item = await self.inbox.get()
            self.busy = True
            try:
                batch = [item]
                while not self.inbox.empty() and len(batch) < MAX_BATCH:
                    batch.append(self.inbox.get_nowait())
                outcomes: list[tuple[Member, Outcome]] = []
                for w in batch:
                    if w.kind == "submit":
                        outcomes.append((w.member, self._submit(w.member, w.payload)))
                        continue
                    await self._flush(outcomes)
                    outcomes = []
                    await self._other(w)
                await self._flush(outcomes)
            except Exception:
                log.exception("room %s failed a batch", self.name)
            finally:
                self.busy = False
            await asyncio.sleep(0)  # let the writers move this batch's answers to the sockets

    def _submit(self, m: Member, ev: p.OpSubmitted) -> Outcome:
        try:
            return self.authority.submit(m.client_id, m.name, m.role, ev, identified=m.identified)
        except Exception:  # a bug must cost this op, never the room or a waiting client
            log.exception("room %s: submit %s:%s failed", self.name, m.client_id, ev.seq)
            msg = p.Rejected(ev.seq, "internal", "the relay failed on this op", -1)
            return Answer(ev.seq, p.encode(msg))

    async def _flush(self, outcomes: list[tuple[Member, Outcome]]) -> None:
        if not outcomes:
            return
        rows, snap, compact = self.authority.batch()
        if rows:
            try:
                await self._in_db(self.store.commit, self.name, rows, snap, compact)
            except RelayStoreError as exc:
                log.error(
                    "room %s: commit failed, %d ops stay pending: %s", self.name, len(rows), exc
                )
                self.authority.failed()
                version = self.authority.version
                for m, out in outcomes:
                    if isinstance(out, Accepted):
                        msg = p.Rejected(
                            out.seq, "unavailable", "the relay could not save; resend", version
                        )
                        m.send(p.encode(msg))
                    else:
                        m.send(out.data)
                return
            self.authority.committed(compact)
        for m, out in outcomes:
            if isinstance(out, Accepted):
                m.send(out.ack)
                for other in self.members.values():
                    if other is not m:
                        other.send(out.applied)
            else:
                m.send(out.data)

    async def _in_db(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    async def _other(self, w: Work) -> None:
        m = w.member
        if w.kind == "join":
            self._join(m, w.payload)
        elif w.kind == "resync":
            if not m.dead:
                m.send(self.authority.snapshot_message())
                m.send(p.encode(p.Synced(self.authority.version)))
        elif w.kind == "seed":
            await self._seed(m, w.payload.sha256, w.payload.manifest)

    # --- membership --------------------------------------------------------------------------

    def _join(self, m: Member, hello: p.Hello) -> None:
        if m.dead:
            return
        old = self.members.get(m.client_id)
        if old is not None and old is not m:
            old.close(p.CLOSE_REPLACED, "the same client connected again")
        a = self.authority
        welcome = p.Welcome(
            p.PROTOCOL_VERSION,
            self.name,
            m.role,
            a.version,
            m.client_id,
            self.manifest,
            m.name,
            m.identified,
        )
        m.send(p.encode(welcome))
        for data in a.catch_up(hello.last_version):
            m.send(data)
        m.send(p.encode(p.Synced(a.version)))
        self.members[m.client_id] = m
        self.presence[m.client_id] = self._entry(m)
        self.presence_changed()

    def leave(self, m: Member) -> None:
        if self.members.get(m.client_id) is m:
            del self.members[m.client_id]
            self.presence.pop(m.client_id, None)
            self.presence_changed()

    def update_presence(self, m: Member, msg: p.PresenceUpdate) -> None:
        if self.members.get(m.client_id) is not m:
            return
        entry = self.presence.get(m.client_id)
        if entry is None:  # swept for silence, and speaking again: back in the list
            entry = self.presence[m.client_id] = self._entry(m)
        entry.playhead, entry.selection = msg.playhead, msg.selection
        self.presence_changed()

    @staticmethod
    def _entry(m: Member) -> p.PresenceEntry:
        return p.PresenceEntry(m.client_id, m.name, p.presence_color(m.client_id))

    async def _sweep(self) -> None:
        """The presence TTL: a few times per TTL, drop from the list every member whose
        connection has been silent (not a byte, not a pong) for longer than the TTL, and put
        back one that is heard again. Closing the socket stays the keepalive's and the idle
        deadline's job; this keeps the co-hosts' list honest in between."""
        ttl = self.limits.presence_ttl
        if ttl <= 0:
            return
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(min(ttl / 4, 5.0))
            self.sweep_presence(loop.time())

    def sweep_presence(self, now: float) -> None:
        ttl = self.limits.presence_ttl
        changed = False
        for cid, m in self.members.items():
            silent = m.dead or now - m.heard > ttl
            if silent and cid in self.presence:
                del self.presence[cid]
                changed = True
            elif not silent and cid not in self.presence:
                self.presence[cid] = self._entry(m)
                changed = True
        if changed:
            self.presence_changed()

    def presence_changed(self) -> None:
        if self._presence_due is None:
            loop = asyncio.get_running_loop()
            self._presence_due = loop.call_later(self.limits.presence_interval, self._send_presence)

    def _send_presence(self) -> None:
        self._presence_due = None
        for cid in [c for c, m in self.members.items() if m.dead]:
            self.members.pop(cid, None)
            self.presence.pop(cid, None)
        data = p.encode(p.PresenceList(list(self.presence.values())))
        for m in self.members.values():
            m.send(data)

    # --- seeding -----------------------------------------------------------------------------

    async def _seed(self, m: Member, sha256: str, manifest: str | None) -> None:
        def refuse(code: str, message: str) -> None:
            m.send(p.encode(p.Error(code, message)))

        if m.role != "owner":
            return refuse("forbidden", "only an owner can seed a room")
        if not self.authority.seedable():
            return refuse("room_not_empty", "the room already has a document")
        size = self.blobs.size(sha256)
        if size is None:
            return refuse("not_found", "upload the snapshot blob first")
        try:
            data = await asyncio.to_thread(self.blobs.read, sha256, 0, size)
            doc = Document.from_snapshot(msgspec.json.decode(data))
        except (BlobError, BadSnapshot, msgspec.DecodeError) as exc:
            return refuse("bad_snapshot", f"the snapshot cannot be used: {exc}")
        try:
            ok = await self._in_db(self.store.seed, self.name, doc.version, data, manifest)
            if not ok:
                return refuse("room_not_empty", "the room already has a document")
            self.authority.reload()
            self.manifest = manifest
        except RelayStoreError as exc:
            return refuse("unavailable", str(exc))
        snap = self.authority.snapshot_message()
        synced = p.encode(p.Synced(self.authority.version))
        for other in self.members.values():
            other.send(snap)
            other.send(synced)

    async def drain(self) -> None:
        """Wait until the inbox is empty and no batch is in flight (graceful shutdown)."""
        while self.busy or not self.inbox.empty():
            await asyncio.sleep(0.005)

    def close(self) -> None:
        self.task.cancel()
        self.sweeper.cancel()
        if self._presence_due is not None:
            self._presence_due.cancel()


Spawn = Callable[[Coroutine[Any, Any, None]], None]
