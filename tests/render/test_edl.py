"""The EDL type and its JSON form: round trip, version refusal, validation of bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from render import edl as E
from render.errors import EdlError, EdlVersionError


def _minimal() -> dict[str, object]:
    return {
        "version": 1,
        "sample_rate": 48000,
        "tracks": [{"path": "host-a.wav", "gain_db": 0.0}],
        "segments": [{"start": 12.5, "end": 30.25}, {"clip": "fix.wav"}],
    }


def test_minimal_shape_from_the_issue_parses(tmp_path: Path) -> None:
    f = tmp_path / "ep.edl.json"
    f.write_text(json.dumps(_minimal()))
    edl = E.load(f)
    assert edl.sample_rate == 48000
    assert edl.tracks[0].path == tmp_path / "host-a.wav"
    assert edl.segments[0] == E.SourceRange(12.5, 30.25)
    assert edl.segments[0].frames(48000) == (600000, 1452000)
    assert isinstance(edl.segments[1], E.ClipInsert)
    assert edl.segments[1].path == tmp_path / "fix.wav"
    assert edl.crossfade_ms == E.DEFAULT_CROSSFADE_MS
    assert edl.range_frames() == 852000


def test_unknown_fields_are_kept_through_a_round_trip(tmp_path: Path) -> None:
    data = _minimal() | {"producer": {"name": "other-tool"}}
    edl = E.from_dict(data, tmp_path)
    out = tmp_path / "copy.edl.json"
    E.save(edl, out)
    again = json.loads(out.read_text())
    assert again["producer"] == {"name": "other-tool"}
    assert again["tracks"][0]["path"] == "host-a.wav"  # relative to the EDL's folder
    assert E.load(out) == edl


def test_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    f = tmp_path / "new.edl.json"
    f.write_text(json.dumps(_minimal() | {"version": 2}))
    with pytest.raises(EdlVersionError, match=r"new\.edl\.json: EDL version 2 is newer"):
        E.load(f)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"version": "1"}, "version"),
        ({"sample_rate": 44.1}, "sample_rate"),
        ({"sample_rate": 100}, "sample_rate"),
        ({"segments": [{"start": 5, "end": 2}]}, "must be after start"),
        ({"segments": [{"start": 1, "end": 1}]}, "must be after start"),
        ({"segments": [{"start": -1, "end": 2}]}, "before the source begins"),
        ({"segments": [{"start": "a", "end": 2}]}, "must be a number"),
        ({"segments": [{"end": 2}]}, "missing 'start'"),
        ({"segments": "x"}, "'segments' must be a list"),
        ({"tracks": [{"gain_db": 1}]}, "path"),
        ({"tracks": [], "segments": [{"start": 0, "end": 1}]}, "no tracks"),
        ({"crossfade_ms": -3}, "crossfade_ms"),
    ],
)
def test_malformed_edls_name_the_problem(patch: dict[str, object], message: str) -> None:
    with pytest.raises(EdlError, match=message):
        E.from_dict(_minimal() | patch)


def test_unreadable_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(EdlError, match="missing.json: no such file"):
        E.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(EdlError, match="bad.json: not valid JSON"):
        E.load(bad)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(EdlError, match="bin.json"):
        E.load(binary)


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    edl = E.from_dict(_minimal(), tmp_path)
    target = tmp_path / "out.edl.json"
    target.write_text("old")
    E.save(edl, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.edl.json"]


times = st.floats(min_value=0, max_value=10_000, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(times, times), min_size=1, max_size=20), st.sampled_from([44100, 48000]))
def test_json_round_trip_of_arbitrary_ranges(pairs: list[tuple[float, float]], rate: int) -> None:
    segments: list[E.Segment] = []
    for a, b in pairs:
        lo, hi = min(a, b), max(a, b)
        if round(hi * rate) <= round(lo * rate):
            continue
        segments.append(E.SourceRange(lo, hi))
    segments.append(E.ClipInsert(Path("/clips/fix.wav"), -3.0))
    edl = E.Edl(
        rate, (E.EdlTrack(Path("/media/a.wav"), 1.5, offset=0.25, label="A"),), tuple(segments)
    )
    assert E.loads(json.dumps(E.to_dict(edl))) == edl


def test_atomic_files_get_ordinary_permissions(tmp_path: Path) -> None:
    from render import atomic
    from render.atomic import write_text

    target = tmp_path / "note.txt"
    write_text(target, "hello")
    assert target.read_text() == "hello"
    assert target.stat().st_mode & 0o777 == 0o666 & ~atomic._UMASK


def test_atomic_dir_replaces_a_folder_whole_and_keeps_it_on_failure(tmp_path: Path) -> None:
    from render.atomic import atomic_dir

    target = tmp_path / "cache"
    with atomic_dir(target) as tmp:
        (tmp / "a").write_text("first")
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "a").write_text("half")
        raise RuntimeError("failed midway")
    assert (target / "a").read_text() == "first"
    with atomic_dir(target) as tmp:
        (tmp / "b").write_text("second")
    assert sorted(p.name for p in target.iterdir()) == ["b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]  # nothing left beside it


def test_leftovers_of_a_killed_writer_are_swept_by_the_next_write(tmp_path: Path) -> None:
    import subprocess

    from render.atomic import write_text

    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no longer runs, as after kill -9
    orphan = tmp_path / f".ep.mp3.{gone.pid}.x1y2.mp3"
    orphan.write_bytes(b"half an episode")
    orphan_dir = tmp_path / f".ep.mp3.{gone.pid}.z3.tmp"
    orphan_dir.mkdir()
    live = tmp_path / f".ep.mp3.{os.getppid()}.busy.mp3"  # another writer, still running
    live.write_bytes(b"being written")
    other = tmp_path / ".notes.txt.123.tmp"  # another target's: not ours to judge here
    other.write_text("x")
    write_text(tmp_path / "ep.mp3", "done")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["ep.mp3", live.name, other.name])
