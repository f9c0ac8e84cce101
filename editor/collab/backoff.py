"""Reconnect delays: 1, 2, 4 … 30 s with full jitter, reset after a connection that worked.

Full jitter (a random delay between 0 and the current cap) is what keeps 200 clients of a
restarted relay from reconnecting in one stampede; the first delay is random within the initial
interval too (RELIABILITY.md "Backoff").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    initial: float = 1.0
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def ceiling(self) -> float:
        return float(min(self.cap, self.initial * (2**self.attempt)))

    def next_delay(self) -> float:
        """The delay before the next attempt; each call widens the window up to the cap."""
        delay = self.rng.uniform(0, self.ceiling())
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0
