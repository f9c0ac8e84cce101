"""One connection to a relay room, client side: typed messages in, typed messages out, and
resumable, verified media transfers. It only moves bytes; ``sync.protocol`` does the parsing.

Messages that arrive while a transfer waits for its own answers (a co-host's edit, presence)
are kept in :attr:`RelayConn.backlog` and handed out first by :meth:`RelayConn.recv`, so a
transfer never swallows an edit.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from editor.errors import CollabError
from sync import protocol as p

Progress = Callable[[int, int], None]
Incoming = p.RelayMessage | p.Chunk
CHUNK = 512 << 10
WINDOW = 8
"""Upload chunks in flight before waiting for the relay's status (pipelining)."""
MAX_ASKS = 3
"""Times an upload asks the relay where it stands when all chunks are answered unconfirmed."""


class Offline(CollabError):
    """The relay cannot be reached (or the connection dropped): edits stay pending."""


class ClipsUnsupported(CollabError):
    """The relay does not know ``clip_put``/``clip_get`` (it predates the clip index)."""


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks: the name a blob is stored and asked under."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _refusal(exc: InvalidStatus) -> CollabError:
    code = exc.response.status_code
    why = {401: "the token is unknown or revoked", 403: "the token is not for this room"}
    return CollabError(f"the relay refused to connect ({code}: {why.get(code, 'refused')})")


class RelayConn:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.backlog: deque[p.RelayMessage] = deque()
        self.welcome: p.Welcome | None = None
        self.bytes_out = 0
        """Payload bytes sent in upload chunks on this connection (for the transfer bar)."""

    @classmethod
    async def open(cls, room_url: str, token: str, *, timeout: float = 5.0) -> RelayConn:
        try:
            ws = await connect(
                room_url,
                additional_headers={"Authorization": f"Bearer {token}"},
                open_timeout=timeout,
                close_timeout=1,
                max_size=256 << 20,
                compression=None,
                ping_interval=10,
                ping_timeout=10,
                user_agent_header="wordcut",
            )
        except InvalidStatus as exc:
            raise _refusal(exc) from None
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            raise Offline(f"cannot reach the relay at {room_url}: {exc}") from None
        return cls(ws)

    async def close(self) -> None:
        await self.ws.close()

    async def send(self, msg: p.ClientMessage) -> None:
        try:
            await self.ws.send(p.encode(msg), text=True)
        except ConnectionClosed as exc:
            raise Offline(f"the relay connection closed: {exc}") from None

    async def _next(self) -> Incoming:
        try:
            raw = await self.ws.recv()
        except ConnectionClosed as exc:
            raise Offline(f"the relay connection closed: {exc}") from None
        if isinstance(raw, bytes):
            try:
                return p.decode_chunk(raw, p.CHUNK_DOWNLOAD)
            except p.ProtocolError as exc:
                raise CollabError(f"the relay sent a bad chunk: {exc}") from None
        try:
            return p.decode_relay(raw)
        except p.ProtocolError as exc:
            raise CollabError(str(exc)) from None

    async def recv(self, timeout: float | None = None) -> p.RelayMessage:
        """The next message (backlog first); binary frames outside a download are dropped."""
        if self.backlog:
            return self.backlog.popleft()
        while True:
            async with asyncio.timeout(timeout):
                msg = await self._next()
            if not isinstance(msg, p.Chunk):
                return msg

    async def hello(self, client_id: str, name: str, last_version: int | None) -> p.Welcome:
        await self.send(p.Hello(p.PROTOCOL_VERSION, client_id, name, last_version))
        msg = await self.recv(10)
        if isinstance(msg, p.Error):
            raise CollabError(f"the relay refused hello: {msg.message}")
        if not isinstance(msg, p.Welcome):
            raise CollabError(f"the relay answered hello with {type(msg).__name__}")
        self.welcome = msg
        return msg

    async def clip(self, msg: p.ClipPut | p.ClipGet, timeout: float = 30) -> p.ClipInfo:
        """Index a clip in the room or ask where one is; other messages go to the backlog.
        Raises :class:`ClipsUnsupported` when the relay predates the clip index."""
        await self.send(msg)
        async with asyncio.timeout(timeout):
            while True:
                answer = await self._next()
                if isinstance(answer, p.Chunk):
                    continue
                if isinstance(answer, p.ClipInfo) and answer.clip == msg.clip:
                    return answer
                if isinstance(answer, p.Error):
                    raise CollabError(f"the relay refused: {answer.message}")
                if (
                    isinstance(answer, p.Rejected)
                    and answer.seq is None
                    and answer.reason == "unknown_op"
                ):
                    raise ClipsUnsupported("the relay is too old to keep overdub clips")
                self.backlog.append(answer)

    async def _answer(self, sha: str, *kinds: type[Any]) -> Any:
        """The next blob answer about ``sha``; everything else goes to the backlog."""
        while True:
            msg = await self._next()
            if isinstance(msg, p.Chunk):
                return msg
            if isinstance(msg, kinds) and getattr(msg, "sha256", sha) == sha:
                return msg
            if isinstance(msg, p.Error):
                raise CollabError(f"the relay refused: {msg.message}")
            self.backlog.append(msg)

    async def upload(self, source: Path | bytes, sha: str, progress: Progress | None = None) -> int:
        """Make sure the relay holds ``source`` as blob ``sha``; resumes where the relay's
        bytes end. Returns the payload bytes sent (0 when it was already there)."""
        size = len(source) if isinstance(source, bytes) else source.stat().st_size
        await self.send(p.BlobBegin(sha, size))
        st = await self._answer(sha, p.BlobStatus, p.BlobError)
        if isinstance(st, p.BlobError):
            raise CollabError(f"the relay refused blob {sha[:12]}: {st.message}")
        sent, offset = 0, st.offset
        f = None if isinstance(source, bytes) else source.open("rb")
        try:
            inflight = 0
            asks = 0
            while not st.complete:
                while offset < size and inflight < WINDOW:
                    if f is None:
                        assert isinstance(source, bytes)
                        piece = source[offset : offset + CHUNK]
                    else:
                        f.seek(offset)
                        piece = f.read(CHUNK)
                    await self.ws.send(p.encode_chunk(p.CHUNK_UPLOAD, sha, offset, piece))
                    offset += len(piece)
                    sent += len(piece)
                    self.bytes_out += len(piece)
                    inflight += 1
                if inflight == 0:
                    # every chunk is answered, yet the relay has not confirmed the whole blob
                    # (seen once with relay kills mid-upload): ask where it stands, as a resume
                    # does, and go on from there
                    asks += 1
                    if asks > MAX_ASKS:
                        raise CollabError(f"blob {sha[:12]}: the relay never confirmed the upload")
                    await self.send(p.BlobBegin(sha, size))
                    again = await self._answer(sha, p.BlobStatus, p.BlobError)
                    if isinstance(again, p.BlobError):
                        raise CollabError(f"the relay refused blob {sha[:12]}: {again.message}")
                    st, offset = again, again.offset
                    continue
                answer = await self._answer(sha, p.BlobStatus, p.BlobError)
                inflight -= 1
                if isinstance(answer, p.BlobError):
                    if answer.code not in ("corrupt_chunk", "wrong_offset") or answer.offset < 0:
                        raise CollabError(f"the relay refused blob {sha[:12]}: {answer.message}")
                    while inflight:  # the chunks sent behind the refused one fail too
                        await self._answer(sha, p.BlobStatus, p.BlobError)
                        inflight -= 1
                    offset = answer.offset
                    continue
                st = answer
                if progress is not None:
                    progress(st.offset, size)
        except ConnectionClosed as exc:
            raise Offline(f"the upload was cut off: {exc}") from None
        finally:
            if f is not None:
                f.close()
        return sent

    async def download(
        self, sha: str, size: int, dest: Path, progress: Progress | None = None
    ) -> None:
        """Fetch blob ``sha`` into ``dest``, resuming a partial ``dest.part``; the result is
        verified against the hash before it is renamed into place."""
        part = dest.with_name(dest.name + ".part")
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            part.unlink()
            have = 0
        await self.send(p.BlobGet(sha, have))
        with part.open("ab") as f:
            while True:
                msg = await self._answer(sha, p.BlobEnd, p.BlobError)
                if isinstance(msg, p.BlobError):
                    raise CollabError(f"the relay cannot send blob {sha[:12]}: {msg.message}")
                if isinstance(msg, p.BlobEnd):
                    break
                if msg.sha256 != sha or msg.offset != have:
                    raise CollabError(f"blob {sha[:12]}: chunk out of order at {msg.offset}")
                f.write(msg.payload)
                have += len(msg.payload)
                if progress is not None:
                    progress(have, size)
            f.flush()
            os.fsync(f.fileno())
        digest = hashlib.sha256()
        with part.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        if digest.hexdigest() != sha:
            part.unlink()
            raise CollabError(f"blob {sha[:12]} arrived damaged (hash mismatch); try again")
        os.replace(part, dest)
