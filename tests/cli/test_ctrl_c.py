"""Ctrl+C during ``wordcut export``, the way a terminal sends it: SIGINT to the whole foreground
process group, at several moments (while the command loads, while the project opens, as the
job starts, while loudness is measured, while MP3 is encoded, twice in a row). Each time:
exit 130, one line, no traceback, no file — neither the episode, its chapters sidecar nor a
temporary — and the render record says "cancelled".

stderr is a pseudo-terminal, so the progress bar runs as it does for a user, and the moments are
found by watching it (and, before it shows, the child's memory map and open files in /proc:
SQLite loaded, the library open), never by sleeping.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from editor.cli.common import CANCELLED_LINE, EXIT_CANCELLED
from tests.cli.runner import ROOT, build_library, wordcut_command

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="pseudo-terminals and /proc are Linux's"
)

RATE = 48000
SECONDS = 30.0
PERCENT = re.compile(rb"(\d+\.\d)%")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library with one 30 s stereo track, transcribed, in two sections."""
    base = tmp_path_factory.mktemp("ctrl_c")
    rng = np.random.default_rng(7)
    t = np.arange(int(SECONDS * RATE)) / RATE
    voice = 0.2 * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * t))
    audio = np.stack([voice, voice * 0.8], axis=1) + 0.01 * rng.standard_normal((t.size, 2))
    sf.write(base / "talk.wav", audio.astype(np.float32), RATE)
    words = [{"text": f"w{i}", "start": i * 0.5, "end": i * 0.5 + 0.4} for i in range(55)]
    (base / "talk.json").write_text(json.dumps(words))
    build_library(
        base / "home",
        [
            ["new", "Ep"],
            ["import", "Ep", str(base / "talk.wav"), "--label", "Ann", "--quiet"],
            ["transcript-import", "Ep", "--track", "Ann", str(base / "talk.json")],
            ["section", "add", "Ep", "30", "Part two"],
        ],
    )
    return base / "home"


def _sqlite_loaded(pid: int, seen: bytes) -> bool:
    """The command's modules are loading (the store's import brings in SQLite)."""
    try:
        return "_sqlite3" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _library_open(pid: int, seen: bytes) -> bool:
    """The library database is open: the project is being opened and its program derived."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd).endswith("library.sqlite3"):
                return True
        except OSError:
            continue
    return False


def _progress_at(fraction: float) -> Callable[[int, bytes], bool]:
    def reached(pid: int, seen: bytes) -> bool:
        values = [float(v) for v in PERCENT.findall(seen)]
        return bool(values) and values[-1] >= fraction * 100

    return reached


def _export_interrupted(
    home: Path, out: Path, when: Callable[[int, bytes], bool], presses: int = 1
) -> tuple[int, str, bool]:
    """Run ``wordcut export`` on a pty, press Ctrl+C ``presses`` times once ``when`` holds.

    Returns (exit status, everything the terminal showed, whether Ctrl+C was pressed before
    the export ended by itself).
    """
    command = wordcut_command()
    master, slave = os.openpty()
    env = {
        **os.environ,
        "WORDCUT_HOME": str(home),
        "WORDCUT_LOG_DIR": str(home / "logs"),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm",
    }
    proc = subprocess.Popen(
        [*command, "export", "Ep", str(out), "--threads", "2"],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,  # its own process group, like a shell's foreground job
    )
    os.close(slave)
    seen = b""
    pressed = False
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.01)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed its end
                    chunk = b""
                if not chunk and proc.poll() is not None:
                    break
                seen += chunk
            if proc.poll() is not None and not ready:
                break
            if not pressed and proc.poll() is None and when(proc.pid, seen):
                for _ in range(presses):
                    os.killpg(proc.pid, signal.SIGINT)
                pressed = True
        status = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return status, seen.decode("utf-8", "replace"), pressed


def _render_statuses(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "library.sqlite3")
    try:
        return [r[0] for r in conn.execute("SELECT status FROM renders ORDER BY started_at")]
    finally:
        conn.close()


MOMENTS = {
    "while the command loads": (_sqlite_loaded, 1),
    "while the project opens": (_library_open, 1),
    "as the job starts": (_progress_at(0.0), 1),
    "while loudness is measured": (_progress_at(0.25), 1),
    "while MP3 is encoded": (_progress_at(0.75), 1),
    "twice, while encoding": (_progress_at(0.7), 2),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_ctrl_c_at_any_moment_of_export(home: Path, tmp_path: Path, moment: str) -> None:
    when, presses = MOMENTS[moment]
    before = _render_statuses(home)
    out = tmp_path / "episode.mp3"
    status, shown, pressed = _export_interrupted(home, out, when, presses)
    assert pressed, f"the export finished before Ctrl+C could be pressed {moment}: {shown}"
    assert "Traceback" not in shown, shown
    assert status == EXIT_CANCELLED, shown
    lines = [line for line in re.split(r"[\r\n]+", shown) if line.strip()]
    assert lines[-1].strip() == CANCELLED_LINE, shown
    assert [line for line in lines if line.startswith("wordcut")] == [CANCELLED_LINE], shown
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no episode, sidecar or temp file"
    after = _render_statuses(home)
    # the record exists once the job started; it is never left "rendering"
    assert after[len(before) :] in ([], ["cancelled"]), after
