"""Shared fixtures for editor tests: a fresh library and a small transcribed document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from editor.store import Store, open_store
from sync.model import TrackRef, Word
from sync.ops import AddTranscript


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "home")
    yield s
    s.close()


def transcript(
    track: str = "t1", label: str = "Ann", n: int = 30, t0: float = 0.0
) -> AddTranscript:
    """``n`` words of half a second each, 0.1 s apart, every fifth one an "um" filler."""
    words = tuple(
        Word(
            f"{track}w{i}",
            track,
            "um" if i % 5 == 4 else f"word{i}",
            t0 + i * 0.6,
            t0 + i * 0.6 + 0.5,
            speaker=label,
            filler=i % 5 == 4,
        )
        for i in range(n)
    )
    return AddTranscript(TrackRef(track, label), words)
