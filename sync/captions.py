"""Subtitles, labels and transcripts of the *edited* program, from word spans in program time.

Pure functions over :class:`CaptionWord` records (text, program start/end, speaker), which the
caller builds from the document and its ``ProgramMap`` (see :func:`caption_words`). Keeping the
formatters free of the document makes them easy to test exhaustively and reusable by the relay.

Formats: plain text (a paragraph per speaker turn), JSON words, SRT, WebVTT with ``<v Speaker>``
voice tags, Audacity label tracks (``start⇥end⇥label``) and the Podcasting 2.0 JSON transcript.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

MAX_CUE_SECONDS = 6.0
MAX_CUE_CHARS = 84
MAX_LINE_CHARS = 42
MAX_GAP_SECONDS = 1.5
MIN_CUE_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class CaptionWord:
    """A kept word at its place in the edited program (seconds from the program's start)."""

    text: str
    start: float
    end: float
    speaker: str | None = None
    word_id: str | None = None


@dataclass(frozen=True, slots=True)
class Cue:
    """A group of consecutive words shown together: one speaker, short, without a long gap."""

    start: float
    end: float
    text: str
    speaker: str | None


# --- timestamps -------------------------------------------------------------------------------


def _millis(seconds: float) -> int:
    if not math.isfinite(seconds) or seconds <= 0:
        return 0
    return round(seconds * 1000)


def timestamp(seconds: float, sep: str = ".") -> str:
    """``HH:MM:SS.mmm`` (``sep=","`` gives SRT's form); negative or NaN times clamp to zero.

    Rounds to the nearest millisecond once, on the total, so 59.9996 s becomes 00:01:00.000
    rather than an impossible 00:00:59.1000.
    """
    ms = _millis(seconds)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def parse_timestamp(text: str) -> float:
    """Inverse of :func:`timestamp` (accepts ``,`` or ``.`` before the milliseconds)."""
    hms, _, millis = text.replace(",", ".").rpartition(".")
    h, m, s = (int(part) for part in hms.split(":"))
    return (h * 3600 + m * 60 + s) + int(millis) / 1000


# --- grouping ---------------------------------------------------------------------------------


def cues(
    words: Sequence[CaptionWord],
    *,
    max_seconds: float = MAX_CUE_SECONDS,
    max_chars: int = MAX_CUE_CHARS,
    max_gap: float = MAX_GAP_SECONDS,
) -> list[Cue]:
    """Group words into cues, breaking at a speaker change, a long pause, or a full cue.

    Cue times never overlap and each lasts at least :data:`MIN_CUE_SECONDS` where the next cue
    leaves room, so every player shows every cue.
    """
    groups: list[list[CaptionWord]] = []
    for w in words:
        if groups:
            cur = groups[-1]
            text_len = sum(len(x.text) + 1 for x in cur) + len(w.text)
            if (
                w.speaker == cur[0].speaker
                and w.start - cur[-1].end <= max_gap
                and w.end - cur[0].start <= max_seconds
                and text_len <= max_chars
            ):
                cur.append(w)
                continue
        groups.append([w])
    out: list[Cue] = []
    for i, g in enumerate(groups):
        start = max(0.0, g[0].start)
        end = max(g[-1].end, start + MIN_CUE_SECONDS)
        if i + 1 < len(groups):
            end = min(end, max(groups[i + 1][0].start, start + 0.001))
        out.append(Cue(start, end, " ".join(w.text for w in g), g[0].speaker))
    return out


# --- formats ----------------------------------------------------------------------------------


def to_text(words: Sequence[CaptionWord]) -> str:
    """Plain text, one paragraph per speaker turn, each starting ``Speaker:`` when known."""
    paragraphs: list[str] = []
    turn: list[str] = []
    speaker: str | None = None
    for w in words:
        if turn and w.speaker != speaker:
            paragraphs.append(_turn(speaker, turn))
            turn = []
        speaker = w.speaker
        turn.append(w.text)
    if turn:
        paragraphs.append(_turn(speaker, turn))
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


def _turn(speaker: str | None, texts: list[str]) -> str:
    body = " ".join(texts)
    return f"{speaker}: {body}" if speaker else body


def to_json(words: Sequence[CaptionWord]) -> str:
    """The kept words as a JSON list of ``{"id", "text", "start", "end", "speaker"}`` (program
    time)."""
    rows: list[dict[str, Any]] = [
        {
            "id": w.word_id,
            "text": w.text,
            "start": round(w.start, 3),
            "end": round(w.end, 3),
            "speaker": w.speaker,
        }
        for w in words
    ]
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def to_srt(words: Sequence[CaptionWord]) -> str:
    """SubRip: numbered cues, ``HH:MM:SS,mmm`` times, ``Speaker:`` at each turn's first cue."""
    blocks: list[str] = []
    previous: str | None = None
    for n, cue in enumerate(cues(words), start=1):
        text = cue.text
        if cue.speaker and cue.speaker != previous:
            text = f"{cue.speaker}: {text}"
        previous = cue.speaker
        lines = "\n".join(textwrap.wrap(text, MAX_LINE_CHARS)) or text
        blocks.append(f"{n}\n{timestamp(cue.start, ',')} --> {timestamp(cue.end, ',')}\n{lines}")
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(words: Sequence[CaptionWord]) -> str:
    """WebVTT with ``<v Speaker>`` voice spans, which players show as the speaker's name."""
    blocks = ["WEBVTT"]
    for cue in cues(words):
        text = "\n".join(textwrap.wrap(_vtt_escape(cue.text), MAX_LINE_CHARS)) or cue.text
        if cue.speaker:
            name = _vtt_escape(cue.speaker).replace("\n", " ")
            text = f"<v {name}>{text}</v>"
        blocks.append(f"{timestamp(cue.start)} --> {timestamp(cue.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def to_audacity(words: Sequence[CaptionWord]) -> str:
    """An Audacity label track: ``start⇥end⇥label`` per cue, seconds with 6 decimals."""
    lines = []
    for cue in cues(words):
        label = f"{cue.speaker}: {cue.text}" if cue.speaker else cue.text
        lines.append(f"{cue.start:.6f}\t{cue.end:.6f}\t{label.replace(chr(9), ' ')}")
    return "\n".join(lines) + ("\n" if lines else "")


def to_podcast_json(words: Sequence[CaptionWord]) -> str:
    """The Podcasting 2.0 JSON transcript (``version`` 1.0.0, one segment per word)."""
    segments: list[dict[str, Any]] = []
    for w in words:
        seg: dict[str, Any] = {
            "startTime": round(max(0.0, w.start), 3),
            "endTime": round(max(0.0, w.end), 3),
            "body": w.text,
        }
        if w.speaker:
            seg["speaker"] = w.speaker
        segments.append(seg)
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False) + "\n"


_WRITERS: dict[str, Callable[[Sequence[CaptionWord]], str]] = {
    "text": to_text,
    "json": to_json,
    "srt": to_srt,
    "vtt": to_vtt,
    "audacity": to_audacity,
    "podcast-json": to_podcast_json,
}
FORMATS = tuple(_WRITERS)
"""The format names :func:`render` takes."""


def render(words: Iterable[CaptionWord], fmt: str) -> str:
    """The transcript of ``words`` in one of :data:`FORMATS`; ``ValueError`` for another."""
    try:
        writer = _WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown transcript format {fmt!r}; use one of {FORMATS}") from None
    return writer(list(words))
