"""The relay's bounds in one place, and the token bucket that enforces the rates.

Every number here answers a RELIABILITY.md rule 5 question ("bound everything"): how big a
message, how deep a queue, how fast a client may send, how long a handshake may dribble.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_message: int = 1 << 20
    """Largest WebSocket message either way (text or binary), decompressed; over it: 1009."""
    outbound_bytes: int = 16 << 20
    """Bytes queued to one client before it counts as a slow reader and is disconnected."""
    write_buffer: int = 256 << 10
    """Bytes the socket layer buffers for one client before the writer task waits."""
    op_rate: float = 2000.0
    """Ops per second per connection, sustained (no human editing reaches it)."""
    op_burst: float = 4000.0
    presence_rate: float = 20.0
    presence_burst: float = 40.0
    abuse_strikes: int = 2000
    """Rate-limited messages (less one per accepted op) before the connection is closed 1008."""
    conns_per_address: int = 64
    handshake_timeout: float = 10.0
    hello_timeout: float = 10.0
    idle_timeout: float = 3600.0
    ping_interval: float = 20.0
    ping_timeout: float = 20.0
    close_timeout: float = 2.0
    """How long a closing handshake may take before the TCP connection is dropped."""
    max_blob: int = 4 << 30
    uploads_per_connection: int = 4
    chunk_size: int = 512 << 10
    disk_reserve: int = 64 << 20
    """Free bytes a blob upload must leave on the disk."""
    retain_ops: int = 5000
    """Ops kept in the log behind the latest snapshot; older bases must resync."""
    snapshot_every: int = 1000
    presence_interval: float = 0.05
    """Presence changes are coalesced and broadcast at most this often."""
    presence_ttl: float = 45.0
    """A client whose connection sent nothing (no frame, no pong) for this long leaves the
    presence list until it is heard again; longer than a ping interval, so a live client
    (which answers every ping) never drops out. 0 turns the sweep off."""


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; ``take()`` says whether one was there."""

    __slots__ = ("burst", "level", "rate", "stamp")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.level = rate, burst, burst
        self.stamp = time.monotonic()

    def take(self, now: float | None = None) -> bool:
        t = time.monotonic() if now is None else now
        self.level = min(self.burst, self.level + (t - self.stamp) * self.rate)
        self.stamp = t
        if self.level >= 1.0:
            self.level -= 1.0
            return True
        return False
