"""Bring your own transcript: read SRT, WebVTT or plain text and give its words audio times.

The text the user supplies is trusted for *what* was said; the recogniser is trusted for
*when*. Method: both sides are normalised to tokens, ``difflib.SequenceMatcher`` finds the
longest common runs, and

* equal runs copy the recognised word's times and confidence onto the given word;
* replaced runs (the model misheard) spread the given words over the recognised span,
  proportionally to their length, with the confidence halved;
* given words the model missed are interpolated in the gap between their aligned neighbours
  (bounded by the cue's own times when the file has them), confidence 0;
* recognised words absent from the text are dropped.

SRT and WebVTT are read with one small parser: only cue bounds and text matter here (VTT voice
tags and styling are stripped), so a dependency would buy nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from editor.errors import TranscribeError
from editor.transcribe.wer import normalise
from editor.transcribe.words import TimedWord


class TranscriptFormatError(TranscribeError):
    """A transcript file that cannot be read as SRT, WebVTT or text."""


@dataclass(frozen=True, slots=True)
class Cue:
    """A stretch of given text, with the times the file gave it (None for plain text)."""

    text: str
    start: float | None = None
    end: float | None = None


_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE_LINE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAG = re.compile(r"<[^>]*>|\{[^}]*\}")


def _seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000.0


def parse_timed(text: str) -> list[Cue]:
    """Cues of an SRT or WebVTT file (both are 'times line, then text lines, blank line')."""
    cues: list[Cue] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        m = _CUE_LINE.match(lines[i])
        if not m:
            i += 1
            continue
        g = m.groups()
        start, end = _seconds(*g[0:4]), _seconds(*g[4:8])
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() and not _CUE_LINE.match(lines[i]):
            body.append(_TAG.sub("", lines[i]).strip())
            i += 1
        if end < start:
            raise TranscriptFormatError(f"cue ends before it starts at {start:.3f}s")
        joined = " ".join(b for b in body if b)
        if joined:
            cues.append(Cue(joined, start, end))
    return cues


def read_transcript(path: Path) -> list[Cue]:
    """Read a transcript file, choosing the format from its content (then its suffix)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TranscriptFormatError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptFormatError(f"{path}: not UTF-8 text") from exc
    if "\x00" in text:
        raise TranscriptFormatError(f"{path}: binary file, not a transcript")
    timed = text.lstrip().startswith("WEBVTT") or path.suffix.lower() in {".srt", ".vtt"}
    if timed or "-->" in text:
        cues = parse_timed(text)
        if not cues:
            raise TranscriptFormatError(f"{path}: no subtitle cues found")
        return cues
    body = " ".join(text.split())
    if not body:
        raise TranscriptFormatError(f"{path}: the transcript is empty")
    return [Cue(body)]


@dataclass(frozen=True, slots=True)
class _Given:
    text: str
    key: str
    cue: int


def _given_words(cues: Sequence[Cue]) -> list[_Given]:
    out = []
    for ci, cue in enumerate(cues):
        for raw in cue.text.split():
            key = "".join(normalise(raw))
            if key:
                out.append(_Given(raw, key, ci))
    return out


def align_transcript(
    cues: Sequence[Cue], recognised: Sequence[TimedWord], duration: float
) -> list[TimedWord]:
    """Give every word of ``cues`` a time from ``recognised`` (see the module docstring)."""
    given = _given_words(cues)
    rec = sorted(recognised, key=lambda w: w.start)
    rec_keys = ["".join(normalise(w.text)) for w in rec]
    times: list[tuple[float, float, float] | None] = [None] * len(given)
    matcher = difflib.SequenceMatcher(None, [g.key for g in given], rec_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                w = rec[j1 + k]
                times[i1 + k] = (w.start, w.end, w.confidence)
        elif tag == "replace":
            span = (rec[j1].start, rec[j2 - 1].end)
            conf = min(w.confidence for w in rec[j1:j2]) / 2.0
            _spread(given, times, i1, i2, span, conf)
    _interpolate(given, times, cues, duration)
    out = []
    for g, t in zip(given, times, strict=True):
        assert t is not None
        out.append(TimedWord(g.text, t[0], t[1], t[2]))
    return out


def _spread(
    given: Sequence[_Given],
    times: list[tuple[float, float, float] | None],
    i1: int,
    i2: int,
    span: tuple[float, float],
    conf: float,
) -> None:
    """Share ``span`` among given[i1:i2] in proportion to their lengths."""
    weights = [max(len(g.key), 1) for g in given[i1:i2]]
    total = float(sum(weights))
    t = span[0]
    width = max(span[1] - span[0], 0.0)
    for k, wgt in enumerate(weights):
        end = t + width * wgt / total
        times[i1 + k] = (t, end, conf)
        t = end


def _interpolate(
    given: Sequence[_Given],
    times: list[tuple[float, float, float] | None],
    cues: Sequence[Cue],
    duration: float,
) -> None:
    """Fill each run of unaligned words into the gap its neighbours (and its cue) leave."""
    i = 0
    while i < len(given):
        if times[i] is not None:
            i += 1
            continue
        j = i
        while j < len(given) and times[j] is None:
            j += 1
        prev_t = times[i - 1]
        next_t = times[j] if j < len(given) else None
        lo = prev_t[1] if prev_t is not None else 0.0
        hi = next_t[0] if next_t is not None else duration
        first_cue, last_cue = cues[given[i].cue], cues[given[j - 1].cue]
        if first_cue.start is not None:
            lo = max(lo, min(first_cue.start, hi))
        if last_cue.end is not None:
            hi = min(hi, max(last_cue.end, lo))
        _spread(given, times, i, j, (lo, max(hi, lo)), 0.0)
        i = j
