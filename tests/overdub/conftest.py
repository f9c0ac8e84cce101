"""Fixtures for the overdub tests: a library with a real recording and its aligned words.

The recording is the MFA "acoustic corpus" (../shared/data: one man, 27 s, verbatim with
fillers) with the word times of its forced-aligner TextGrid, imported through the real
``wordcut import`` and ``wordcut transcript-import`` so no model is needed to build it. The
library is built once per session and copied for each test that changes it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "speech"
MFA = DATA / "mfa"
HOST = "Ann"
OWNER = "ann-laptop"


def textgrid_words(path: Path) -> list[dict[str, float | str]]:
    """The non-empty intervals of a TextGrid's first tier as transcript-import rows."""
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    first_tier = lines.index('"IntervalTier"')
    count = int(lines[first_tier + 4])
    rows: list[dict[str, float | str]] = []
    k = first_tier + 5
    for _ in range(count):
        start, end, text = float(lines[k]), float(lines[k + 1]), lines[k + 2].strip('"')
        k += 3
        if text and not re.fullmatch(r"<.*>|sil|sp", text):
            rows.append({"text": text, "start": start, "end": end})
    return rows


def cli(*args: str) -> int:
    from editor.cli import main

    return main(list(args))


@pytest.fixture(scope="session")
def mfa_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library home with project "show": track Ann (the acoustic corpus) and its words."""
    if not (MFA / "acoustic_corpus.wav").is_file():
        pytest.skip(f"shared speech data not found at {MFA}")
    home = tmp_path_factory.mktemp("library")
    words = home.parent / "acoustic_words.json"
    words.write_text(json.dumps(textgrid_words(MFA / "acoustic_corpus.TextGrid")))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORDCUT_HOME", str(home))
        mp.setenv("WORDCUT_USER", OWNER)
        assert cli("new", "show") == 0
        assert cli("import", "show", str(MFA / "acoustic_corpus.wav"), "--label", HOST) == 0
        assert cli("transcript-import", "show", "--track", HOST, str(words)) == 0
    return home


@pytest.fixture
def home(mfa_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the library, opened as the profile owner."""
    copy = tmp_path / "home"
    shutil.copytree(mfa_library, copy)
    monkeypatch.setenv("WORDCUT_HOME", str(copy))
    monkeypatch.setenv("WORDCUT_USER", OWNER)
    return copy


def add_profile(home: Path, host: str = HOST, owner: str = OWNER) -> str:
    """A profile stored directly (the verification itself is tested on its own, with the
    model); returns its id."""
    from editor.store import open_store

    store = open_store(home)
    try:
        p = store.add_voice_profile(
            host=host,
            reference_media=MFA / "acoustic_corpus.wav",
            consent={"given_by": host, "owner": owner, "statement": "test", "wer": 0.0},
        )
        return p.id
    finally:
        store.close()


def espeak_sample(path: Path, text: str) -> Path:
    """``text`` read by espeak-ng into ``path`` (a stand-in for a host reading aloud)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
    return path


@pytest.fixture
def project(home: Path) -> Iterator[object]:
    from editor.project import open_project
    from editor.store import open_store

    store = open_store(home)
    proj = open_project(store, "show", user=OWNER)
    try:
        yield proj
    finally:
        proj.close()
        store.close()
