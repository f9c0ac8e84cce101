"""How the CLI tests run Wordcut as a user does: the installed ``wordcut`` script in a child
process, against a library of the test's own; and how they build that library quickly."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("wordcut")


def wordcut_command() -> list[str]:
    """The real entry point (``python -m editor.cli`` where no script is installed)."""
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "editor.cli"]


def build_library(home: Path, steps: Sequence[Sequence[str]]) -> None:
    """Run ``steps`` (each a ``wordcut`` command line) in this process against ``home``.

    In-process is several times faster than a child per step; what the tests then check runs
    through :func:`wordcut_command` in a child, as a user's shell would.
    """
    from editor.cli import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORDCUT_HOME", str(home))
        mp.setenv("WORDCUT_LOG_DIR", str(home / "logs"))
        for argv in steps:
            assert main(list(argv)) == 0, argv


def run_wordcut(
    home: Path, *args: str, timeout: float = 120, no_display: bool = False
) -> subprocess.CompletedProcess[str]:
    """One ``wordcut`` command in a child process against the library at ``home``."""
    env = dict(os.environ, WORDCUT_HOME=str(home), WORDCUT_LOG_DIR=str(home / "logs"))
    if no_display:
        env.pop("DISPLAY", None)
    return subprocess.run(
        [*wordcut_command(), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
