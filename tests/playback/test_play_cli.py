"""``wordcut play`` through the real entry point: plays into a private null sink, and every
bad input ends in one line and a non-zero status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from editor.cli import main
from editor.playback import devices
from editor.playback.testing import NullSink
from render import edl as edl_mod
from tests.playback.fakes import cut_edl, tone_source

ROOT = Path(__file__).resolve().parents[2]
RATE = 48_000


def _wordcut(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WORDCUT_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "editor.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wordcut: error: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library with project "Ep": one 6 s track, twelve words, word 2 struck out."""
    tmp_path = tmp_path_factory.mktemp("play")
    home = tmp_path / "home"
    media = tmp_path / "media"
    media.mkdir()
    t = np.arange(6 * RATE) / RATE
    sf.write(media / "ann.wav", (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), RATE)
    rows = [{"text": f"w{i}", "start": i * 0.5, "end": i * 0.5 + 0.4} for i in range(12)]
    (media / "ann.json").write_text(json.dumps(rows))
    for args in (
        ("new", "Ep"),
        ("import", "Ep", str(media / "ann.wav"), "--label", "Ann"),
        ("transcript-import", "Ep", "--track", "Ann", str(media / "ann.json")),
        ("cut", "Ep", "--words", "2"),
    ):
        done = _wordcut(home, *args)
        assert done.returncode == 0, done.stderr
    return home


def test_plays_a_project_from_a_word_silently_when_not_a_terminal(
    project: Path, sink: NullSink
) -> None:
    started = time.monotonic()
    done = _wordcut(project, "play", "Ep", "--word", "4", "--duration", "0.6", "--device", "pulse")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert time.monotonic() - started >= 0.6  # it really played, in real time


def _in_process(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """``wordcut ARGS`` run in this process (no interpreter start-up per case)."""
    code = main(list(args))
    out = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, out.out, out.err)


def test_bad_input_is_one_line(
    project: Path,
    sink: NullSink,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WORDCUT_HOME", str(project))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return _in_process(capsys, "play", *args)

    listed = run("--list-devices")
    assert listed.returncode == 0 and "pulse" in listed.stdout
    _one_line_error(run("Ep", "--word", "2"), "word 2 is cut")
    _one_line_error(run("Ep", "--from", "1:75"), "bad time")
    _one_line_error(run("Ep", "--from", "9:00", "--device", "pulse"), "past the end")
    _one_line_error(run("Ep", "--speed", "9"), "speed 9")
    _one_line_error(run("Ep", "--device", "no such speaker"), "no such speaker")
    _one_line_error(run(), "PROJECT")
    source = tone_source(tmp_path, 3.0)
    edl_path = tmp_path / "clip.edl.json"
    edl_mod.save(cut_edl(source, [(0.0, 1.0), (1.5, 2.5)], tmp_path / "gone.wav"), edl_path)
    _one_line_error(run("--edl", str(edl_path)), "gone.wav", "no such file")
    media = project.parent / "media"
    (media / "ann.wav").rename(media / "moved.wav")
    try:
        _one_line_error(run("Ep"), "ann.wav is missing", "wordcut locate")
    finally:
        (media / "moved.wav").rename(media / "ann.wav")


def test_no_audio_device_is_one_line(project: Path, tmp_path: Path) -> None:
    env_runtime = tmp_path / "no-pulse"  # a PulseAudio that is not running
    env_runtime.mkdir()
    env = {
        **os.environ,
        "WORDCUT_HOME": str(project),
        "PYTHONPATH": str(ROOT),
        "PULSE_SERVER": f"unix:{env_runtime / 'native'}",
        "PULSE_RUNTIME_PATH": str(env_runtime),
    }
    done = subprocess.run(
        [sys.executable, "-m", "editor.cli", "play", "Ep", "--device", "pulse"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    _one_line_error(done, "no audio output device")


def test_missing_portaudio_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_portaudio(name: str) -> object:
        raise OSError("PortAudio library not found")

    monkeypatch.setattr(devices, "_import", no_portaudio)
    assert main(["play", "--list-devices"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "PortAudio is not installed" in err[0]


def test_help_does_not_load_portaudio() -> None:
    code = (
        "import sys\n"
        "from editor.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "try:\n    main(['play', '--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'sounddevice' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
