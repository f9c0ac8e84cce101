"""Chapters: named points on the program timeline, and the two file forms users bring them in.

Chapters come from the document's sections, or from a file the user hands to ``wordcut render
--chapters``. Two forms are read because those are what podcasters already have:

* Podcasting 2.0 chapters JSON — ``{"version": "1.2.0", "chapters": [{"startTime": 0,
  "title": "Intro"}]}`` (``endTime`` and ``url`` optional), the form hosts publish beside the
  feed;
* a plain text list, one ``HH:MM:SS[.mmm] Title`` (or ``MM:SS Title``) per line, the form
  people paste into show notes. Blank lines and ``#`` comments are skipped.

Times are seconds of *program* time (after cuts), which is what a listener's player shows.

Export writes the Podcasting 2.0 form too (:func:`chapters_json`, :func:`save_chapters_json`):
the ``.chapters.json`` a podcast host's upload form takes beside the episode. Writing and
parsing live together so that what is written always parses back to the same chapters.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from render.atomic import write_text
from render.errors import ExportError
from render.textfile import read_user_text

CHAPTERS_VERSION = "1.2.0"
"""The Podcasting 2.0 chapters format version written (1.x is read)."""


@dataclass(frozen=True, slots=True)
class Chapter:
    """One chapter; ``end_seconds`` of ``None`` means "until the next chapter or the end"."""

    title: str
    start_seconds: float
    end_seconds: float | None = None
    url: str | None = None


class ChapterError(ExportError):
    """A chapters file cannot be read or describes impossible chapters."""


def resolve_ends(chapters: Iterable[Chapter], duration: float) -> list[tuple[Chapter, float]]:
    """Sort chapters by start and give each a concrete end (next start, or ``duration``).

    Players need an explicit end time in every ID3 CHAP frame; chapters starting at or after
    the end of the program are dropped, because a player cannot seek to them.
    """
    ordered = sorted((c for c in chapters if c.start_seconds < duration), key=_start)
    out: list[tuple[Chapter, float]] = []
    for i, chapter in enumerate(ordered):
        following = ordered[i + 1].start_seconds if i + 1 < len(ordered) else duration
        end = chapter.end_seconds if chapter.end_seconds is not None else following
        out.append((chapter, max(chapter.start_seconds, min(end, duration))))
    return out


def _start(chapter: Chapter) -> float:
    return chapter.start_seconds


def load_chapters(path: str | Path) -> list[Chapter]:
    """Read a chapters file in either form (JSON if it parses as JSON, else the text form)."""
    p = Path(path)
    text = read_user_text(p, ChapterError)
    try:
        if text.lstrip().startswith(("{", "[")):
            return parse_chapters_json(text)
        return parse_chapters_text(text)
    except ChapterError as exc:
        raise ChapterError(f"{p}: {exc}") from None


def parse_chapters_json(text: str) -> list[Chapter]:
    """Parse Podcasting 2.0 chapters JSON (``version`` 1.x)."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChapterError(f"not valid chapters JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise ChapterError("chapters JSON must be an object with a 'chapters' list")
    version = data.get("version", "1.2.0")
    if not isinstance(version, str) or not version.startswith("1."):
        raise ChapterError(f"unsupported chapters version {version!r} (expected 1.x)")
    raw = data.get("chapters")
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise ChapterError("'chapters' must be a list")
    chapters: list[Chapter] = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ChapterError(f"chapter {i}: must be an object")
        start = _seconds(item.get("startTime"), f"chapter {i}: startTime")
        end_raw = item.get("endTime")
        end = None if end_raw is None else _seconds(end_raw, f"chapter {i}: endTime")
        if end is not None and end < start:
            raise ChapterError(f"chapter {i}: endTime {end} is before startTime {start}")
        title = item.get("title", "")
        if not isinstance(title, str):
            raise ChapterError(f"chapter {i}: title must be a string")
        url = item.get("url")
        if url is not None and not isinstance(url, str):
            raise ChapterError(f"chapter {i}: url must be a string")
        chapters.append(Chapter(title, start, end, url))
    return chapters


def chapters_json(chapters: Iterable[Chapter]) -> str:
    """The Podcasting 2.0 chapters JSON for ``chapters``, in start order, times to the ms.

    ``endTime`` and ``url`` are written only when set (players compute the end from the next
    chapter); titles are kept as they are, non-ASCII included.
    """
    items: list[dict[str, Any]] = []
    for chapter in sorted(chapters, key=_start):
        item: dict[str, Any] = {
            "startTime": round(chapter.start_seconds, 3),
            "title": chapter.title,
        }
        if chapter.end_seconds is not None:
            item["endTime"] = round(chapter.end_seconds, 3)
        if chapter.url is not None:
            item["url"] = chapter.url
        items.append(item)
    return json.dumps({"version": CHAPTERS_VERSION, "chapters": items}, ensure_ascii=False) + "\n"


def save_chapters_json(path: str | Path, chapters: Iterable[Chapter]) -> None:
    """Write :func:`chapters_json` to ``path`` atomically (``WriteError`` names ``path``)."""
    write_text(path, chapters_json(chapters))


_TEXT_LINE = re.compile(
    r"^\s*(?P<time>\d+(?::\d{1,2}){0,2}(?:[.,]\d+)?)\s*(?:[-–|]\s*)?(?P<title>.*)$"
)


def parse_chapters_text(text: str) -> list[Chapter]:
    """Parse ``HH:MM:SS Title`` lines (``MM:SS`` and fractional seconds accepted)."""
    chapters: list[Chapter] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _TEXT_LINE.match(stripped)
        if match is None:
            raise ChapterError(f"line {lineno}: expected 'HH:MM:SS Title', got {stripped!r}")
        chapters.append(Chapter(match["title"].strip(), parse_clock(match["time"], lineno)))
    return chapters


def parse_clock(text: str, lineno: int = 0) -> float:
    """``"1:02:03.5"`` → 3723.5 seconds; minutes and seconds fields must be below 60."""
    parts = text.replace(",", ".").split(":")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ChapterError(f"line {lineno}: bad time {text!r}") from None
    if any(v >= 60 for v in values[1:]):
        raise ChapterError(f"line {lineno}: bad time {text!r} (minutes/seconds must be < 60)")
    seconds = 0.0
    for v in values:
        seconds = seconds * 60 + v
    return seconds


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ChapterError(f"{where} must be a number of seconds, not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ChapterError(f"{where} must be a finite, non-negative number, not {value!r}")
    return float(value)
