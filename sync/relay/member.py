"""One connected client on the relay: its identity, its outbound queue, its rate buckets.

Everything the relay sends a client goes through :meth:`Member.send`, which only enqueues; one
writer task per connection moves the queue onto the socket. The queue is bounded in bytes: a
client that does not read (SIGSTOPped, on a dead link) is disconnected with 1013 once its
queue passes the cap, rather than growing the relay's memory or stalling the room; it resyncs
when it comes back (RELIABILITY.md "slow reader").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from sync import protocol as p
from sync.relay.limits import Limits, TokenBucket
from sync.relay.tokens import Grant

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Member:
    ws: ServerConnection
    grant: Grant
    limits: Limits
    client_id: str = ""
    name: str = ""
    """The identity this connection's ops and presence carry (``Relay._identity``)."""
    identified: bool = False
    """``name`` comes from the token (only then may it insert an overdub in a voice)."""
    proto: p.RelayConnection = field(default_factory=p.RelayConnection)
    queued: int = 0
    dead: bool = False
    draining: bool = False
    strikes: int = 0
    uploads: dict[str, int] = field(default_factory=dict)
    """Blob uploads this connection announced: sha256 -> declared size."""

    def __post_init__(self) -> None:
        self.seen = asyncio.get_running_loop().time()
        """When the client last sent anything (the idle deadline)."""
        self.q: asyncio.Queue[tuple[bytes, bool] | tuple[int, str] | None] = asyncio.Queue()
        self.idle = asyncio.Event()
        """Set while nothing is queued (a graceful shutdown waits for it)."""
        self.idle.set()
        self.roomy = asyncio.Event()
        """Set while the queue is short enough for another download chunk."""
        self.roomy.set()
        self.ops = TokenBucket(self.limits.op_rate, self.limits.op_burst)
        self.presence = TokenBucket(self.limits.presence_rate, self.limits.presence_burst)
        self.writer = asyncio.get_running_loop().create_task(self._write())

    @property
    def role(self) -> str:
        return self.grant.role

    @property
    def heard(self) -> float:
        """When the peer last sent any bytes (pongs included; the presence TTL's clock)."""
        return float(getattr(self.ws, "heard", self.seen))

    def send(self, data: bytes, *, text: bool = True) -> None:
        """Queue a message; a client over its outbound cap is disconnected (it will resync)."""
        if self.dead:
            return
        if self.queued + len(data) > self.limits.outbound_bytes:
            log.info("client %s reads too slowly; disconnecting it", self.client_id)
            self.close(p.CLOSE_TRY_AGAIN, "slow reader: reconnect and resync")
            return
        self.queued += len(data)
        self.idle.clear()
        if self.queued > self.limits.chunk_size * 2:
            self.roomy.clear()
        self.q.put_nowait((data, text))

    def close(self, code: int, reason: str, *, drain: bool = False) -> None:
        """Stop taking messages and close the socket with ``code``.

        ``drain``: first write what is already queued (a client closed for abuse or policy
        learns why from the answers before the close); otherwise drop it (a slow reader, whose
        queue is the problem, resyncs anyway)."""
        if self.dead:
            return
        self.dead = True
        if drain:
            self.draining = True
            self.q.put_nowait((code, reason))
            return
        self.q.put_nowait(None)
        self.queued = 0
        self.idle.set()
        self.roomy.set()
        asyncio.get_running_loop().create_task(self.ws.close(code, reason))

    async def flush(self, timeout: float) -> None:
        """Wait until everything queued has been written (for a graceful shutdown)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self.idle.wait()

    async def _write(self) -> None:
        low = self.limits.chunk_size * 2
        try:
            while True:
                item = await self.q.get()
                if item is None:
                    return
                if isinstance(item[0], int):  # a draining close: everything before it is out
                    await self.ws.close(item[0], str(item[1]))
                    return
                data, text = item
                await self.ws.send(data, text=text)
                self.queued -= len(data)
                if self.queued <= low:
                    self.roomy.set()
                    if self.queued == 0:
                        self.idle.set()
        except ConnectionClosed:
            self.dead = True
            self.idle.set()
            self.roomy.set()

    async def stop(self) -> None:
        """The connection is over: drop what is queued (the client resyncs) and end the
        writer now, even one blocked on a peer that stopped reading, so the handler returns
        and the socket closes promptly."""
        self.dead = True
        if self.draining:  # let a draining close finish, within the close deadline
            with contextlib.suppress(TimeoutError, ConnectionClosed):
                async with asyncio.timeout(self.limits.close_timeout + 1):
                    await asyncio.shield(self.writer)
        self.writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
            await self.writer
