"""The bundled demo episode transcribed once per test session by the real bundled model.

Shared by the filler and caption tests, which check every word and every cue of what a new
user's first project holds (about 4 s of decoding on two cores).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from editor.transcribe.audio import file_source
from editor.transcribe.job import JobConfig, TranscriptionJob
from editor.transcribe.model import resolve_model
from editor.transcribe.words import TimedWord
from tests.transcribe.conftest import make_db

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-episode.flac"


@functools.cache
def demo_words() -> tuple[TimedWord, ...]:
    """The demo's words as ``wordcut transcribe`` gives them (fillers marked)."""
    with tempfile.TemporaryDirectory() as tmp:
        job = TranscriptionJob(
            file_source(DEMO),
            make_db(Path(tmp) / "lib.db"),
            "p",
            "t",
            JobConfig(resolve_model(None), threads=2),
        )
        with job:
            return tuple(job.run().words)
