"""``wordcut app`` as a user runs it: a real process, offscreen. ``--screenshot`` opens the
project, waits until it is interactive, saves the window and exits 0; mistakes on the command
line are one line and exit 1, before any window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _app(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WORDCUT_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env["XDG_CONFIG_HOME"] = str(home / "config")
    return subprocess.run(
        [sys.executable, "-m", "editor.cli", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_screenshot_of_a_project(ctx: Any, demo: str, home: Path, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    out = tmp_path / "shot.png"
    run = _app(home, "Demo episode", "--screenshot", str(out))
    assert run.returncode == 0, run.stderr
    assert "interactive" in run.stderr and "Traceback" not in run.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_command_line_mistakes_are_one_line(home: Path, tmp_path: Path) -> None:
    for args, needle in (
        (["Nope", "--screenshot", str(tmp_path / "x.png")], "Nope"),
        (["--screenshot", str(tmp_path / "x.jpg")], "PNG"),
        (["--screenshot", str(tmp_path / "missing" / "x.png")], "no such folder"),
    ):
        run = _app(home, *args)
        lines = run.stderr.strip().splitlines()
        assert run.returncode == 1 and len(lines) == 1, run.stderr
        assert lines[0].startswith("wordcut: error:") and needle in lines[0]
