"""A job in its own process, for the kill -9 test: ``python -m tests.transcribe.run_job DB N``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from editor.store import db
from editor.transcribe.audio import ArraySource
from editor.transcribe.job import JobConfig, TranscriptionJob
from tests.transcribe.fakes import word_track


def main() -> None:
    path, n_words, factory = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    audio, _ = word_track(n_words)
    cfg = JobConfig(None, factory=factory, chunk_seconds=8.0, workers=1, backoff=0.0)
    job = TranscriptionJob(ArraySource(audio, "synthetic"), lambda: db.connect(path), "p", "t", cfg)
    result = job.run()
    print(
        json.dumps(
            {
                "words": [w.text for w in result.words],
                "redone": result.redone,
                "chunks": result.chunks,
            }
        )
    )


if __name__ == "__main__":
    main()
