"""The relay's network driver: the ``websockets`` asyncio server around rooms and blobs.

It only moves bytes and enforces bounds; every decision about a message is made by
``sync.protocol.RelayConnection`` (parsing) or the room's authority (ordering). What happens at
the door, before a byte of any document is sent (RELIABILITY.md rule 8): a browser ``Origin``
is refused (403); the path must be ``/v1/rooms/ROOM`` (404); the token, from an
``Authorization: Bearer`` header or a ``token`` query parameter, must exist (401) and be for
this room (403); an address may hold only so many connections (429); a closing relay answers
503. Then the client has ``hello_timeout`` to say hello. Who the connection is comes from its
token (``Relay._identity``; see ``sync.relay.tokens``), not from what the hello says.

Shutdown (SIGTERM): stop accepting, let every room finish its batch in flight, flush every
client's queue, close with 1001, close the database.
"""

from __future__ import annotations

import asyncio
import http
import logging
import ssl
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import msgspec
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from sync import protocol as p
from sync.relay import tokens
from sync.relay.blobs import BlobStore, LocalBlobStore
from sync.relay.errors import BlobError, RelayStoreError, TokenError
from sync.relay.hub import Room, Work
from sync.relay.limits import Limits
from sync.relay.member import Member
from sync.relay.store import ClipRow, RelayStore

log = logging.getLogger(__name__)
PATH_PREFIX = "/v1/rooms/"
_json = msgspec.json.Encoder()


@dataclass
class RelayConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8765
    limits: Limits = field(default_factory=Limits)
    ssl: ssl.SSLContext | None = None


class HeardConnection(ServerConnection):
    """A server connection that notes when its peer last sent any bytes at all (frames,
    pings, pongs): the presence TTL's clock. A client whose event loop still runs answers the
    relay's pings, so it is never silent for long; a half-open or frozen one is."""

    heard: float

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.heard = self.loop.time()
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self.heard = self.loop.time()
        super().data_received(data)


def bearer(headers: Headers, query: str) -> str | None:
    auth = headers.get("Authorization")
    if auth is not None:
        scheme, _, value = auth.partition(" ")
        return value.strip() if scheme.lower() == "bearer" else None
    values = parse_qs(query).get("token")
    return values[0] if values else None


class Relay:
    """A running relay; ``await start()``, then ``await shutdown()`` (or run ``serve``)."""

    def __init__(self, config: RelayConfig, *, blobs: BlobStore | None = None) -> None:
        self.config = config
        self.limits = config.limits
        self.store = RelayStore(config.data_dir)
        self.blobs = blobs or LocalBlobStore(
            config.data_dir / "blobs",
            max_blob=self.limits.max_blob,
            reserve=self.limits.disk_reserve,
        )
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relay-db")
        self.rooms: dict[str, Room] = {}
        self.by_address: dict[str, weakref.WeakSet[ServerConnection]] = {}
        self.grants: weakref.WeakKeyDictionary[ServerConnection, tokens.Grant] = (
            weakref.WeakKeyDictionary()
        )
        self.members: set[Member] = set()
        self.closing = False
        self.server: Server | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        sock = next(iter(self.server.sockets))
        return int(sock.getsockname()[1])

    async def start(self) -> None:
        lim = self.limits
        self.server = await serve(
            self._handle,
            self.config.host,
            self.config.port,
            process_request=self._door,
            max_size=lim.max_message,
            max_queue=64,
            write_limit=lim.write_buffer,
            ping_interval=lim.ping_interval,
            ping_timeout=lim.ping_timeout,
            open_timeout=lim.handshake_timeout,
            close_timeout=lim.close_timeout,
            compression="deflate",
            server_header=None,
            ssl=self.config.ssl,
            create_connection=HeardConnection,
        )

    async def shutdown(self) -> None:
        """Graceful stop: no new connections, finish batches, flush queues, close 1001."""
        if self.closing:
            return
        self.closing = True
        if self.server is not None and self.server.server is not None:
            self.server.server.close()  # stop accepting; open connections carry on for now
        for room in list(self.rooms.values()):
            await room.drain()
        for m in list(self.members):
            await m.flush(2.0)
        if self.server is not None:
            self.server.close(close_connections=True)
            await self.server.wait_closed()
        for room in self.rooms.values():
            room.close()
        self.db.shutdown(wait=True)
        self.store.close()

    # --- the door ----------------------------------------------------------------------------

    def _door(self, conn: ServerConnection, request: Request) -> Response | None:
        if self.closing:
            return conn.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, "the relay is shutting down\n")
        if "Origin" in request.headers:
            return conn.respond(http.HTTPStatus.FORBIDDEN, "browser origins are not allowed\n")
        url = urlsplit(request.path)
        room = url.path[len(PATH_PREFIX) :] if url.path.startswith(PATH_PREFIX) else ""
        if not tokens.ROOM_RE.fullmatch(room):
            return conn.respond(http.HTTPStatus.NOT_FOUND, "no such endpoint: use /v1/rooms/ROOM\n")
        token = bearer(request.headers, url.query)
        if not token:
            return conn.respond(http.HTTPStatus.UNAUTHORIZED, "a token is required\n")
        try:
            grant = tokens.verify(self.store, token)
        except RelayStoreError:
            log.exception("token check failed")
            return conn.respond(
                http.HTTPStatus.SERVICE_UNAVAILABLE, "the relay cannot check tokens\n"
            )
        if grant is None:
            return conn.respond(http.HTTPStatus.UNAUTHORIZED, "unknown or revoked token\n")
        if grant.room != room:
            return conn.respond(http.HTTPStatus.FORBIDDEN, "this token is for another room\n")
        addr = str(conn.remote_address[0]) if conn.remote_address else "?"
        peers = self.by_address.setdefault(addr, weakref.WeakSet())
        if sum(1 for c in peers if c.state.name != "CLOSED") >= self.limits.conns_per_address:
            return conn.respond(http.HTTPStatus.TOO_MANY_REQUESTS, "too many connections\n")
        peers.add(conn)
        self.grants[conn] = grant
        return None

    def room(self, name: str) -> Room:
        room = self.rooms.get(name)
        if room is None:
            room = self.rooms[name] = Room(name, self.store, self.blobs, self.db, self.limits)
        return room

    # --- one connection ----------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        grant = self.grants.get(ws)
        if grant is None:  # cannot happen: the door let it in
            await ws.close(p.CLOSE_POLICY, "not authenticated")
            return
        m = Member(ws, grant, self.limits)
        self.members.add(m)
        room: Room | None = None
        try:
            room = await self._hello(m)
            if room is not None:
                await self._read(m, room)
        except ConnectionClosed:
            pass
        except TimeoutError:
            await ws.close(p.CLOSE_GOING_AWAY, "idle for too long")
        finally:
            self.members.discard(m)
            if room is not None:
                room.leave(m)
            await m.stop()

    async def _hello(self, m: Member) -> Room | None:
        try:
            async with asyncio.timeout(self.limits.hello_timeout):
                first = await m.ws.recv()
        except TimeoutError:
            await m.ws.close(p.CLOSE_POLICY, "no hello in time")
            return None
        ev = m.proto.receive(first)
        if isinstance(ev, p.Reply):
            await self._answer(m, ev)
            if ev.close_code is None:
                await m.ws.close(p.CLOSE_POLICY, "expected hello")
            return None
        assert isinstance(ev, p.Hello)
        m.client_id = ev.client_id
        try:
            m.name, m.identified = await self._identity(m.grant, ev)
        except RelayStoreError as exc:
            log.error("token %s cannot be bound: %s", m.grant.token_id, exc)
            await m.ws.send(p.encode(p.Error("unavailable", "the relay cannot check tokens")))
            await m.ws.close(1011, "tokens unavailable")
            return None
        try:
            room = self.room(m.grant.room)
        except RelayStoreError as exc:
            log.error("room %s cannot be loaded: %s", m.grant.room, exc)
            await m.ws.send(
                p.encode(p.Error("unavailable", "this room cannot be loaded")), text=True
            )
            await m.ws.close(1011, "room unavailable")
            return None
        room.inbox.put_nowait(Work("join", m, ev))
        return room

    async def _identity(self, grant: tokens.Grant, hello: p.Hello) -> tuple[str, bool]:
        """Who this connection authors as, and whether that comes from the token.

        A token with an identity decides it: the hello's ``name`` is ignored (a client cannot
        claim another host's name, which overdub consent depends on). An invitation token takes
        the first hello's name as its identity for good. A legacy token keeps the hello's name,
        unverified."""
        if grant.name is not None:
            if hello.name and hello.name != grant.name:
                log.info(
                    "client %s said it is %r; its token says %r",
                    hello.client_id[:40],
                    hello.name[:40],
                    grant.name,
                )
            return grant.name, True
        claimed = hello.name.strip()
        if grant.bind and claimed:
            loop = asyncio.get_running_loop()
            bound = await loop.run_in_executor(
                self.db, self.store.bind_token, grant.token_id, claimed
            )
            if bound is not None:
                return bound, True
        return claimed or grant.label or hello.client_id, False

    async def _answer(self, m: Member, reply: p.Reply) -> None:
        if reply.data is not None:
            m.send(reply.data)
        if reply.close_code is not None:
            m.close(reply.close_code, reply.reason, drain=True)

    async def _read(self, m: Member, room: Room) -> None:
        loop = asyncio.get_running_loop()
        idle = self.limits.idle_timeout
        watchdog = loop.create_task(self._idle_watch(m, idle))
        try:
            while not m.dead:
                frame = await m.ws.recv()
                m.seen = loop.time()
                if self.closing:
                    continue  # being drained: the client resends after reconnecting
                await self._dispatch(m, room, m.proto.receive(frame))
        finally:
            watchdog.cancel()

    async def _idle_watch(self, m: Member, idle: float) -> None:
        """Close a connection that sent nothing for ``idle`` seconds (one timer per client,
        checked a few times per period, instead of rescheduling a deadline per message)."""
        loop = asyncio.get_running_loop()
        while not m.dead:
            await asyncio.sleep(idle / 4)
            if loop.time() - m.seen > idle:
                m.close(p.CLOSE_GOING_AWAY, "idle for too long")
                return

    async def _dispatch(self, m: Member, room: Room, ev: p.Event) -> None:
        if isinstance(ev, p.OpSubmitted):
            if not m.ops.take():
                return self._limited(m, ev.seq, room)
            m.strikes = max(0, m.strikes - 1)  # abuse is a sustained excess, not one burst
            room.inbox.put_nowait(Work("submit", m, ev))
        elif isinstance(ev, p.PresenceUpdate):
            if m.presence.take():
                room.update_presence(m, ev)
            else:
                self._limited(m, None, room)
        elif isinstance(ev, p.Reply):
            await self._answer(m, ev)
        elif isinstance(ev, p.Resync):
            room.inbox.put_nowait(Work("resync", m))
        elif isinstance(ev, p.Seed):
            room.inbox.put_nowait(Work("seed", m, ev))
        elif isinstance(ev, p.Invite):
            await self._invite(m, ev.role, ev.name)
        elif isinstance(ev, p.ClipPut):
            await self._clip_put(m, room, ev)
        elif isinstance(ev, p.ClipGet):
            await self._clip_get(m, room, ev.clip)
        elif isinstance(ev, p.BlobBegin):
            await self._blob_begin(m, ev)
        elif isinstance(ev, p.Chunk):
            await self._blob_chunk(m, ev)
        elif isinstance(ev, p.CorruptChunk):
            held = self.blobs.held(ev.sha256)
            m.send(p.encode(p.BlobError(ev.sha256, "corrupt_chunk", "checksum mismatch", held)))
        elif isinstance(ev, p.BlobGet):
            asyncio.get_running_loop().create_task(self._blob_send(m, ev))

    def _limited(self, m: Member, seq: int | None, room: Room) -> None:
        m.strikes += 1
        if m.strikes >= self.limits.abuse_strikes:
            m.close(p.CLOSE_POLICY, "rate limit abused", drain=True)
            return
        if seq is not None or m.strikes == 1:
            msg = p.Rejected(seq, "rate_limited", "slow down", room.authority.version)
            m.send(p.encode(msg))

    async def _invite(self, m: Member, role: str, name: str | None) -> None:
        """A new token for this room; it carries ``name`` as its identity, or (no name) takes
        the first hello's name as it, so every invited host has an identity of their own."""
        if m.role != "owner":
            m.send(p.encode(p.Error("forbidden", "only an owner can invite")))
            return
        loop = asyncio.get_running_loop()
        label = f"invited by {m.name}"

        def create() -> str:
            return tokens.create_token(
                self.store, m.grant.room, role, label, name=name, bind=name is None
            )[0]

        try:
            secret = await loop.run_in_executor(self.db, create)
        except (RelayStoreError, TokenError) as exc:
            code = "bad_message" if isinstance(exc, TokenError) else "unavailable"
            m.send(p.encode(p.Error(code, str(exc))))
            return
        m.send(p.encode(p.Invited(role, secret)))

    # --- overdub clips -------------------------------------------------------------------------

    async def _clip_put(self, m: Member, room: Room, ev: p.ClipPut) -> None:
        """Index an uploaded clip under the name the document uses. Checked: editors only; the
        blob is stored with that size; its hash starts with the clip's name (the name is the
        hash, so nobody can point a clip name at other bytes); the record is small."""

        def refuse(code: str, message: str) -> None:
            m.send(p.encode(p.Error(code, f"clip {ev.clip}: {message}")))

        if m.role == "viewer":
            return refuse("forbidden", "viewers cannot add clips")
        if not ev.sha256.startswith(ev.clip[:32]):
            return refuse("bad_message", "the blob's hash does not match the clip's name")
        if self.blobs.size(ev.sha256) != ev.size:
            return refuse("not_found", "upload the clip's blob first")
        record = None if ev.record is None else _json.encode(ev.record).decode()
        if record is not None and len(record) > p.MAX_RECORD:
            return refuse("too_large", f"the record is over {p.MAX_RECORD} bytes")
        row = ClipRow(ev.clip, ev.sha256, ev.size, record)
        loop = asyncio.get_running_loop()
        try:
            kept = await loop.run_in_executor(self.db, self.store.put_clip, room.name, row)
        except RelayStoreError as exc:
            return refuse("unavailable", str(exc))
        m.send(p.encode(_clip_info(kept)))

    async def _clip_get(self, m: Member, room: Room, clip: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            row = await loop.run_in_executor(self.db, self.store.clip, room.name, clip)
        except RelayStoreError as exc:
            m.send(p.encode(p.Error("unavailable", f"clip {clip}: {exc}")))
            return
        m.send(p.encode(p.ClipInfo(clip, None) if row is None else _clip_info(row)))

    # --- blobs -------------------------------------------------------------------------------

    def _blob_error(self, m: Member, sha: str, exc: BlobError) -> None:
        held = self.blobs.held(sha) if p.SHA256_RE.fullmatch(sha) else 0
        m.send(p.encode(p.BlobError(sha, exc.code, str(exc), held)))

    async def _blob_begin(self, m: Member, ev: p.BlobBegin) -> None:
        if m.role == "viewer":
            return self._blob_error(m, ev.sha256, BlobError("forbidden", "viewers cannot upload"))
        if ev.sha256 not in m.uploads and len(m.uploads) >= self.limits.uploads_per_connection:
            return self._blob_error(m, ev.sha256, BlobError("too_many", "too many uploads at once"))
        try:
            held = await asyncio.to_thread(self.blobs.begin, ev.sha256, ev.size)
            if held == ev.size and self.blobs.size(ev.sha256) != ev.size:
                # every byte arrived, but the relay stopped before it verified and stored the
                # blob (killed between the last write and finish): finish it now, or the upload
                # could never complete
                await self._finish_blob(ev.sha256, ev.size)
        except BlobError as exc:
            return self._blob_error(m, ev.sha256, exc)
        except RelayStoreError as exc:
            return self._blob_error(m, ev.sha256, BlobError("unavailable", str(exc)))
        complete = held == ev.size and self.blobs.size(ev.sha256) == ev.size
        if not complete:
            m.uploads[ev.sha256] = ev.size
        m.send(p.encode(p.BlobStatus(ev.sha256, ev.size, held, complete)))

    async def _finish_blob(self, sha: str, size: int) -> None:
        """Verify a fully uploaded blob's hash, store it, and record it in the index."""
        await asyncio.to_thread(self.blobs.finish, sha, size)
        await asyncio.get_running_loop().run_in_executor(self.db, self.store.add_blob, sha, size)

    async def _blob_chunk(self, m: Member, ch: p.Chunk) -> None:
        size = m.uploads.get(ch.sha256)
        if size is None:
            return self._blob_error(m, ch.sha256, BlobError("not_started", "send blob_begin first"))
        try:
            offset = await asyncio.to_thread(
                self.blobs.write, ch.sha256, ch.offset, ch.payload, size
            )
            complete = offset == size
            if complete:
                del m.uploads[ch.sha256]
                await self._finish_blob(ch.sha256, size)
        except BlobError as exc:
            if exc.code == "hash_mismatch":
                m.uploads.pop(ch.sha256, None)
            return self._blob_error(m, ch.sha256, exc)
        except RelayStoreError as exc:
            return self._blob_error(m, ch.sha256, BlobError("unavailable", str(exc)))
        m.send(p.encode(p.BlobStatus(ch.sha256, size, offset, complete)))

    async def _blob_send(self, m: Member, ev: p.BlobGet) -> None:
        size = self.blobs.size(ev.sha256)
        if size is None or ev.offset > size:
            problem = "no such blob" if size is None else "offset past the end"
            m.send(p.encode(p.BlobError(ev.sha256, "not_found", problem, 0)))
            return
        offset, step = ev.offset, self.limits.chunk_size
        try:
            while offset < size and not m.dead:
                await m.roomy.wait()
                data = await asyncio.to_thread(self.blobs.read, ev.sha256, offset, step)
                if not data:
                    break
                m.send(p.encode_chunk(p.CHUNK_DOWNLOAD, ev.sha256, offset, data), text=False)
                offset += len(data)
        except BlobError as exc:
            return self._blob_error(m, ev.sha256, exc)
        m.send(p.encode(p.BlobEnd(ev.sha256, size)))


def _clip_info(row: ClipRow) -> p.ClipInfo:
    record = None if row.record is None else msgspec.json.decode(row.record)
    return p.ClipInfo(row.clip, row.sha256, row.size, record if isinstance(record, dict) else None)


async def serve_until_stopped(
    config: RelayConfig,
    stop: asyncio.Event,
    ready: Callable[[Relay], Awaitable[None] | None] | None = None,
) -> None:
    """Run a relay until ``stop`` is set, then shut it down gracefully."""
    relay = Relay(config)
    await relay.start()
    if ready is not None:
        res = ready(relay)
        if res is not None:
            await res
    try:
        await stop.wait()
    finally:
        await relay.shutdown()
