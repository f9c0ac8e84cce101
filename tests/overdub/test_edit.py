"""The overdub edit end to end: one undoable step, marked outputs, consent, bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from mutagen import id3, mp4

from editor.errors import ConsentError, OverdubError
from editor.overdub import consent, edit
from editor.project import open_project
from editor.store import open_store
from sync.model import Overdub
from sync.ops import Compound, InsertOverdub
from tests.overdub.conftest import HOST, OWNER, add_profile, cli

LINE = "Who cares, this is me talking really fast."


def _state(home: Path) -> tuple[int, int, int]:
    """(version, overdubs, deleted words) of project "show", read fresh from the library."""
    store = open_store(home)
    try:
        with open_project(store, "show") as p:
            doc = p.document
            return p.session.version, len(doc.overdubs), len(doc.deleted)
    finally:
        store.close()


def test_commit_marks_undo_and_export(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    voice = add_profile(home)
    before = _state(home)
    assert cli("overdub", "show", "--replace", "0-4", "--text", LINE, "--json") == 0
    done = json.loads(capsys.readouterr().out)
    assert done["voice"] == voice and done["backends"] == ["splice"]
    version, overdubs, deleted = _state(home)
    assert (version, overdubs, deleted) == (before[0] + 1, 1, before[2] + 5)

    store = open_store(home)
    with open_project(store, "show") as p:
        (o,) = p.document.overdubs
        assert o.voice == voice and o.generated and o.text == LINE
        clip = p.clip_path(o.clip)
        assert clip.parent.name == "clips"
        assert clip.name == hashlib.sha256(clip.read_bytes()).hexdigest()[:32] + ".wav"
        record = json.loads(clip.with_suffix(".json").read_text())
        assert record["backends"] == ["splice"] and record["voice_owner"] == OWNER
    store.close()

    for fmt, marker in [
        ("text", "[generated: Who cares, this is me talking really fast.]"),
        ("srt", "[generated: Who"),
        ("vtt", "[generated: Who"),
        ("podcast-json", "[generated: Who"),
    ]:
        assert cli("transcript", "show", "--format", fmt) == 0
        assert marker in capsys.readouterr().out, fmt

    # the JSON formats mark generated words by a field, not only by brackets in the text
    assert cli("transcript", "show", "--format", "podcast-json") == 0
    segments = json.loads(capsys.readouterr().out)["segments"]
    marked = [s for s in segments if s.get("generated")]
    assert marked[0]["body"] == "[generated: Who"
    assert len(marked) == len(LINE.split())
    assert all("generated" not in s for s in segments if s not in marked)
    assert cli("transcript", "show", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    made = [r for r in rows if r["generated"]]
    assert " ".join(r["text"] for r in made) == LINE
    assert {r["overdub"] for r in made} == {o.id} and {r["voice"] for r in made} == {voice}
    assert all(r["index"] is None and r["program_start"] is not None for r in made)
    at = rows.index(made[0])
    assert rows[at - 1]["id"] == o.after_word  # listed right after the word it follows
    assert sum(not r["generated"] for r in rows) == len(rows) - len(made)

    out = home.parent / "episode.mp3"
    assert cli("export", "show", str(out), "--json") == 0
    capsys.readouterr()
    texts = [str(t) for f in id3.ID3(out).getall("TXXX") for t in f.text]
    assert any("generated" in t for t in texts)
    m4a = home.parent / "episode.m4a"
    assert cli("export", "show", str(m4a), "--json") == 0
    capsys.readouterr()
    tags = mp4.MP4(m4a).tags
    assert tags is not None and "generated" in tags["\xa9cmt"][0]

    assert cli("undo", "show") == 0
    assert _state(home)[1:] == before[1:]
    assert cli("transcript", "show") == 0
    assert "[generated" not in capsys.readouterr().out


def test_another_identity_is_forbidden(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    voice = add_profile(home)
    before = _state(home)
    monkeypatch.setenv("WORDCUT_USER", "bob")
    assert cli("overdub", "show", "--replace", "0-4", "--text", LINE) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("wordcut: error: forbidden") and "\n" not in err
    assert _state(home) == before
    # the rule itself, as the authority applies it to an op built by hand
    op = Compound("overdub", (InsertOverdub(Overdub("o1", "w", "c.wav", "x", 1.0, voice)),))
    assert consent.authorize("bob", op, {voice: OWNER}) == consent.FORBIDDEN
    assert consent.authorize(OWNER, op, {voice: OWNER}) is None
    assert consent.authorize(OWNER, op, {}) == consent.FORBIDDEN  # removed / unknown profile
    plain = InsertOverdub(Overdub("o2", "w", "c.wav", "x", 1.0))
    assert consent.authorize("bob", plain, {}) is None  # no voice imitated: no profile needed


def test_library_authorizer_sees_removal_at_once(home: Path) -> None:
    voice = add_profile(home)
    store = open_store(home)
    try:
        hook = consent.library_authorizer(store.conn)
        op = InsertOverdub(Overdub("o1", "w", "c.wav", "x", 1.0, voice))
        assert hook(OWNER, op) is None and hook("bob", op) == consent.FORBIDDEN
        store.revoke_voice_profile(voice)
        assert hook(OWNER, op) == consent.FORBIDDEN
    finally:
        store.close()


def test_no_profile_wrong_profile_and_speech_without_one(home: Path, project: Any) -> None:
    ids = [w.id for w in project.document.words]
    with pytest.raises(ConsentError, match="no voice profile for 'Ann'"):
        edit.prepare(project, ids[0], ids[4], LINE, user=OWNER)
    add_profile(home, host="Bea")
    with pytest.raises(ConsentError, match="voice of 'Bea', but the words are said by 'Ann'"):
        edit.prepare(project, ids[0], ids[4], LINE, user=OWNER, voice="Bea")
    made = edit.prepare(project, ids[0], ids[4], "Hello there.", user=OWNER, backend="speech")
    assert made.profile is None and made.clip.backends == ("speech",)
    with pytest.raises(OverdubError, match="imitates nobody"):
        edit.prepare(project, ids[0], ids[4], LINE, user=OWNER, backend="speech", voice=HOST)


def test_preview_changes_nothing(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import soundfile as sf

    add_profile(home)
    before = _state(home)
    out = home.parent / "line.wav"
    assert cli("overdub", "show", "--replace", "0-4", "--text", LINE, "--preview", str(out)) == 0
    assert "unchanged" in capsys.readouterr().out
    info = sf.info(str(out))
    assert 2.5 < info.duration < 8.0
    assert _state(home) == before
    clips = home / "projects"
    assert not list(clips.glob("*/clips/*.wav"))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--replace", "0-4", "--text", "  "], "empty"),
        (["--replace", "0-4", "--text", "1,000,000,000 words"], "write it out in words"),
        (["--replace", "4-0", "--text", "this is"], "inverted"),
        (["--replace", "0-4", "--text", "this is", "--backend", "nope"], "no voice backend"),
        (["--replace", "0-4", "--text", "zebra quagga"], "cannot say 'zebra', 'quagga'"),
        (["--replace", "0-4", "--text", "the 3rd time"], "cannot tell how to say '3rd'"),
        (["--replace", "0-4", "--text", "⅛ cup"], "cannot tell how to say '⅛'"),
        (["--replace", "0-4", "--text", "it is US$5"], "write the amount in words"),
    ],
)
def test_bad_input_one_line_project_unchanged(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    add_profile(home)
    before = _state(home)
    assert cli("overdub", "show", *args) == 1
    err = capsys.readouterr().err.strip()
    assert says in err and "\n" not in err and "Traceback" not in err
    assert _state(home) == before


def test_missing_espeak_voice_is_one_clear_line(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    before = _state(home)
    monkeypatch.setenv("WORDCUT_ESPEAK_VOICE", "xx-no-such-voice")
    assert cli("overdub", "show", "--replace", "0-4", "--text", "hello", "--backend", "speech") == 1
    err = capsys.readouterr().err.strip()
    assert "cannot speak with voice 'xx-no-such-voice'" in err and "\n" not in err
    assert _state(home) == before
    assert not list((home / "projects").glob("*/clips/*"))


def test_missing_clip_file_later_is_one_clear_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_profile(home)
    assert cli("overdub", "show", "--replace", "0-4", "--text", LINE) == 0
    (clip,) = (home / "projects").glob("*/clips/*.wav")
    clip.unlink()
    capsys.readouterr()
    before = _state(home)
    assert cli("export", "show", str(home.parent / "ep.wav")) == 1
    err = capsys.readouterr().err.strip()
    assert clip.name in err and "\n" not in err
    assert not (home.parent / "ep.wav").exists()
    assert _state(home) == before
    # a preview of another line plays the program around it, so it says the same
    preview = home.parent / "line.wav"
    assert (
        cli("overdub", "show", "--replace", "5-6", "--text", "this is", "--preview", str(preview))
        == 1
    )
    err = capsys.readouterr().err.strip()
    assert clip.name in err and "\n" not in err and not preview.exists()
    assert _state(home) == before


def test_the_session_authority_refuses_someone_elses_voice(home: Path) -> None:
    """Built by hand and submitted straight to the session (no overdub command in the way):
    the authority itself says forbidden, and the project is unchanged."""
    from sync.errors import Forbidden

    voice = add_profile(home)
    before = _state(home)
    store = open_store(home)
    try:
        with open_project(store, "show", user="bob") as p:
            anchor = p.document.words[3].id
            op = InsertOverdub(Overdub("o1", anchor, "c.wav", "hi", 1.0, voice))
            with pytest.raises(Forbidden, match="forbidden"):
                p.session.submit(op)
            assert p.session.version == before[0]
        assert _state(home) == before
        with open_project(store, "show", user=OWNER) as p:
            p.session.submit(InsertOverdub(Overdub("o2", anchor, "c.wav", "hi", 1.0, voice)))
            store.revoke_voice_profile(voice)
            p.session.undo()
            with pytest.raises(Forbidden):  # redo after consent was withdrawn
                p.session.redo()
    finally:
        store.close()
