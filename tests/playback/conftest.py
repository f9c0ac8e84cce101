"""The private PulseAudio null sink the end-to-end playback tests play into."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from editor.errors import PlaybackError
from editor.playback.testing import NullSink


@pytest.fixture
def sink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NullSink]:
    """A null sink reachable through ALSA's ``pulse`` device; killed after the test."""
    null = NullSink(tmp_path / "pulse")
    try:
        null.start()
    except (PlaybackError, OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"PulseAudio cannot run here: {exc}")
    monkeypatch.setenv("PULSE_SERVER", null.server)
    monkeypatch.setenv("PULSE_RUNTIME_PATH", str(null.runtime))
    try:
        yield null
    finally:
        null.stop()
