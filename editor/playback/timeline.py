"""Which program frame each ring frame holds, so the playhead can be told in program time.

The feeder writes contiguous stretches of the program into the ring; every seek, loop, edit
swap or speed change starts a new stretch. Each stretch is an anchor ``(ring index, program
frame, program frames per device frame)``; a device frame between two anchors maps linearly
from the earlier one. Anchors are added and cut by the feeder and read by the transport (the
GUI thread), never by the callback, so a plain lock is fine here.
"""

from __future__ import annotations

import bisect
import threading


class Timeline:
    """Ring index -> program frame, as a list of anchors in ring order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rings: list[int] = []
        self._programs: list[float] = []
        self._ratios: list[float] = []
        self._ends: list[float] = []
        """Program frame where each stretch's audio ends (for clamping past the last write)."""

    def start(self, ring_index: int, program_frame: float, ratio: float) -> None:
        """A new stretch begins at ``ring_index``; anchors at or after it are dropped."""
        with self._lock:
            cut = bisect.bisect_left(self._rings, ring_index)
            del self._rings[cut:], self._programs[cut:], self._ratios[cut:], self._ends[cut:]
            self._rings.append(ring_index)
            self._programs.append(program_frame)
            self._ratios.append(ratio)
            self._ends.append(program_frame)

    def extend(self, ring_end: int) -> None:
        """The latest stretch now reaches ``ring_end`` (exclusive)."""
        with self._lock:
            if self._rings:
                self._ends[-1] = (
                    self._programs[-1] + (ring_end - self._rings[-1]) * self._ratios[-1]
                )

    def cut(self, ring_index: int) -> None:
        """Frames from ``ring_index`` on are being rewritten: forget what they held."""
        with self._lock:
            cut = bisect.bisect_right(self._rings, ring_index)
            if cut and self._rings[cut - 1] == ring_index:
                cut -= 1
            del self._rings[cut:], self._programs[cut:], self._ratios[cut:], self._ends[cut:]
            if self._rings:
                i = len(self._rings) - 1
                self._ends[i] = self._programs[i] + (ring_index - self._rings[i]) * self._ratios[i]

    def prune(self, before: int) -> None:
        """Drop anchors wholly superseded before ring index ``before`` (keeps memory flat)."""
        with self._lock:
            keep = bisect.bisect_right(self._rings, before) - 1
            if keep > 0:
                del self._rings[:keep], self._programs[:keep], self._ratios[:keep]
                del self._ends[:keep]

    def program_at(self, ring_index: float) -> float | None:
        """The program frame the ring holds at ``ring_index``, or ``None`` before any anchor."""
        with self._lock:
            i = bisect.bisect_right(self._rings, ring_index) - 1
            if i < 0:
                return None
            at = self._programs[i] + (ring_index - self._rings[i]) * self._ratios[i]
            return min(at, self._ends[i])
