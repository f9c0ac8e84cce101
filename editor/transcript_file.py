"""Reading a word-level transcript made elsewhere (faster-whisper, WhisperX, hand-made JSON).

Accepted shapes, all with times in seconds on the track's own clock:

* a JSON list of ``{"text", "start", "end"}`` with optional ``confidence`` and ``speaker``
  (``"word"`` is accepted for ``"text"``, and ``"probability"``/``"score"`` for
  ``"confidence"``, as faster-whisper and WhisperX name them);
* WhisperX's ``{"word_segments": [...]}``;
* a Whisper-style ``{"segments": [{"words": [...]}, ...]}``.

Every problem is reported as :class:`TranscriptFileError` naming the file and the entry, and
nothing is imported unless the whole file is good.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from editor.errors import EditorError

MAX_ENTRIES = 2_000_000


class TranscriptFileError(EditorError):
    """A transcript file is unreadable or has a bad entry; the message names both."""


@dataclass(frozen=True, slots=True)
class FileWord:
    text: str
    start: float
    end: float
    confidence: float = 1.0
    speaker: str | None = None


def _entries(data: Any, path: Path) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("word_segments"), list):
            return list(data["word_segments"])
        if isinstance(data.get("segments"), list):
            out: list[Any] = []
            for i, seg in enumerate(data["segments"]):
                if not isinstance(seg, dict) or not isinstance(seg.get("words"), list):
                    raise TranscriptFileError(f"{path}: segment {i} has no 'words' list")
                speaker = seg.get("speaker")
                for w in seg["words"]:
                    if isinstance(w, dict) and speaker is not None and "speaker" not in w:
                        w = {**w, "speaker": speaker}
                    out.append(w)
            return out
    raise TranscriptFileError(
        f"{path}: expected a JSON list of words like "
        '[{"text": "Hello", "start": 0.0, "end": 0.4}, ...]'
    )


def _number(entry: dict[str, Any], keys: tuple[str, ...], where: str) -> float | None:
    for key in keys:
        if key in entry:
            value = entry[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TranscriptFileError(f"{where}: {key!r} must be a number, not {value!r}")
            if not math.isfinite(value):
                raise TranscriptFileError(f"{where}: {key!r} must be finite, not {value!r}")
            return float(value)
    return None


def parse_words(data: Any, path: Path) -> list[FileWord]:
    """Validate a decoded transcript; returns its words sorted by start time."""
    entries = _entries(data, path)
    if not entries:
        raise TranscriptFileError(f"{path}: the transcript has no words")
    if len(entries) > MAX_ENTRIES:
        raise TranscriptFileError(f"{path}: more than {MAX_ENTRIES} words")
    words: list[FileWord] = []
    for i, entry in enumerate(entries):
        where = f"{path}: entry {i}"
        if not isinstance(entry, dict):
            raise TranscriptFileError(f"{where}: must be an object, not {entry!r}")
        text = entry.get("text", entry.get("word"))
        if not isinstance(text, str):
            raise TranscriptFileError(f"{where}: 'text' must be a string, not {text!r}")
        start = _number(entry, ("start",), where)
        end = _number(entry, ("end",), where)
        if start is None or end is None:
            raise TranscriptFileError(f"{where} ({text.strip()!r}): needs 'start' and 'end'")
        if start < 0:
            raise TranscriptFileError(f"{where} ({text.strip()!r}): start {start} is negative")
        if end < start:
            raise TranscriptFileError(
                f"{where} ({text.strip()!r}): end {end} is before start {start}"
            )
        conf = _number(entry, ("confidence", "probability", "score"), where)
        if conf is not None and not 0.0 <= conf <= 1.0:
            raise TranscriptFileError(f"{where}: confidence must be between 0 and 1, not {conf}")
        speaker = entry.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            raise TranscriptFileError(f"{where}: 'speaker' must be a string, not {speaker!r}")
        clean = text.strip()
        if not clean:
            continue  # Whisper emits empty tokens now and then; they carry no word
        words.append(FileWord(clean, start, end, 1.0 if conf is None else conf, speaker))
    if not words:
        raise TranscriptFileError(f"{path}: the transcript has no words")
    words.sort(key=lambda w: (w.start, w.end))
    return words


def read_words(path: Path) -> list[FileWord]:
    """Read and validate a transcript JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TranscriptFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptFileError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptFileError(f"{path}: not valid JSON: {exc}") from None
    return parse_words(data, path)
