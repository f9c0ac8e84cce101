"""The one interface every voice backend implements, and the values it exchanges.

A backend gets a :class:`VoiceRequest` — the line to say (words and their spoken tokens), the
speaker's context in the project (their recorded words with times, a way to read the audio
around them, the rate and channels the clip must have) and, for a backend that imitates a
person, the consent-verified :class:`ProfileInfo` — and returns :class:`Generated`: samples, the
time span of each token run it produced, and the runs it could *not* produce (``holes``), so
another backend can fill them. Level and loudness matching happen once, after any backend, in
:mod:`editor.overdub.compose`, so a plug-in need not get them right.

Plug-ins are found through the ``wordcut.voices`` entry-point group (see docs/overdub.md): an
entry point names a class or factory that takes no arguments and returns a backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from editor.overdub.text import Line

Samples = npt.NDArray[np.float32]
"""Audio as ``(frames, channels)`` float32 at the request's sample rate."""


@dataclass(frozen=True, slots=True)
class RecordedWord:
    """One of the speaker's words as recorded: its spoken tokens and times on the project clock.

    ``room_before``/``room_after`` are the seconds of non-speech (by the refined word boundaries)
    before and after it on its track, up to the neighbouring word of anyone on that track.
    """

    id: str
    tokens: tuple[str, ...]
    start: float
    end: float
    room_before: float
    room_after: float
    deleted: bool = False

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class VoiceContext:
    """Where the line goes and what the speaker's own recording offers."""

    speaker: str
    sample_rate: int
    channels: int
    words: Sequence[RecordedWord]
    """The speaker's recorded words on their track, in source order (fillers left out)."""
    audio: Callable[[float, float], Samples]
    """``audio(start, end)``: the speaker's track between two project-clock times (zeros
    outside the recording)."""
    line_start: float
    """Project-clock start of the words being replaced."""
    line_end: float
    """Project-clock end of the words being replaced."""
    words_per_minute: float = 160.0
    """The speaker's speaking rate around the line (for text-to-speech pacing)."""


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    """A consent-verified voice profile, as a backend sees it."""

    id: str
    host: str
    owner: str
    reference: Path
    """The reference recording (the host reading the consent statement)."""


@dataclass(frozen=True, slots=True)
class VoiceRequest:
    line: Line
    context: VoiceContext
    profile: ProfileInfo | None = None


@dataclass(frozen=True, slots=True)
class TokenSpan:
    """Tokens ``first..last`` (inclusive, indices into ``line.tokens``) play from ``start`` to
    ``end`` seconds of the clip; ``source`` names what made them (a backend, or a recorded word
    id for splice)."""

    first: int
    last: int
    start: float
    end: float
    source: str
    gain_db: float = 0.0
    """The level change the backend gave its source's audio (splice brings each unit to the
    level around the line), so a check against the recording compares like with like."""


@dataclass(frozen=True, slots=True)
class Hole:
    """Tokens ``first..last`` that the backend could not produce; they belong at ``at`` seconds
    of the clip (between the audio before and after)."""

    first: int
    last: int
    at: float


@dataclass(frozen=True, slots=True)
class Generated:
    """What a backend made: audio, where each token run plays, and what is missing."""

    samples: Samples
    sample_rate: int
    spans: tuple[TokenSpan, ...]
    holes: tuple[Hole, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """Anything worth telling the user (a backend's own caveats)."""

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    def uncovered(self) -> list[int]:
        """Token indices in holes."""
        return [t for h in self.holes for t in range(h.first, h.last + 1)]


class VoiceBackend(Protocol):
    """A way to make speech. ``clones_voice`` is True for a backend that sounds like a real
    person (splice, a cloning model): it is only run with that person's verified profile."""

    name: str
    clones_voice: bool

    def generate(self, request: VoiceRequest) -> Generated:
        """Say ``request.line``; raise :class:`editor.errors.OverdubError` if it cannot."""
        ...


def silence(seconds: float, rate: int, channels: int) -> Samples:
    return np.zeros((max(0, round(seconds * rate)), channels), dtype=np.float32)
