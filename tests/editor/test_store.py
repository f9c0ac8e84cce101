"""The library database: schema, projects, tracks, op log, renders, voice profiles."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from editor.errors import NotFound, StoreError
from editor.store import Store, open_store, oplog, schema


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(tmp_path / "home")
    yield s  # type: ignore[misc]
    s.close()


def test_new_library_is_migrated_wal_and_sound(store: Store) -> None:
    assert schema.user_version(store.conn) == schema.SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.integrity_check() == ["ok"]
    other = store.connect()
    assert other.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    other.close()


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.create_project("Ep")
    with open_store(tmp_path) as s:
        assert [p.name for p in s.projects()] == ["Ep"]


def test_newer_schema_is_refused_without_change(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "library.sqlite3")
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer Wordcut"):
        open_store(tmp_path)


def test_a_failing_migration_leaves_the_file_untouched(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(schema, "MIGRATIONS", ("CREATE TABLE a (x); CREATE TABLE oops oops;",))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    with pytest.raises(StoreError, match="migration failed"):
        open_store(tmp_path)
    conn = sqlite3.connect(tmp_path / "library.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    conn.close()


def test_project_lifecycle(store: Store) -> None:
    a = store.create_project("Episode 1")
    b = store.create_project("Episode 2")
    assert {p.name for p in store.projects()} == {"Episode 1", "Episode 2"}
    assert store.project("Episode 1").id == a.id
    assert store.project(a.id[:20]).id == a.id
    assert store.rename_project(a.id, "Pilot").name == "Pilot"
    with pytest.raises(StoreError, match="already exists"):
        store.rename_project(b.id, "Pilot")
    with pytest.raises(StoreError, match="already exists"):
        store.create_project("Pilot")
    with pytest.raises(StoreError, match="empty"):
        store.create_project("  ")
    store.archive_project(a.id)
    assert [p.name for p in store.projects()] == ["Episode 2"]
    assert [p.name for p in store.projects(archived=True)] == ["Pilot"]
    store.archive_project(a.id, archived=False)
    assert len(store.projects()) == 2
    with pytest.raises(NotFound):
        store.project("nope")


def test_delete_cascades_and_never_touches_media(store: Store, tmp_path: Path) -> None:
    media = tmp_path / "host.wav"
    media.write_bytes(b"RIFF-not-really")
    p = store.create_project("Doomed")
    t = store.add_track(
        p.id, label="Ann", media_path=media, sha256="ab", cache_dir=store.track_cache_dir(p.id, "x")
    )
    with store.transaction() as conn:
        oplog.append(
            conn, p.id, version=1, op_json="{}", inverse_json="{}", kind="do",
            author="me", client_id="c", client_seq=1,
        )  # fmt: skip
        conn.execute(
            "INSERT INTO transcription_chunks (project_id, track_id, job_key, chunk_index, status)"
            " VALUES (?, ?, 'k', 0, 'done')",
            (p.id, t.id),
        )
    store.start_render(
        p.id, format="wav", path=tmp_path / "o.wav", edl_json="{}", options={}, doc_version=1
    )
    folder = store.project_dir(p.id)
    (folder / "cache" / t.id).mkdir(parents=True)
    (folder / "cache" / t.id / "pcm.f32").write_bytes(b"x")
    store.delete_project(p.id)
    assert media.read_bytes() == b"RIFF-not-really"
    assert not folder.exists()
    for table in ("tracks", "doc_ops", "renders", "transcription_chunks"):
        assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    assert store.integrity_check() == ["ok"]


def test_tracks_have_unique_labels_and_ordered_positions(store: Store) -> None:
    p = store.create_project("P")
    a = store.add_track(p.id, label="Ann", media_path=Path("/a.wav"), sha256="1")
    b = store.add_track(p.id, label="Bob", media_path=Path("/b.wav"), sha256="2", gain_db=-3.0)
    assert [t.label for t in store.tracks(p.id)] == ["Ann", "Bob"]
    assert store.track(p.id, "2").id == b.id
    with pytest.raises(StoreError, match="already has a track"):
        store.add_track(p.id, label="Ann", media_path=Path("/c.wav"), sha256="3")
    moved = store.update_track(a.id, media_path=Path("/new/a.wav"), clock_offset=0.25)
    assert moved.media_path == Path("/new/a.wav") and moved.clock_offset == 0.25
    assert store.update_track(a.id, transcription_status="completed").transcription_status == (
        "completed"
    )
    with pytest.raises(StoreError):
        store.update_track(a.id, transcription_status="bogus")
    with pytest.raises(NotFound):
        store.add_track("nope", label="X", media_path=Path("/x"), sha256="0")


def test_op_log_is_gap_free_and_idempotency_keys_are_unique(store: Store) -> None:
    p = store.create_project("P")

    def add(version: int, seq: int) -> None:
        with store.transaction() as conn:
            oplog.append(
                conn, p.id, version=version, op_json=f'{{"n": {version}}}', inverse_json="{}",
                kind="do", author="me", client_id="c", client_seq=seq,
            )  # fmt: skip

    add(1, 1)
    add(2, 2)
    with pytest.raises(StoreError, match="does not follow"):
        add(4, 3)
    with pytest.raises(StoreError, match="cannot record"):
        add(3, 2)
    assert [r.version for r in oplog.ops_after(store.conn, p.id, 0)] == [1, 2]
    assert oplog.by_client_seq(store.conn, p.id, "c", 2).version == 2  # type: ignore[union-attr]
    assert oplog.next_client_seq(store.conn, p.id, "c") == 3
    with store.transaction() as conn:
        for v in (1, 2):
            oplog.save_snapshot(conn, p.id, v, b"{}")
        oplog.save_snapshot(conn, p.id, 2, b'{"again": 1}')
    assert [v for v, _ in oplog.snapshots(store.conn, p.id)] == [2, 1]
    assert store.head_version(p.id) == 2


def test_render_records_move_from_rendering_to_final(store: Store, tmp_path: Path) -> None:
    p = store.create_project("P")
    r = store.start_render(
        p.id, format="mp3", path=tmp_path / "o.mp3", edl_json="{}", options={"b": 1}, doc_version=3
    )
    assert r.status == "rendering" and r.finished_at is None
    done = store.finish_render(r.id, "completed")
    assert done.status == "completed" and done.finished_at is not None
    with pytest.raises(StoreError):
        store.finish_render(r.id, "rendering")  # type: ignore[arg-type]
    assert [x.id for x in store.renders(p.id)] == [r.id]


def test_voice_profiles_need_consent(store: Store) -> None:
    with pytest.raises(StoreError, match="consent"):
        store.add_voice_profile(host="Ann", reference_media=Path("/ref.wav"), consent={})
    v = store.add_voice_profile(
        host="Ann", reference_media=Path("/ref.wav"), consent={"given_by": "Ann", "at": "now"}
    )
    assert [x.id for x in store.voice_profiles("Ann")] == [v.id]
    store.revoke_voice_profile(v.id)
    assert store.voice_profiles("Ann") == []


def test_a_failed_transaction_changes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute(
            "INSERT INTO projects (id, name, created_at, updated_at) VALUES ('x', 'X', '', '')"
        )
        raise RuntimeError("boom")
    assert store.projects(None) == []


def test_an_sqlite_error_inside_a_transaction_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="cannot save") as info, store.transaction() as conn:
        conn.execute(
            "INSERT INTO projects (id, name, created_at, updated_at) VALUES ('x', 'X', '', '')"
        )
        conn.execute("INSERT INTO no_such_table VALUES (1)")
    assert isinstance(info.value.__cause__, sqlite3.OperationalError)
    assert store.projects(None) == []
    store.create_project("after")  # the connection is usable again


def test_wordcut_home_env_is_honoured(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WORDCUT_HOME", str(tmp_path / "envhome"))
    with open_store() as s:
        assert s.home == tmp_path / "envhome"
    assert (tmp_path / "envhome" / "library.sqlite3").exists()
