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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sync.cue_layout import group_words, lay_out

MAX_CUE_SECONDS = 7.0
MAX_LINES = 2
MAX_LINE_CHARS = 42
MAX_GAP_SECONDS = 1.5
MIN_CUE_SECONDS = 1.0
"""Where the next cue leaves room, a cue stays up at least this long, so it can be read."""


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
    """Consecutive words shown together: one speaker, ≤ 7 s, laid out in ≤ 2 lines.

    ``text`` is the words alone; ``lines`` is what is shown, broken at a clause boundary where
    one fits, and starting with the speaker label when the cue opens a turn and a label was
    asked for (SRT has no voice tags).
    """

    start: float
    end: float
    text: str
    speaker: str | None
    lines: tuple[str, ...] = ()


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


# --- grouping -------------------------------------------------------------------------------


def cues(
    words: Sequence[CaptionWord],
    *,
    max_seconds: float = MAX_CUE_SECONDS,
    max_gap: float = MAX_GAP_SECONDS,
    width: int = MAX_LINE_CHARS,
    label: Callable[[str], str] | None = None,
) -> list[Cue]:
    """Group words into cues by caption norms (see :mod:`sync.cue_layout`).

    A cue never spans a speaker change or a pause longer than ``max_gap``, lasts at most
    ``max_seconds``, and fits in two lines of ``width`` characters (with ``label(speaker)`` in
    front of the first cue of each turn, when given). Cue times never overlap and each lasts at
    least :data:`MIN_CUE_SECONDS` where the next cue leaves room, so every player shows it.
    """
    groups = group_words(words, max_seconds=max_seconds, max_gap=max_gap, width=width, label=label)
    out: list[Cue] = []
    for i, (g, prefix) in enumerate(groups):
        start = max(0.0, g[0].start)
        end = min(max(g[-1].end, start + MIN_CUE_SECONDS), start + max_seconds)
        if i + 1 < len(groups):
            end = min(end, max(groups[i + 1][0][0].start, start + 0.001))
        tokens = ([prefix] if prefix else []) + [w.text for w in g]
        out.append(
            Cue(start, end, " ".join(w.text for w in g), g[0].speaker, lay_out(tokens, width))
        )
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
    for n, cue in enumerate(cues(words, label=_srt_label), start=1):
        lines = "\n".join(cue.lines)
        blocks.append(f"{n}\n{timestamp(cue.start, ',')} --> {timestamp(cue.end, ',')}\n{lines}")
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _srt_label(speaker: str) -> str:
    return f"{speaker.strip()}:"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(words: Sequence[CaptionWord]) -> str:
    """WebVTT with ``<v Speaker>`` voice spans, which players show as the speaker's name."""
    blocks = ["WEBVTT"]
    for cue in cues(words):
        text = "\n".join(_vtt_escape(line) for line in cue.lines)
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
