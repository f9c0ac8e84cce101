"""End to end, as a new user would: a real ``wordcut app`` process in a real X server (Xvfb),
driven with real keystrokes (xdotool, ``windowfocus --sync``: there is no window manager), real
transcription with the bundled model, real playback into a PulseAudio null sink, real export.

Create a project from a file (Ctrl+I, the file dialog, Return), let it transcribe, find a word
and cut it (Ctrl+F, Escape, Delete), play (Space), export (Ctrl+E, Return), quit (Ctrl+Q). Each
step is checked from outside the app: the library database, PulseAudio's stream list, the file.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-episode.flac"
TOOLS = ("Xvfb", "xdotool", "pulseaudio", "pactl")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        any(shutil.which(t) is None for t in TOOLS), reason=f"needs {', '.join(TOOLS)}"
    ),
]


def wait_for(what: str, check: Callable[[], object], timeout: float = 60.0) -> object:
    """Poll ``check`` (a condition outside this process) until it is truthy."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def display(tmp_path: Path) -> Iterator[str]:
    """A fresh Xvfb on a display number it chose itself (``-displayfd``): a number derived from
    the pid could meet a stale socket another run left behind, and the app then found a socket
    with no server behind it."""
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write,),
    )
    os.close(write)
    try:
        with os.fdopen(read) as announced:
            ready, _, _ = select.select([announced], [], [], 15)
            number = announced.readline().strip() if ready else ""
        if not number:
            raise AssertionError("Xvfb did not report a display within 15 s")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[Path]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    proc = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "-L",
            "module-null-sink sink_name=e2e",
            "-L",
            "module-native-protocol-unix",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for("PulseAudio", lambda: (runtime / "pulse" / "native").exists(), 15)
        yield runtime
    finally:
        proc.terminate()
        proc.wait(10)


def _clip(tmp_path: Path) -> Path:
    """The demo's first 14 seconds as a WAV (what a host would drop in)."""
    import soundfile as sf

    data, rate = sf.read(str(DEMO), dtype="float32", frames=14 * 16000)
    out = tmp_path / "host-diane.wav"
    sf.write(out, data, rate)
    return out


class App:
    def __init__(self, env: dict[str, str], home: Path) -> None:
        self.env = env
        self.home = home
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "editor.cli", "app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def xdotool(self, *args: str) -> str:
        out = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        return out.stdout.strip()

    def window(self, name: str) -> str:
        found = wait_for(
            f"a window named {name!r}", lambda: self.xdotool("search", "--name", name), 90
        )
        wid = str(found).splitlines()[-1]
        self.xdotool("windowfocus", "--sync", wid)
        return wid

    def keys(self, *keys: str) -> None:
        for k in keys:
            self.xdotool("key", "--clearmodifiers", k)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "20", text)

    def db(self, sql: str) -> list[tuple[object, ...]]:
        with contextlib.closing(sqlite3.connect(self.home / "library.sqlite3")) as conn:
            try:
                return conn.execute(sql).fetchall()
            except sqlite3.OperationalError:
                return []

    def sink_inputs(self) -> str:
        return subprocess.run(
            ["pactl", "list", "short", "sink-inputs"],
            env=self.env,
            capture_output=True,
            text=True,
        ).stdout.strip()


def test_new_user_creates_transcribes_cuts_plays_exports(
    display: str, pulse: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    clip = _clip(tmp_path)
    out = tmp_path / "episode.mp3"
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "WORDCUT_HOME": str(home),
        "WORDCUT_LOG_DIR": str(tmp_path / "logs"),
        "XDG_RUNTIME_DIR": str(pulse),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    app = App(env, home)
    try:
        # 1. the start screen; Ctrl+I chooses a recording; Return names the project and imports
        app.window("^Wordcut$")
        app.keys("ctrl+i")
        app.window("Choose recordings")
        app.type(str(clip))
        app.keys("Return")
        app.window("^Wordcut$")
        app.keys("ctrl+a")
        app.type("E2E episode")
        app.keys("Return")
        # 2. it imports, opens and transcribes by itself (the bundled model, offline)
        wait_for(
            "the transcription",
            lambda: app.db("select transcription_status from tracks") == [("completed",)],
            180,
        )
        app.window("E2E episode")

        def head() -> int:
            rows = app.db("select max(version) from doc_ops")
            return int(rows[0][0] or 0) if rows else 0

        transcribed = wait_for("the transcript in the log", head, 30)
        # 3. find a word and cut it
        app.keys("ctrl+f")
        app.type("hello")
        app.keys("Escape", "Delete")
        wait_for("the cut", lambda: head() > transcribed, 20)
        kinds = [row[0] for row in app.db("select op_json from doc_ops order by version")]
        assert '"delete"' in str(kinds[-1]).lower(), kinds[-1]
        # 4. play: the app opens an output stream on the (null) sound card
        app.keys("space")
        wait_for("a playback stream", app.sink_inputs, 20)
        app.keys("space")
        # 5. export with the dialog's defaults, to a file of our choosing
        app.keys("ctrl+e")
        app.window("Export Episode")
        app.keys("ctrl+a")
        app.type(str(out))
        app.keys("Return")
        wait_for(
            "the render record",
            lambda: app.db("select status from renders") == [("completed",)],
            120,
        )
        with av.open(str(out)) as f:
            duration = float(f.duration or 0) / 1e6
        assert 5.0 < duration < 14.0  # the clip, less what was cut
        # 6. quit
        app.window("Export Episode")
        app.keys("Escape")
        app.window("E2E episode")
        app.keys("ctrl+q")
        assert app.proc.wait(30) == 0
    except BaseException:
        names = [
            app.xdotool("getwindowname", w) for w in app.xdotool("search", "--name", ".").split()
        ]
        log = tmp_path / "logs" / "wordcut.log"
        print(
            "windows:",
            [n for n in names if n],
            "\nlog:",
            log.read_text()[-3000:] if log.exists() else "",
        )
        raise
    finally:
        if app.proc.poll() is None:
            app.proc.kill()
        output = app.proc.communicate(timeout=10)[0]
        print("app output:", output[-3000:] if output else "")
        assert "Traceback" not in (output or ""), output
