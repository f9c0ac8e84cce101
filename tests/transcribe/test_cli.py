"""``wordcut transcribe`` and ``wordcut align`` on a project made by ``new`` + ``import``."""

from __future__ import annotations

from pathlib import Path

import pytest

from editor.cli import main


def test_transcribe_then_align(
    tmp_path: Path,
    speech_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WORDCUT_HOME", str(tmp_path / "home"))
    assert main(["new", "demo"]) == 0
    assert main(["import", "demo", str(speech_dir / "digits" / "english.wav")]) == 0
    capsys.readouterr()
    assert main(["transcribe", "demo", "--json"]) == 0
    assert '"words": 3' in capsys.readouterr().out
    script = tmp_path / "t.srt"
    script.write_text("1\n00:00:00,000 --> 00:00:02,700\nOne, two, three!\n")
    assert main(["align", "demo", "--track", "english", str(script), "--json"]) == 0
    assert '"words": 3' in capsys.readouterr().out
    assert main(["transcribe", "demo", "--model", str(tmp_path / "missing")]) == 1
    assert "model folder not found" in capsys.readouterr().err
