"""Checkpoint rows: round trip, corrupt rows redone, a full disk keeps earlier rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import numpy as np
import pytest

from editor.errors import TranscribeError
from editor.transcribe.audio import CacheSource
from editor.transcribe.checkpoints import CheckpointError, Checkpoints, job_key
from editor.transcribe.chunking import Chunk
from editor.transcribe.words import TimedWord

Connect = Callable[[], sqlite3.Connection]
FULL = (
    "CREATE TRIGGER full BEFORE INSERT ON transcription_chunks "
    "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
)


def test_round_trip_gap_and_clear(library: Connect) -> None:
    cp = Checkpoints(library(), "p", "t", job_key("m", {"beam": 5}, "a"))
    cp.save_done(Chunk(0, 0.0, 29.0), [TimedWord("hi", 1.0, 1.3, 0.8)], 1)
    cp.save_gap(Chunk(1, 29.0, 50.0), 3, "boom")
    got = cp.load()
    assert got[0].words == [TimedWord("hi", 1.0, 1.3, 0.8)] and got[0].status == "done"
    assert got[1].status == "gap" and got[1].error == "boom" and got[1].attempts == 3
    assert cp.clear_gaps() == 1 and set(cp.load()) == {0}
    other = Checkpoints(library(), "p", "t", job_key("m", {"beam": 1}, "a"))
    assert other.load() == {}  # other options never see these words


def test_corrupt_row_is_redone(library: Connect) -> None:
    conn = library()
    cp = Checkpoints(conn, "p", "t", "k")
    cp.save_done(Chunk(0, 0.0, 29.0), [TimedWord("a", 0, 1)], 1)
    cp.save_done(Chunk(1, 29.0, 40.0), [TimedWord("b", 30, 31)], 1)
    conn.execute("UPDATE transcription_chunks SET words_json='{not json' WHERE chunk_index=1")
    assert set(cp.load()) == {0}


def test_full_disk_is_a_clear_error_and_keeps_earlier_rows(library: Connect) -> None:
    conn = library()
    cp = Checkpoints(conn, "p", "t", "k")
    cp.save_done(Chunk(0, 0.0, 29.0), [TimedWord("a", 0, 1)], 1)
    conn.execute(FULL)
    with pytest.raises(CheckpointError, match="disk is full.*earlier chunks are kept"):
        cp.save_done(Chunk(1, 29.0, 40.0), [TimedWord("b", 30, 31)], 1)
    assert set(cp.load()) == {0}


def test_a_write_that_cannot_start_is_a_clear_error(library: Connect) -> None:
    conn = library()
    cp = Checkpoints(conn, "p", "t", "k")
    conn.close()
    with pytest.raises(CheckpointError, match="cannot save transcription progress"):
        cp.save_gap(Chunk(0, 0.0, 29.0), 3, "boom")


def test_corrupt_cache_is_a_clear_error() -> None:
    class Broken:
        sample_rate, frames = 48000, 48000 * 10

        def read(self, start: int, count: int) -> np.ndarray:
            raise OSError("short read")

    with pytest.raises(TranscribeError, match="re-import"):
        CacheSource(Broken(), "x").read(0.0, 1.0)


def test_cache_source_downmixes_and_resamples() -> None:
    class Cache:
        sample_rate, frames = 48000, 48000 * 3

        def read(self, start: int, count: int) -> np.ndarray:
            t = (np.arange(start, start + count) / 48000.0).astype(np.float64)
            left = np.sin(2 * np.pi * 440 * t)
            return np.stack([left, left], axis=1).astype(np.float32)

    src = CacheSource(Cache(), "c")
    x = src.read(1.0, 2.0)
    assert len(x) == 16000
    ref = np.sin(2 * np.pi * 440 * (np.arange(16000) / 16000.0 + 1.0))
    assert np.max(np.abs(x[100:-100] - ref[100:-100])) < 0.02
