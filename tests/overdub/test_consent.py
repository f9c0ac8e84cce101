"""Consent: the statement, checking a sample (with the bundled model), and the voice commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from editor.errors import ConsentError
from editor.overdub import consent
from tests.overdub.conftest import cli, espeak_sample

NAME = "Sam"


def test_statement_names_the_host_and_takes_fifteen_seconds_to_read() -> None:
    text = consent.statement("  Ann   Lee ")
    assert text.startswith("I, Ann Lee, am recording")
    # ~150 words a minute read aloud: 40 words already take 16 s
    assert len(text.split()) >= 40
    with pytest.raises(ConsentError):
        consent.statement("  ")


def _tone(path: Path, seconds: float) -> Path:
    t = np.arange(int(16000 * seconds)) / 16000
    sf.write(str(path), (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    return path


def test_sample_checks_without_a_model(tmp_path: Path) -> None:
    said = consent.statement(NAME)
    with pytest.raises(ConsentError, match=r"3\.0 s.*at least 15 s"):
        consent.verify_sample(_tone(tmp_path / "short.wav", 3.0), NAME, lambda _: said)
    long = _tone(tmp_path / "long.wav", 16.0)
    with pytest.raises(ConsentError, match="statement was not heard"):
        consent.verify_sample(long, NAME, lambda _: "something else entirely, said for a while")
    found = consent.verify_sample(long, NAME, lambda _: said)
    assert found.wer == 0.0 and found.duration == pytest.approx(16.0, abs=0.01)
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(ConsentError, match="empty.wav"):
        consent.verify_sample(tmp_path / "empty.wav", NAME, lambda _: said)
    with pytest.raises(ConsentError, match="no such file"):
        consent.verify_sample(tmp_path / "nope.wav", NAME, lambda _: said)


def test_voice_commands_with_the_bundled_model(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spoken statement makes a profile; other speech of the same length does not; only the
    owner may remove it."""
    assert cli("voice", "statement", NAME) == 0
    text = capsys.readouterr().out.strip()
    good = espeak_sample(tmp_path / "good.wav", text)
    other = espeak_sample(
        tmp_path / "other.wav",
        "Shall I compare thee to a summer's day? Thou art more lovely and more temperate. "
        "Rough winds do shake the darling buds of May, and summer's lease hath all too short "
        "a date. Sometime too hot the eye of heaven shines, and often is his gold complexion "
        "dimmed. And every fair from fair sometime declines, by chance or nature's changing "
        "course untrimmed.",
    )
    assert cli("voice", "add", NAME, str(other)) == 1
    assert "statement was not heard" in capsys.readouterr().err
    assert cli("voice", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []

    assert cli("voice", "add", NAME, str(good), "--json") == 0
    made = json.loads(capsys.readouterr().out)
    assert made["host"] == NAME and made["owner"] == "ann-laptop"
    assert made["statement_wer"] <= consent.MAX_STATEMENT_WER
    assert Path(made["reference"]).is_file()  # kept in the library, not only where it was
    assert cli("voice", "list", "--json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["id"] == made["id"] and row["consent_date"]

    monkeypatch.setenv("WORDCUT_USER", "bob")
    assert cli("voice", "remove", NAME) == 1
    assert "forbidden" in capsys.readouterr().err
    monkeypatch.setenv("WORDCUT_USER", "ann-laptop")
    assert cli("voice", "remove", NAME) == 0
    capsys.readouterr()
    assert cli("voice", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []
