"""The project commands, driven through the real ``wordcut`` entry point in a temporary home.

Each test runs ``python -m editor.cli`` as a child process with ``WORDCUT_HOME`` pointing at a
copy of a prepared library (two synthetic WAV tracks with word-level transcripts), so what is
tested is exactly what a user's shell runs: argument parsing, exit codes, stdout and stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
RATE = 48000
WORDS_A = str.split("Hello and um welcome to the show. You know, today we talk about uh editing")
WORDS_B = str.split("Thanks for having me. It is um great to be here with you all today")

Run = Callable[..., subprocess.CompletedProcess[str]]


def _runner(home: Path) -> Run:
    def run(
        *args: str, ok: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "WORDCUT_HOME": str(home), "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, "-m", "editor.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            input=stdin,
            timeout=120,
        )
        if ok:
            assert proc.returncode == 0, f"{args}: {proc.stderr}"
        return proc

    return run


def _tone(path: Path, seconds: float, freq: float) -> None:
    t = np.arange(int(seconds * RATE)) / RATE
    sf.write(path, (0.2 * np.sin(2 * np.pi * freq * t)).astype(np.float32), RATE)


def _transcript(path: Path, words: list[str], t0: float) -> None:
    rows = [
        {"text": w, "start": t0 + i * 0.5, "end": t0 + i * 0.5 + 0.4, "confidence": 0.9}
        for i, w in enumerate(words)
    ]
    path.write_text(json.dumps(rows))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A library with project "Ep" (tracks Ann and Bob, transcribed) and the media folder."""
    base = tmp_path_factory.mktemp("prepared")
    media = base / "media"
    media.mkdir()
    _tone(media / "ann.wav", 8.0, 220)
    _tone(media / "bob.wav", 16.0, 330)
    _transcript(media / "ann.json", WORDS_A, 0.0)
    _transcript(media / "bob.json", WORDS_B, 8.0)
    run = _runner(base / "home")
    run("new", "Ep")
    out = run(
        "import",
        "Ep",
        str(media / "ann.wav"),
        str(media / "bob.wav"),
        "--label",
        "Ann",
        "--label",
        "Bob",
        "--json",
    )
    assert [t["label"] for t in json.loads(out.stdout)] == ["Ann", "Bob"]
    run("transcript-import", "Ep", "--track", "Ann", str(media / "ann.json"))
    run("transcript-import", "Ep", "--track", "Bob", str(media / "bob.json"))
    return base / "home", media


@pytest.fixture
def env(prepared: tuple[Path, Path], tmp_path: Path) -> tuple[Run, Path, Path]:
    home, media = prepared
    shutil.copytree(home, tmp_path / "home")
    shutil.copytree(media, tmp_path / "media")
    # Tracks reference the prepared media folder; point them at this test's copy.
    conn = sqlite3.connect(tmp_path / "home" / "library.sqlite3")
    conn.execute(
        "UPDATE tracks SET media_path = replace(media_path, ?, ?)",
        (str(media), str(tmp_path / "media")),
    )
    conn.commit()
    conn.close()
    return _runner(tmp_path / "home"), tmp_path / "home", tmp_path / "media"


def _words(run: Run) -> list[dict[str, object]]:
    return json.loads(run("transcript", "Ep", "--format", "json").stdout)


def _version(home: Path) -> int:
    conn = sqlite3.connect(home / "library.sqlite3")
    try:
        return int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM doc_ops").fetchone()[0])
    finally:
        conn.close()


def _error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 1
    line = proc.stderr.strip()
    assert line.startswith("wordcut: error: ") and "\n" not in line, proc.stderr
    for f in fragments:
        assert f in line, line


def test_import_closes_the_caches_it_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import render.media
    from editor.cli import main
    from render.errors import MediaError

    opened: list[render.media.CachedMedia] = []
    real = render.media.import_media

    def spy(*args: Any, **kwargs: Any) -> render.media.CachedMedia:
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(render.media, "import_media", spy)
    monkeypatch.setenv("WORDCUT_HOME", str(tmp_path / "home"))
    _tone(tmp_path / "a.wav", 1.0, 440)
    assert main(["new", "P"]) == 0
    assert main(["import", "P", str(tmp_path / "a.wav"), "--quiet"]) == 0
    assert len(opened) == 1
    with pytest.raises(MediaError, match="closed"):
        opened[0].read(0, 1)


def test_project_library_lifecycle(tmp_path: Path) -> None:
    run = _runner(tmp_path / "home")
    media = tmp_path / "keep.wav"
    _tone(media, 1.0, 440)
    assert "created project 'Pilot'" in run("new", "Pilot").stdout
    run("new", "Second")
    _error(run("new", "Pilot", ok=False), "already exists")
    run("import", "Pilot", str(media))
    names = [p["name"] for p in json.loads(run("list", "--json").stdout)]
    assert sorted(names) == ["Pilot", "Second"]
    run("rename", "Pilot", "Episode 1")
    run("archive", "Episode 1")
    assert [p["name"] for p in json.loads(run("list", "--json").stdout)] == ["Second"]
    archived = json.loads(run("list", "--archived", "--json").stdout)
    assert [(p["name"], p["archived"]) for p in archived] == [("Episode 1", True)]
    run("unarchive", "Episode 1")
    project_id = next(
        p["id"] for p in json.loads(run("list", "--json").stdout) if p["name"] == "Episode 1"
    )
    folder = tmp_path / "home" / "projects" / project_id
    assert any((folder / "cache").iterdir())
    _error(run("delete", "Episode 1", ok=False, stdin=""), "without --yes")
    run("delete", "Episode 1", "--yes")
    assert not folder.exists()
    assert media.exists(), "deleting a project must never delete the user's media"
    assert [p["name"] for p in json.loads(run("list", "--json").stdout)] == ["Second"]
    _error(run("rename", "Nope", "X", ok=False), "no project named 'Nope'")
    assert json.loads(run("doctor", "--json").stdout) == {"ok": True, "integrity_check": ["ok"]}


def test_editing_round_trip(env: tuple[Run, Path, Path]) -> None:
    run, home, _ = env
    words = _words(run)
    assert len(words) == len(WORDS_A) + len(WORDS_B)
    assert words[0]["text"] == "Hello" and words[0]["speaker"] == "Ann"
    assert words[-1]["speaker"] == "Bob"
    out = json.loads(run("cut", "Ep", "--words", "1-2", "--json").stdout)
    assert out["ok"] and out["version"] == 3
    words = _words(run)
    assert [w["deleted"] for w in words[:4]] == [False, True, True, False]
    assert words[1]["program_start"] is None
    assert "(version 4)" in run("correct", "Ep", "0", "Hi").stdout
    run("cut", "Ep", "--match", "you know")
    text = run("transcript", "Ep").stdout
    assert text.startswith("Ann: Hi welcome to the show. today") and "\n\nBob: Thanks" in text
    numbered = run("transcript", "Ep", "--numbers").stdout
    assert "~1:and~" in numbered and "0:Hi" in numbered
    run("section", "add", "Ep", str(len(WORDS_A)), "Guest")
    run("section", "rename", "Ep", "Guest", "Interview")
    sections = json.loads(run("section", "list", "Ep", "--json").stdout)
    assert [s["name"] for s in sections] == ["Episode", "Interview"]
    run("section", "move", "Ep", "Interview", "0")
    assert _words(run)[0]["speaker"] == "Bob"
    fillers = json.loads(run("fillers", "Ep", "--json").stdout)
    assert {f["text"] for f in fillers} == {"uh", "um"}
    v = _version(home)
    assert f"(version {v + 1})" in run("fillers", "Ep", "--remove").stdout
    assert json.loads(run("fillers", "Ep", "--json").stdout) == []
    run("undo", "Ep")  # the whole filler removal is one step
    assert len(json.loads(run("fillers", "Ep", "--json").stdout)) == len(fillers)
    run("redo", "Ep")
    same = run("pauses", "Ep", "--longer-than", "0.05", "--to", "0.05", ok=False)
    assert same.returncode == 1 and "to (0.05) < longer_than" in same.stderr
    run("pauses", "Ep", "--longer-than", "0.05", "--to", "0.02")
    vtt = run("transcript", "Ep", "--format", "vtt").stdout
    assert vtt.startswith("WEBVTT") and "<v Bob>Thanks" in vtt and "<v Ann>Hi" in vtt
    srt = run("transcript", "Ep", "--format", "srt").stdout
    assert srt.startswith("1\n00:00:00,0") and "\nBob: Thanks" in srt
    labels = run("transcript", "Ep", "--format", "audacity").stdout.splitlines()
    assert all(len(line.split("\t")) == 3 for line in labels)
    pj = json.loads(run("transcript", "Ep", "--format", "podcast-json").stdout)
    assert pj["segments"][0]["speaker"] == "Bob"
    edl = json.loads(run("edl", "Ep").stdout)
    assert edl["version"] == 1 and [t["label"] for t in edl["tracks"]] == ["Ann", "Bob"]
    assert len(edl["segments"]) > 3


def test_bad_input_is_one_line_and_changes_nothing(env: tuple[Run, Path, Path]) -> None:
    run, home, media = env
    before = (_version(home), _words(run))
    _error(run("cut", "Ep", "--words", "9-3", ok=False), "inverted")
    _error(run("cut", "Ep", "--words", "999", ok=False), "does not exist")
    _error(run("cut", "Ep", "--words", "nope-3", ok=False), "no word 'nope'")
    _error(run("restore", "Ep", "--words", "2-4", ok=False), "already kept")
    _error(run("section", "move", "Ep", "0", "3", ok=False), "outside")
    _error(run("correct", "Ep", "ghost", "x", ok=False), "no word")
    _error(run("cut", "Ep", "--match", "zebra crossing", ok=False), "does not occur")
    _error(run("redo", "Ep", ok=False), "nothing to redo")
    bad = media / "bad.json"
    bad.write_text(json.dumps([{"text": "ok", "start": 0, "end": 1}, {"text": "x", "start": 2}]))
    _error(
        run("transcript-import", "Ep", "--track", "Ann", str(bad), ok=False),
        str(bad),
        "entry 1",
        "'end'",
    )
    bad.write_text("[{]")
    _error(run("transcript-import", "Ep", "--track", "Ann", str(bad), ok=False), "not valid JSON")
    _error(
        run("transcript-import", "Ep", "--track", "Zed", str(media / "ann.json"), ok=False),
        "no track 'Zed'",
    )
    _error(run("import", "Ep", str(media / "ann.json"), "--label", "Junk", ok=False), "ann.json")
    assert (_version(home), _words(run)) == before
    assert len(json.loads(run("tracks", "Ep", "--json").stdout)) == 2


def test_moved_media_is_marked_missing_and_can_be_located(env: tuple[Run, Path, Path]) -> None:
    run, _, media = env
    moved = media.parent / "elsewhere"
    moved.mkdir()
    (media / "bob.wav").rename(moved / "bob.wav")
    tracks = json.loads(run("tracks", "Ep", "--json").stdout)
    bob = next(t for t in tracks if t["label"] == "Bob")
    assert bob["missing"] and "wordcut locate" in bob["locate"]
    assert "Thanks" in run("transcript", "Ep").stdout  # the project still opens and reads
    _error(run("export", "Ep", str(media / "x.wav"), ok=False), "bob.wav is missing", "locate")
    _error(run("locate", "Ep", "Bob", str(media / "ann.wav"), ok=False), "not the recording")
    run("locate", "Ep", "Bob", str(moved / "bob.wav"))
    assert not any(t["missing"] for t in json.loads(run("tracks", "Ep", "--json").stdout))


def test_export_writes_the_program_with_a_render_record(env: tuple[Run, Path, Path]) -> None:
    run, home, media = env
    run("cut", "Ep", "--words", "0-3")
    run("section", "add", "Ep", str(len(WORDS_A)), "Guest")
    edl = json.loads(run("edl", "Ep").stdout)
    out = media / "episode.wav"
    run("export", "Ep", str(out), "--no-loudness", "--quiet")
    info = sf.info(out)
    expected = sum(round(s["end"] * RATE) - round(s["start"] * RATE) for s in edl["segments"])
    assert info.frames == expected
    conn = sqlite3.connect(home / "library.sqlite3")
    rows = conn.execute("SELECT status, format, path FROM renders").fetchall()
    conn.close()
    assert rows == [("completed", "wav", str(out))]
    sidecar = json.loads((media / "episode.chapters.json").read_text())
    assert [c["title"] for c in sidecar["chapters"]] == ["Episode", "Guest"]
    # the export service renders from memory: no EDL or chapters files written on the side
    assert not list((home / "projects").glob("*/renders/*"))
