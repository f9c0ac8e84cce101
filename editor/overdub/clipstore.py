"""Overdub clips on disk: hash-named WAV files in the project's ``clips/`` with a record beside.

The WAV's name is the SHA-256 of its bytes, so a clip is written once, never overwritten by a
different one, and can be fetched by hash by a co-host. The record (``<name>.json``) says what
the clip is — the text, each word's time in the clip and the backend that said it, the voice
profile and its owner — which is what marks generated words in transcripts, and what a later
reader needs to know who made it and how.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import soundfile as sf

from editor.errors import OverdubError
from editor.overdub.backend import ProfileInfo
from editor.overdub.compose import Clip
from render.atomic import write_bytes, write_text

RECORD_VERSION = 1


def wav_bytes(clip: Clip) -> bytes:
    """The clip as a 32-bit float WAV (no second rounding before the export's own)."""
    buf = io.BytesIO()
    sf.write(buf, clip.samples, clip.sample_rate, format="WAV", subtype="FLOAT")
    return buf.getvalue()


def record_of(
    clip: Clip, text: str, profile: ProfileInfo | None, speaker: str | None = None
) -> dict[str, Any]:
    return {
        "v": RECORD_VERSION,
        "text": text,
        "speaker": speaker,
        "generated": True,
        "backends": list(clip.backends),
        "voice": None if profile is None else profile.id,
        "voice_host": None if profile is None else profile.host,
        "voice_owner": None if profile is None else profile.owner,
        "duration": round(clip.duration, 6),
        "gain_db": round(clip.gain_db, 2),
        "target_lufs": round(clip.target_lufs, 2) if clip.target_lufs > -1e9 else None,
        "notes": list(clip.notes),
        "words": [
            {"text": w.text, "start": round(w.start, 4), "end": round(w.end, 4), "by": w.backend}
            for w in clip.words
        ],
    }


def save_clip(
    folder: Path, clip: Clip, text: str, profile: ProfileInfo | None, speaker: str | None = None
) -> str:
    """Write the clip and its record into ``folder``; returns the clip's name (its reference)."""
    data = wav_bytes(clip)
    name = hashlib.sha256(data).hexdigest()[:32] + ".wav"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OverdubError(f"{folder}: cannot create the clips folder: {exc}") from None
    target = folder / name
    if not target.exists():
        write_bytes(target, data)
    record = (
        json.dumps(record_of(clip, text, profile, speaker), ensure_ascii=False, indent=1) + "\n"
    )
    write_text(target.with_suffix(".json"), record)
    return name


def load_record(clip_path: Path) -> dict[str, Any] | None:
    """The record beside a clip, or None when it is missing or unreadable."""
    try:
        data = json.loads(clip_path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("v") == RECORD_VERSION else None
