"""The CLI's one error route, tried as a user would: the real ``wordcut`` entry point in a child
process, broken inputs, and a look at exactly what reached the terminal.

Every failure must be one line on stderr naming the file and the problem, with a non-zero
status, no Python traceback, and nothing written; a bug (an exception Wordcut did not mean to
raise) is one line pointing at the log file, which holds the traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from editor.cli.common import EXIT_ERROR, EXIT_INTERNAL
from tests.cli.runner import ROOT, build_library, wordcut_command

RATE = 48000
WORDS = ["Hello", "and", "welcome", "to", "the", "show", "today", "we", "talk", "about", "editing"]


def _start(
    home: Path, args: Sequence[str | Path], readonly_safe: bool, env: dict[str, str] | None
) -> subprocess.Popen[str]:
    command = wordcut_command()
    if readonly_safe and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a folder read-only")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    full_env = {
        **os.environ,
        "WORDCUT_HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "WORDCUT_LOG_DIR": str(home / "logs"),
        **(env or {}),
    }
    return subprocess.Popen(
        [*command, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
        cwd=home.parent,
    )


def wordcut_all(
    home: Path,
    runs: Sequence[Sequence[str | Path]],
    *,
    readonly_safe: bool = False,
    env: dict[str, str] | None = None,
) -> list[subprocess.CompletedProcess[str]]:
    """Run the installed ``wordcut`` script once per entry of ``runs``, all at the same time.

    ``readonly_safe``: when the tests run as root, drop the capabilities that let root write
    into a folder without write permission, so a read-only folder is read-only for us too.
    """
    procs = [(args, _start(home, args, readonly_safe, env)) for args in runs]
    done = []
    for args, proc in procs:
        out, err = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(list(args), proc.returncode, out, err))
    return done


def wordcut(
    home: Path, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """One run of the installed ``wordcut`` script."""
    (proc,) = wordcut_all(home, [args], env=env)
    return proc


def one_line(proc: subprocess.CompletedProcess[str], status: int, *fragments: str) -> str:
    """Assert the run failed with ``status`` and exactly one clear line; return that line."""
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    lines = proc.stderr.splitlines()
    assert proc.returncode == status, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("wordcut: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A library with project "Ep" (one track, a transcript, two sections) and its media."""
    base = tmp_path_factory.mktemp("library")
    media = base / "media"
    media.mkdir()
    t = np.arange(int(6.0 * RATE)) / RATE
    sf.write(media / "ann.wav", (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), RATE)
    rows = [{"text": w, "start": i * 0.5, "end": i * 0.5 + 0.4} for i, w in enumerate(WORDS)]
    (media / "ann.json").write_text(json.dumps(rows))
    home = base / "home"
    build_library(
        home,
        [
            ["new", "Ep"],
            ["import", "Ep", str(media / "ann.wav"), "--label", "Ann", "--quiet"],
            ["transcript-import", "Ep", "--track", "Ann", str(media / "ann.json")],
            ["section", "add", "Ep", "5", "Talk"],
            ["edl", "Ep", "--out", str(base / "program.edl.json")],
        ],
    )
    return home, media


@pytest.fixture
def home(library: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the library (tracks still point at the shared, read-only media)."""
    copy = tmp_path / "home"
    shutil.copytree(library[0], copy)
    return copy


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


OUTPUTS = [
    ("transcript", ["transcript", "Ep", "--out"], "x.txt"),
    ("edl", ["edl", "Ep", "--out"], "x.json"),
    ("export", ["export", "Ep", "--quiet"], "x.mp3"),
    ("render", ["render", "{edl}", "--quiet"], "x.wav"),
]


def _args(template: list[str], edl: Path, out: Path) -> list[str]:
    return [a.replace("{edl}", str(edl)) for a in template] + [str(out)]


def test_out_into_a_missing_folder(library: tuple[Path, Path], home: Path) -> None:
    edl = library[0].parent / "program.edl.json"
    outs = [home.parent / "no" / "such" / "folder" / file for _, _, file in OUTPUTS]
    runs = [_args(template, edl, out) for (_, template, _), out in zip(OUTPUTS, outs, strict=True)]
    for proc, out in zip(wordcut_all(home, runs), outs, strict=True):
        one_line(proc, EXIT_ERROR, str(out), "does not exist")
    assert not (home.parent / "no").exists()


def test_out_into_a_read_only_folder(library: tuple[Path, Path], home: Path) -> None:
    edl = library[0].parent / "program.edl.json"
    folder = home.parent / "readonly"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        outs = [folder / file for _, _, file in OUTPUTS]
        runs = [_args(t, edl, out) for (_, t, _), out in zip(OUTPUTS, outs, strict=True)]
        for proc, out in zip(wordcut_all(home, runs, readonly_safe=True), outs, strict=True):
            one_line(proc, EXIT_ERROR, str(out), "permission denied")
        assert _listing(folder) == []
        conn = sqlite3.connect(home / "library.sqlite3")
        renders = conn.execute("SELECT count(*) FROM renders").fetchone()[0]
        conn.close()
        assert renders == 0, "the export was refused before it started, not after the render"
    finally:
        folder.chmod(stat.S_IRWXU)


def test_out_onto_the_recording_itself(library: tuple[Path, Path], home: Path) -> None:
    recording = library[1] / "ann.wav"
    before = recording.read_bytes()
    edl = library[0].parent / "program.edl.json"
    runs = [
        ["export", "Ep", recording, "--quiet"],
        ["render", edl, recording, "--quiet"],
        ["transcript", "Ep", "--out", recording],
        ["edl", "Ep", "--out", recording],
    ]
    for proc, problem in zip(
        wordcut_all(home, runs), ["own sources"] * 2 + ["recording of track 'Ann'"] * 2, strict=True
    ):
        one_line(proc, EXIT_ERROR, str(recording), problem)
    assert recording.read_bytes() == before


NOT_OURS = {
    "text": b"just some text, not a database\n",
    "binary": bytes(range(256)) * 40,
    "someone else's SQLite": b"",
}


def test_library_that_is_not_sqlite(library: tuple[Path, Path], tmp_path: Path) -> None:
    homes: dict[str, Path] = {}
    for name, content in NOT_OURS.items():
        home = tmp_path / name.replace(" ", "_").replace("'", "") / "home"
        shutil.copytree(library[0], home)
        db = home / "library.sqlite3"
        for extra in ("-wal", "-shm"):
            Path(f"{db}{extra}").unlink(missing_ok=True)
        if content:
            db.write_bytes(content)
        else:
            db.unlink()
            conn = sqlite3.connect(db)
            conn.execute("CREATE TABLE projects (something TEXT)")
            conn.commit()
            conn.close()
        homes[name] = home
    before = {name: (home / "library.sqlite3").read_bytes() for name, home in homes.items()}
    procs = {name: _start(home, ["transcript", "Ep"], False, None) for name, home in homes.items()}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        db = homes[name] / "library.sqlite3"
        one_line(done, EXIT_ERROR, str(db))
        assert db.read_bytes() == before[name], f"{name}: a library not ours was written"


def test_project_folder_deleted_behind_the_apps_back(home: Path) -> None:
    (folder,) = (home / "projects").iterdir()
    shutil.rmtree(folder)
    out = home.parent / "episode.wav"
    # Nothing of the user's is lost: the document is in the library and the media are theirs;
    # without the cache, audio is decoded from the recording itself, so every command works.
    for args in (["transcript", "Ep"], ["export", "Ep", out, "--quiet", "--no-loudness"]):
        proc = wordcut(home, *args)
        assert proc.returncode == 0 and proc.stderr == "", (args, proc.stderr)
    assert sf.info(out).frames > 0
    # a clean run logs nothing (the armed faulthandler's crash.log is all the log folder holds)
    assert not (home / "logs" / "wordcut.log").exists()


@pytest.fixture
def fault(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment that plants a bug in ``wordcut transcript --numbers`` (via sitecustomize)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import editor.cli.output_cmds as m\n"
        "def numbered_text(project):\n"
        "    raise RuntimeError('planted fault\\nsecond line of the message')\n"
        "m.numbered_text = numbered_text\n"
    )
    yield {"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}


def test_unexpected_error_is_one_line_and_a_logged_traceback(
    home: Path, fault: dict[str, str]
) -> None:
    proc = wordcut(home, "transcript", "Ep", "--numbers", env=fault)
    log = home / "logs" / "wordcut.log"
    line = one_line(
        proc, EXIT_INTERNAL, "internal error", "RuntimeError", "planted fault", str(log)
    )
    assert "second line" in line  # folded into the one line, not printed below it
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "numbered_text" in text


def test_a_thread_that_dies_is_one_line_and_logged(home: Path, tmp_path: Path) -> None:
    site = tmp_path / "thread-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import threading\n"
        "import editor.cli.output_cmds as m\n"
        "def boom():\n"
        "    raise ValueError('planted in a thread')\n"
        "def numbered_text(project):\n"
        "    t = threading.Thread(target=boom, name='helper')\n"
        "    t.start()\n"
        "    t.join()\n"
        "    return ''\n"
        "m.numbered_text = numbered_text\n"
    )
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    proc = wordcut(home, "transcript", "Ep", "--numbers", env=env)
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "background thread" in proc.stderr and "planted in a thread" in proc.stderr
    assert "Traceback" in (home / "logs" / "wordcut.log").read_text()


def test_unexpected_error_with_an_unwritable_log_folder(home: Path, fault: dict[str, str]) -> None:
    blocker = home.parent / "not-a-folder"
    blocker.write_text("")
    env = {**fault, "WORDCUT_LOG_DIR": str(blocker / "logs")}
    proc = wordcut(home, "transcript", "Ep", "--numbers", env=env)
    one_line(proc, EXIT_INTERNAL, "planted fault", "no log could be written")


def test_cancelled_transcription_is_a_cancel() -> None:
    from editor.errors import TranscribeCancelled
    from render.errors import Cancelled

    assert issubclass(TranscribeCancelled, Cancelled)


def test_a_ctrl_c_python_wrapped_is_still_a_cancel(capsys: pytest.CaptureFixture[str]) -> None:
    """A Ctrl-C landing while a class is made reaches the route as ``RuntimeError: Error
    calling __set_name__`` caused by the ``KeyboardInterrupt``: a cancel, not a bug."""
    from editor.cli.common import CANCELLED_LINE, EXIT_CANCELLED, run

    class Interrupting:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    def load() -> int:
        type("Project", (), {"settings": Interrupting()})
        return 0

    assert run(load) == EXIT_CANCELLED
    assert capsys.readouterr().err.strip() == CANCELLED_LINE

    def bug() -> int:
        raise RuntimeError("not an interrupt")

    assert run(bug) == EXIT_INTERNAL
