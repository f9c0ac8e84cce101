"""The quick start's demo: the whole offline workflow through the real ``wordcut`` command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import av
from mutagen.id3 import ID3

from tests.cli.runner import run_wordcut


def _wordcut(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_wordcut(home, *args, timeout=240, no_display=True)


def test_demo_builds_edits_and_exports_offline(tmp_path: Path) -> None:
    out = tmp_path / "demo.mp3"
    run = _wordcut(tmp_path / "home", "demo", "--out", str(out))
    assert run.returncode == 0, run.stderr
    for step in ("wordcut import", "wordcut transcribe", "wordcut fillers", "wordcut export"):
        assert step in run.stdout
    with av.open(str(out)) as container:
        duration = float(container.duration or 0) / 1e6
    # the source is 51.4 s; fillers and long pauses were cut
    assert 30.0 < duration < 51.0
    chapters = [f for k, f in ID3(out).items() if k.startswith("CHAP")]
    assert len(chapters) == 2
    sidecar = json.loads(out.with_suffix(".chapters.json").read_text())
    assert [c["title"] for c in sidecar["chapters"]] == ["Hello, New Jersey", "The acoustic corpus"]

    again = _wordcut(tmp_path / "home", "demo", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "wordcut transcribe" not in again.stdout  # the project is reused, only exported
