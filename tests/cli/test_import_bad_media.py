"""`wordcut import` with a bad file among good ones: one clear line, exit 1, project unchanged."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.runner import run_wordcut
from tests.render.test_media_import import encode, tone, write_wav


def _wordcut(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_wordcut(home, *args)


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    whole = encode(tmp_path / "whole.mp3", tone(6.0, 44100, 2), 44100)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all\n")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    return {"truncated": cut, "text": text, "empty": empty, "missing": tmp_path / "nope.wav"}


@pytest.mark.parametrize("kind", ["truncated", "text", "empty", "missing"])
def test_a_bad_file_leaves_the_project_unchanged(
    tmp_path: Path, bad_files: dict[str, Path], kind: str
) -> None:
    home = tmp_path / "home"
    good = write_wav(tmp_path / "good.wav", tone(1.0, 48000, 1), 48000)
    assert _wordcut(home, "new", "Show").returncode == 0
    run = _wordcut(home, "import", "Show", str(good), str(bad_files[kind]))
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordcut: error: ")
    assert bad_files[kind].name in lines[0]
    tracks = _wordcut(home, "tracks", "Show", "--json")
    assert tracks.returncode == 0 and '"label"' not in tracks.stdout
    caches = list(home.glob("projects/*/cache/*"))
    assert caches == []


def test_allow_damaged_imports_what_decodes_with_a_warning(
    tmp_path: Path, bad_files: dict[str, Path]
) -> None:
    home = tmp_path / "home"
    assert _wordcut(home, "new", "Show").returncode == 0
    run = _wordcut(home, "import", "Show", str(bad_files["truncated"]), "--allow-damaged")
    assert run.returncode == 0, run.stderr
    assert "warning: cut.mp3: file looks truncated" in run.stdout
