"""``wordcut probe`` and ``wordcut render`` as a user runs them: real subprocesses, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mutagen import id3

from tests.render.export_fixtures import RATE, decode, write_source

ROOT = Path(__file__).resolve().parents[2]


def wordcut(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from editor.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_source(tmp_path, 8.0, 2)
    edl = {
        "version": 1,
        "sample_rate": RATE,
        "tracks": [{"path": "host.wav"}],
        "segments": [{"start": 0.5, "end": 3.0}, {"start": 4.0, "end": 7.25}],
    }
    (tmp_path / "episode.json").write_text(json.dumps(edl))
    return tmp_path


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_render_mp3_with_tags_and_chapters(project: Path) -> None:
    (project / "chapters.txt").write_text("0:00 Cold open\n0:02.5 Interview\n")
    done = wordcut(
        "render",
        "episode.json",
        "out.mp3",
        "--bitrate",
        "128k",
        "--title",
        "Ep 1",
        "--artist",
        "Show",
        "--episode",
        "1",
        "--chapters",
        "chapters.txt",
        "--crossfade-ms",
        "20",
        "--json",
        cwd=project,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["frames"] == round(5.75 * RATE) and summary["format"] == "mp3"
    decoded, rate = decode(project / "out.mp3")
    assert rate == RATE and decoded.shape[0] == round(5.75 * RATE)
    tag = id3.ID3(project / "out.mp3")
    assert str(tag["TIT2"]) == "Ep 1" and str(tag["TRCK"]) == "1"
    assert [
        str(c.sub_frames["TIT2"]) for c in sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    ] == ["Cold open", "Interview"]


@pytest.mark.parametrize(
    ("name", "extra", "rate", "channels"),
    [
        ("out.wav", ["--sample-rate", "44100", "--bit-depth", "24"], 44100, 2),
        ("out.flac", ["--channels", "1", "--no-loudness"], RATE, 1),
        ("out.m4a", ["--loudness", "-19"], RATE, 2),
    ],
)
def test_render_other_formats(
    project: Path, name: str, extra: list[str], rate: int, channels: int
) -> None:
    done = wordcut("render", "episode.json", name, "--quiet", *extra, cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout == ""  # --quiet means quiet
    decoded, got_rate = decode(project / name)
    assert got_rate == rate and decoded.shape[1] == channels


def test_probe_prints_json(project: Path) -> None:
    done = wordcut("probe", "host.wav", cwd=project)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["sample_rate"] == RATE and info["channels"] == 2


def _bad_inputs(folder: Path) -> dict[str, tuple[str, str]]:
    """name → (EDL file to render, text the error line must contain)."""
    (folder / "empty.wav").write_bytes(b"")
    (folder / "notes.wav").write_text("these are my show notes, not audio\n" * 20)
    (folder / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    good = folder / "ok.mp3"
    write_source(folder, 4.0, 2, name="ok.wav")
    assert wordcut("render", _edl(folder, "ok.wav", 3.0), good, "-q", cwd=folder).returncode == 0
    data = good.read_bytes()
    (folder / "truncated.mp3").write_bytes(data[: len(data) // 3])
    cases = {
        "zero-byte file": (_edl(folder, "empty.wav"), "empty.wav"),
        "text named .wav": (_edl(folder, "notes.wav"), "notes.wav"),
        "png": (_edl(folder, "cover.png"), "cover.png"),
        "missing path": (_edl(folder, "gone.wav"), "gone.wav"),
        "truncated mp3": (_edl(folder, "truncated.mp3", 3.0), "truncated.mp3"),
        "range outside source": (_edl(folder, "host.wav", 60.0), "host.wav"),
    }
    version = folder / "future.json"
    version.write_text(json.dumps({"version": 99, "segments": []}))
    cases["unknown EDL version"] = (version.name, "future.json")
    cases["missing EDL"] = ("nowhere.json", "nowhere.json")
    return cases


def _edl(folder: Path, media: str, end: float = 1.0) -> str:
    name = f"edl-{media}-{end}.json"
    edl = {"version": 1, "tracks": [{"path": media}], "segments": [{"start": 0, "end": end}]}
    (folder / name).write_text(json.dumps(edl))
    return name


def test_bad_inputs_get_one_line_and_write_nothing(project: Path) -> None:
    cases = _bad_inputs(project)
    before = _listing(project)
    for label, (edl, culprit) in cases.items():
        done = wordcut("render", edl, "result.mp3", cwd=project)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1, (label, done.stderr)
        assert len(lines) == 1, (label, done.stderr)
        assert lines[0].startswith("wordcut: error: "), label
        assert culprit in lines[0], (label, lines[0])
        assert _listing(project) == before, label  # no output, no temp file


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["out.ogg"], "out.ogg"),
        (["out.mp3", "--bitrate", "100k"], "100k"),
        (["out.mp3", "--chapters", "nope.txt"], "nope.txt"),
        (["out.mp3", "--cover", "nope.jpg"], "nope.jpg"),
        (["missing-dir/out.mp3"], "does not exist"),
    ],
)
def test_bad_options(project: Path, args: list[str], needle: str) -> None:
    before = _listing(project)
    done = wordcut("render", "episode.json", *args, cwd=project)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and needle in done.stderr
    assert _listing(project) == before


@pytest.mark.parametrize("name", ["empty.wav", "notes.wav", "missing.wav"])
def test_probe_bad_files(project: Path, name: str) -> None:
    _bad_inputs(project)
    done = wordcut("probe", name, cwd=project)
    assert done.returncode == 1
    assert done.stderr.startswith("wordcut: error: ") and name in done.stderr
    assert done.stderr.count("\n") == 1


def test_render_path_imports_no_gui(project: Path) -> None:
    code = (
        "import sys; from editor.cli import main\n"
        "rc = main(['render', 'episode.json', 'x.wav', '-q'])\n"
        "bad = [m for m in ('PySide6', 'pyqtgraph', 'sounddevice') if m in sys.modules]\n"
        "print(rc, bad)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.stdout.strip() == "0 []", done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal(project: Path) -> None:
    """On a terminal, stderr shows a live bar that reaches 100 %; piped, it stays silent."""
    import os
    import pty

    leader, follower = pty.openpty()
    code = "import sys; from editor.cli import main; sys.exit(main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "render", "episode.json", "bar.wav"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={"PYTHONPATH": str(ROOT), "TERM": "xterm"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    text = b"".join(chunks).decode()
    assert "rendering [" in text and "100.0%" in text
    assert "wrote bar.wav" in text
