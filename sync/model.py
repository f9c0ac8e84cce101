"""The document's value types: tracks, words, overdub clips and sections.

They are frozen, slotted dataclasses with no behaviour and no I/O, so they can be shared between
the document, operations and the wire form without defensive copies: an operation that carries a
``Word`` can never be changed behind the document's back.

Times are seconds on the project's shared clock (every track already shifted by its offset), the
same clock the EDL uses, so the document never has to know about per-track offsets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TrackRef:
    """A track of the document; ``label`` is the speaker label its words are shown with."""

    id: str
    label: str
    duration: float | None = None
    """Seconds of media, when known: lets derivation keep the trailing audio after the last word
    (and lets ``trim_silence`` shorten it); without it the program ends at the last word."""


@dataclass(frozen=True, slots=True)
class Word:
    """One transcribed word; ``id`` is stable for the document's lifetime."""

    id: str
    track: str
    text: str
    start: float
    end: float
    confidence: float = 1.0
    speaker: str | None = None
    filler: bool = False


@dataclass(frozen=True, slots=True)
class Overdub:
    """A clip (generated speech, a sting) played after ``after_word``.

    ``clip`` is a reference the project resolves to a file (``derive_edl``'s ``clip_path``);
    ``duration`` is in seconds and is trusted for program-time maps before the file is decoded.
    ``voice`` names the voice profile a clip imitates and ``voice_owner`` the identity that
    profile belongs to — the only author an authority lets insert it (``editor.overdub``).
    """

    id: str
    after_word: str
    clip: str
    text: str
    duration: float
    voice: str | None = None
    generated: bool = True
    voice_owner: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """A named part of the episode; the program plays sections in list order.

    A section owns the words whose ``start`` lies in ``[start, next section's start)`` when the
    sections are sorted by ``start`` (the source clock). Defining membership by time rather than
    by word lists keeps "every word in exactly one section" true by construction, also when a
    track's words are added or removed later.
    """

    id: str
    name: str
    start: float
