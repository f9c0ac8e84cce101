"""The single-producer, single-consumer ring of device frames between the feeder and the callback.

The feeder thread writes rendered frames; the audio callback copies them out. Neither side ever
takes a lock: each index has one writer (``write_index`` the producer, ``read_index`` the
consumer), both only grow, and Python's attribute stores are seen in program order by the other
thread (the GIL), which is all a SPSC ring needs.

Edits, seeks and pauses must replace audio that is already in the ring but not yet played,
without the consumer ever copying a half-rewritten region. The producer does it in three steps:

1. :meth:`Ring.hold` sets ``limit``: the consumer will not read at or past it. A callback that
   was already running when the limit was stored may still read past it, so ``hold`` returns a
   token and :meth:`Ring.held` says when that callback has finished (``in_read`` was false when
   the limit was stored, or ``reads`` has moved on since). A Dekker-style argument makes this
   safe: the consumer stores ``in_read = True`` before it loads ``limit``; the producer stores
   ``limit`` before it loads ``in_read``.
2. :meth:`Ring.rewind` moves ``write_index`` back to a point at or after ``read_index`` — the
   frames beyond it are the producer's to rewrite.
3. :meth:`Ring.release` lifts the limit after the new frames are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from render.sources import Frames

NO_LIMIT = 1 << 62
"""``limit`` when the consumer may read everything written."""


@dataclass(frozen=True, slots=True)
class HoldToken:
    """What :meth:`Ring.held` needs to tell when a running read has finished."""

    idle: bool
    reads: int


class Ring:
    """A preallocated ring of float32 ``(capacity, channels)`` frames; indices count frames ever
    written/read, so ``index % capacity`` is where a frame lives."""

    def __init__(self, capacity: int, channels: int) -> None:
        if capacity <= 0 or channels <= 0:
            raise ValueError(f"capacity and channels must be positive ({capacity}, {channels})")
        self.capacity = capacity
        self.channels = channels
        self.buffer: Frames = np.zeros((capacity, channels), dtype=np.float32)
        self.write_index = 0
        """Producer: frames written so far."""
        self.read_index = 0
        """Consumer: frames copied out so far."""
        self.limit = NO_LIMIT
        """Producer: the consumer must not read at or past this index."""
        self.final = True
        """Producer: when true, an empty ring is expected (paused or ended), not an underrun."""
        self.in_read = False
        """Consumer: a read is in progress."""
        self.reads = 0
        """Consumer: reads completed."""

    # -- producer side --------------------------------------------------------------------------

    def available(self) -> int:
        """Frames written and not yet read."""
        return self.write_index - self.read_index

    def space(self) -> int:
        """Frames that can be written without overwriting unread ones."""
        return self.capacity - (self.write_index - self.read_index)

    def write(self, block: Frames) -> None:
        """Append ``block`` (``(n, channels)``); the caller checks :meth:`space` first."""
        n = len(block)
        if n > self.space():
            raise ValueError(f"{n} frames do not fit in the ring ({self.space()} free)")
        at = self.write_index % self.capacity
        first = min(n, self.capacity - at)
        self.buffer[at : at + first] = block[:first]
        if first < n:
            self.buffer[: n - first] = block[first:]
        self.write_index += n

    def peek(self, start: int, count: int) -> Frames:
        """A copy of frames ``[start, start + count)``, which must be written and unread."""
        if start < self.read_index or start + count > self.write_index or count < 0:
            raise ValueError(f"frames {start}..{start + count} are not in the ring")
        at = start % self.capacity
        first = min(count, self.capacity - at)
        out = np.empty((count, self.channels), dtype=np.float32)
        out[:first] = self.buffer[at : at + first]
        if first < count:
            out[first:] = self.buffer[: count - first]
        return out

    def hold(self, at: int) -> HoldToken:
        """Stop the consumer from reading at or past ``at`` (step 1 of a rewrite)."""
        self.limit = at
        reads = self.reads
        return HoldToken(idle=not self.in_read, reads=reads)

    def held(self, token: HoldToken) -> bool:
        """True once no read that started before :meth:`hold` is still running."""
        return token.idle or self.reads > token.reads

    def rewind(self, to: int) -> None:
        """Forget frames from ``to`` on (step 2); ``to`` must be unread and already written."""
        if not self.read_index <= to <= self.write_index:
            raise ValueError(
                f"cannot rewind to {to}: read at {self.read_index}, written to {self.write_index}"
            )
        self.write_index = to

    def release(self) -> None:
        """Let the consumer read everything written again (step 3)."""
        self.limit = NO_LIMIT

    # -- consumer side --------------------------------------------------------------------------

    def read_into(self, out: Frames) -> int:
        """Copy up to ``len(out)`` frames into ``out``; returns how many (the rest is untouched).

        Called from the audio callback: no allocation beyond slice views, no locks.
        """
        r = self.read_index
        w = self.write_index
        limit = self.limit
        end = w if w < limit else limit
        n = end - r
        frames = len(out)
        if n > frames:
            n = frames
        if n <= 0:
            return 0
        at = r % self.capacity
        first = self.capacity - at
        if first >= n:
            out[:n] = self.buffer[at : at + n]
        else:
            out[:first] = self.buffer[at:]
            out[first:n] = self.buffer[: n - first]
        self.read_index = r + n
        return n
