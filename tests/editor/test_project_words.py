"""Words into the document: ``OpenProject.submit_words`` is the one path, and the document is
the only place transcripts are stored (the old per-track word table is migrated away)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from editor.project import open_project
from editor.store import Store, open_store, schema
from editor.transcribe.words import TimedWord


def _words(texts: str, t0: float = 0.0) -> list[TimedWord]:
    return [
        TimedWord(w, t0 + i * 0.5, t0 + i * 0.5 + 0.4, 0.9, filler=w == "um")
        for i, w in enumerate(texts.split())
    ]


def test_submit_words_builds_the_tracks_transcript(store: Store) -> None:
    p = store.create_project("P")
    track = store.add_track(
        p.id,
        label="Ann",
        media_path=Path("/a.wav"),
        sha256="1",
        clock_offset=2.0,
        metadata={"duration": 10.0},
    )
    with open_project(store, "P") as project:
        state = project.track("Ann")
        v1 = project.submit_words(state, _words("hello um world"), speakers=[None, None, "Bo"])
        doc = project.document
        assert [w.id for w in doc.words] == [f"{track.id[-8:]}.{i}" for i in range(3)]
        assert [w.start for w in doc.words] == [2.0, 2.5, 3.0]  # moved onto the project clock
        assert [w.speaker for w in doc.words] == ["Ann", "Ann", "Bo"]
        assert [w.filler for w in doc.words] == [False, True, False]
        (ref,) = doc.tracks
        assert ref.duration == 12.0
        # again: one compound (remove + add), so one undo brings the first transcript back
        v2 = project.submit_words(state, _words("goodbye"), action="re-import")
        assert v2 == v1 + 1
        assert [w.text for w in project.document.words] == ["goodbye"]
        project.session.undo()
        assert [w.text for w in project.document.words] == ["hello", "um", "world"]


def test_a_version_1_library_loses_only_the_word_table(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    conn = sqlite3.connect(home / "library.sqlite3")
    for statement in schema._statements(schema.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO projects (id, name, created_at, updated_at) VALUES ('p1', 'Old', 'x', 'x')"
    )
    conn.execute(
        "INSERT INTO tracks (id, project_id, position, label, media_path, sha256, created_at)"
        " VALUES ('t1', 'p1', 0, 'Ann', '/a.wav', 'ab', 'x')"
    )
    conn.execute(
        'INSERT INTO transcript_words (track_id, idx, word_id, text, start, "end")'
        " VALUES ('t1', 0, 'w', 'hi', 0, 1)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with open_store(home) as store:
        assert schema.user_version(store.conn) == schema.SCHEMA_VERSION
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert "transcript_words" not in tables
        assert [t.label for t in store.tracks(store.project("Old").id)] == ["Ann"]
        assert store.integrity_check() == ["ok"]
