"""The job with a real spawned child and a fake engine: resume, retry, gaps, cancel, kill -9."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from editor.errors import TranscribeCancelled
from editor.transcribe.audio import ArraySource
from editor.transcribe.job import JobConfig, Progress, TranscriptionJob
from editor.transcribe.model import ModelUnavailable
from tests.transcribe.conftest import make_db
from tests.transcribe.fakes import CRASH_HZ, FAIL_HZ, RATE, tone, word_track

ROOT = Path(__file__).resolve().parents[2]
Connect = Callable[[], sqlite3.Connection]


def _job(
    src: ArraySource, connect: Connect, factory: str = "tone_engine", **kw: object
) -> TranscriptionJob:
    opts: dict[str, object] = {"chunk_seconds": 8.0, "backoff": 0.0, **kw}
    cfg = JobConfig(None, factory=f"tests.transcribe.fakes:{factory}", **opts)  # type: ignore[arg-type]
    return TranscriptionJob(src, connect, "p", "t", cfg)


def test_chunked_equals_single_pass_and_resume_skips_done(library: Connect) -> None:
    audio, truth = word_track(120)
    src = ArraySource(audio, "synthetic")
    first = _job(src, library).run()
    assert first.chunks > 5 and first.redone == first.chunks
    assert [w.text for w in first.words] == [t for t, _, _ in truth]  # none lost or doubled
    single = _job(src, library, chunk_seconds=10_000.0).run()
    assert [w.text for w in single.words] == [w.text for w in first.words]
    again = _job(src, library).run()
    assert again.redone == 0 and again.words == first.words


def test_failing_chunk_becomes_gap_rest_kept_then_retry(library: Connect) -> None:
    audio, _truth = word_track(60)
    bad = audio.copy()
    at = int(12.0 * RATE)
    bad[at : at + int(0.3 * RATE)] = tone(FAIL_HZ, 0.3)
    seen: list[Progress] = []
    job = _job(ArraySource(bad, "bad"), library)
    job.progress = seen.append
    result = job.run()
    assert len(result.gaps) == 1 and result.gaps[0].start <= 12.0 < result.gaps[0].end
    assert "synthetic decoder failure" in result.gaps[0].error
    kept = [w for w in result.words if not (result.gaps[0].start <= w.mid < result.gaps[0].end)]
    assert len(kept) == len(result.words) > 30
    assert seen[-1].gaps == 1 and seen[-1].chunks_done == seen[-1].chunks_total
    rows = library().execute("SELECT attempts FROM transcription_chunks WHERE status='gap'")
    assert [r[0] for r in rows] == [3]
    # Later, the user retries the gap: only that chunk is redone.
    retry = _job(ArraySource(bad, "bad"), library, retry_gaps=True).run()
    assert retry.redone == 1 and len(retry.gaps) == 1


def test_crashing_child_is_restarted_and_chunk_gapped(library: Connect) -> None:
    audio, _ = word_track(40)
    bad = audio.copy()
    at = int(3.0 * RATE)
    bad[at : at + int(0.3 * RATE)] = tone(CRASH_HZ, 0.3)
    result = _job(ArraySource(bad, "crash"), library, workers=1).run()
    assert len(result.gaps) == 1 and "died" in result.gaps[0].error
    assert len(result.words) > 20


def test_silence_gives_empty_transcript(library: Connect) -> None:
    result = _job(ArraySource(np.zeros(RATE * 20, np.float32), "silence"), library).run()
    assert result.words == [] and result.gaps == []


def test_missing_model_is_a_typed_error(library: Connect) -> None:
    audio, _ = word_track(10)
    with pytest.raises(ModelUnavailable, match="no model here"):
        _job(ArraySource(audio, "x"), library, factory="broken_engine").run()


def test_cancel_really_stops_the_child(library: Connect, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORDCUT_FAKE_DELAY", "0.5")
    audio, _ = word_track(120)
    job = _job(ArraySource(audio, "slow"), library, factory="slow_tone_engine", workers=1)
    pids: list[int] = []

    def cancel() -> bool:
        if job._proc is not None and job._proc.pid is not None:
            pids.append(job._proc.pid)
        return bool(job.checkpoints.load())  # cancel once the first chunk is saved

    job.cancel = cancel
    with pytest.raises(TranscribeCancelled):
        job.run()
    assert job._proc is None and pids
    with pytest.raises(ProcessLookupError):
        os.kill(pids[-1], 0)
    assert 1 <= len(job.checkpoints.load()) < 5  # finished chunks are kept


def test_kill_9_then_resume_redoes_only_unfinished(tmp_path: Path) -> None:
    connect = make_db(tmp_path / "lib.db")
    env = {**os.environ, "WORDCUT_FAKE_DELAY": "0.3", "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "tests.transcribe.run_job",
        str(tmp_path / "lib.db"),
        "150",
        "tests.transcribe.fakes:slow_tone_engine",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE)
    conn = connect()
    deadline = time.monotonic() + 60
    done_at_kill = 0
    while time.monotonic() < deadline:
        done_at_kill = conn.execute("SELECT COUNT(*) FROM transcription_chunks").fetchone()[0]
        if done_at_kill >= 3:
            break
        time.sleep(0.02)  # polling a condition, not synchronising on time
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved = conn.execute("SELECT COUNT(*) FROM transcription_chunks").fetchone()[0]
    assert saved >= 3
    resumed = json.loads(
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True).stdout
    )
    assert resumed["redone"] == resumed["chunks"] - saved
    fresh_db = make_db(tmp_path / "fresh.db")
    del fresh_db
    clean = json.loads(
        subprocess.run(
            [*cmd[:3], str(tmp_path / "fresh.db"), *cmd[4:]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
        ).stdout
    )
    assert resumed["words"] == clean["words"]


def test_full_disk_stops_the_job_with_a_clear_message(library: Connect) -> None:
    from editor.transcribe.checkpoints import CheckpointError
    from tests.transcribe.test_checkpoints import FULL

    library().execute(FULL)
    audio, _ = word_track(60)
    job = _job(ArraySource(audio, "full"), library)
    with pytest.raises(CheckpointError, match="disk is full"):
        job.run()
    assert job._proc is None
