"""``wordcut --self-test``: one line per step, exit status from the result, nothing left behind.

The full run (model, window) is what the frozen smoke test does (packaging/smoke-linux); here
the report and the exit status are checked with the cheap steps, and a failing step is faked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from editor import selftest
from editor.cli import build_parser


def test_self_test_is_an_option_of_the_cli() -> None:
    assert "--self-test" in build_parser().format_help()


def test_render_step_round_trips_the_demo(tmp_path: Path) -> None:
    lines: list[str] = []
    status = selftest.run_self_test(["render"], out=lines.append)
    assert status == 0
    assert lines[0].startswith("self-test: Wordcut ")
    assert lines[1].startswith("self-test: render     ok 4.00 s MP3")
    assert lines[-1] == "self-test: passed (1 of 1 steps)"


def test_a_failing_step_fails_the_run_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_work: Path) -> str:
        raise selftest.StepFailed("libportaudio.so.2: cannot open shared object file")

    def crashes(_work: Path) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(selftest, "STEPS", (("audio", broken), ("window", crashes)))
    lines: list[str] = []
    assert selftest.run_self_test(out=lines.append) == 1
    assert "audio      FAILED: libportaudio.so.2" in lines[1]
    assert "window     FAILED: RuntimeError: boom" in lines[2]
    assert lines[-1] == "self-test: FAILED (2 of 2 steps: audio, window)"


def test_the_user_library_is_not_touched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[str] = []

    def look(work: Path) -> str:
        seen.append(os.environ["WORDCUT_HOME"])
        return "looked"

    monkeypatch.setenv("WORDCUT_HOME", str(tmp_path / "mine"))
    monkeypatch.setattr(selftest, "STEPS", (("look", look),))
    assert selftest.run_self_test(out=lambda _line: None) == 0
    assert seen and not seen[0].startswith(str(tmp_path))
    assert not Path(seen[0]).exists(), "the temporary home is removed afterwards"
    assert os.environ["WORDCUT_HOME"] == str(tmp_path / "mine")


def test_self_test_from_the_command_line_exits_with_the_result(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from editor.cli import main

    monkeypatch.setattr(selftest, "STEPS", (("look", lambda _w: "fine"),))
    with pytest.raises(SystemExit) as exc:
        main(["--self-test"])
    assert exc.value.code == 0
    assert "self-test: look       ok fine" in capsys.readouterr().out


def test_a_many_line_error_is_reported_on_one_line() -> None:
    numpy_error = (
        "\n\nIMPORTANT: PLEASE READ THIS FOR ADVICE ON HOW TO SOLVE THIS ISSUE!\n\n"
        "Importing the numpy C-extensions failed.\n\n"
        "Original error was: libopenblas.so: ELF load command address/offset not page-aligned\n"
    )
    line = selftest.StepResult("imports", False, numpy_error, 0.1).line()
    assert "\n" not in line
    assert "Original error was: libopenblas.so: ELF load command" in line
    assert len(selftest.one_line("x" * 1000)) == 300


def test_codecs_step_encodes_and_decodes_every_audio_format() -> None:
    lines: list[str] = []
    status = selftest.run_self_test(["codecs"], out=lines.append)
    assert status == 0, lines
    assert "ok encoded and decoded mp3, m4a, flac, wav, opus" in lines[1]
