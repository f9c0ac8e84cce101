"""The :class:`Store` facade: one library database, its project folders, and typed access.

The store owns one connection for the thread that opened it; other threads and child processes
(transcription checkpoints, export) call :meth:`Store.connect` for their own, because sqlite3
connections must not be shared across threads. Every write runs in an explicit
``BEGIN IMMEDIATE`` transaction (:meth:`Store.transaction`).
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from editor import paths
from editor.errors import StoreError
from editor.store import db, oplog, projects, renders, schema, tracks, voices
from editor.store.records import (
    Project,
    RenderRecord,
    RenderStatus,
    Track,
    VoiceProfile,
)


class Store:
    """The project library at ``home`` (see :mod:`editor.paths` for the layout)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.db_path = paths.db_path(home)
        try:
            paths.projects_root(home).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{home}: cannot create the library folder: {exc}") from exc
        _refuse_foreign(self.db_path)
        self.conn = db.connect(self.db_path)
        try:
            schema.migrate(self.conn)
        except StoreError as exc:  # name the file: "table projects already exists" alone is no help
            self.conn.close()
            raise StoreError(f"{self.db_path}: not a Wordcut library ({exc})") from exc
        except BaseException:
            self.conn.close()
            raise

    # --- connections -------------------------------------------------------------------------

    def connect(self) -> sqlite3.Connection:
        """A new connection with the library's pragmas, for another thread or process."""
        return db.connect(self.db_path)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on this store's connection (``BEGIN IMMEDIATE`` … ``COMMIT``)."""
        with db.transaction(self.conn) as conn:
            yield conn

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def integrity_check(self) -> list[str]:
        """``["ok"]`` when SQLite finds the database file sound."""
        return db.integrity_check(self.conn)

    # --- projects ----------------------------------------------------------------------------

    def create_project(self, name: str, sample_rate: int = 48000) -> Project:
        with self.transaction() as conn:
            project = projects.create(conn, name, sample_rate)
        for folder in ("cache", "clips", "renders"):
            (self.project_dir(project.id) / folder).mkdir(parents=True, exist_ok=True)
        return project

    def project(self, ref: str) -> Project:
        """A project by name, id or unique id prefix; raises :class:`editor.errors.NotFound`."""
        return projects.find(self.conn, ref)

    def projects(self, archived: bool | None = False) -> list[Project]:
        return projects.list_all(self.conn, archived)

    def rename_project(self, project_id: str, name: str) -> Project:
        with self.transaction() as conn:
            return projects.rename(conn, project_id, name)

    def archive_project(self, project_id: str, archived: bool = True) -> Project:
        with self.transaction() as conn:
            return projects.set_archived(conn, project_id, archived)

    def mark_opened(self, project_id: str) -> None:
        with self.transaction() as conn:
            projects.touch_opened(conn, project_id)

    def delete_project(self, project_id: str) -> None:
        """Delete the project's records and its own folder; the user's media are not touched.

        Only ``<home>/projects/<id>`` is removed: caches, clips and default renders that Wordcut
        itself wrote. Track media paths point outside it and are never followed.
        """
        with self.transaction() as conn:
            projects.delete(conn, project_id)
        folder = self.project_dir(project_id)
        if folder.parent == paths.projects_root(self.home) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)

    def project_dir(self, project_id: str) -> Path:
        return paths.project_dir(self.home, project_id)

    # --- tracks ------------------------------------------------------------------------------

    def add_track(self, project_id: str, **fields: Any) -> Track:
        """Record a track; ``fields`` as :func:`editor.store.tracks.add` takes them."""
        with self.transaction() as conn:
            track = tracks.add(conn, project_id, **fields)
            projects.touch_updated(conn, project_id)
            return track

    def tracks(self, project_id: str) -> list[Track]:
        return tracks.list_for(self.conn, project_id)

    def track(self, project_id: str, ref: str) -> Track:
        """A project's track by label, id or 1-based position."""
        return tracks.find(self.conn, project_id, ref)

    def update_track(self, track_id: str, **fields: Any) -> Track:
        with self.transaction() as conn:
            return tracks.update(conn, track_id, **fields)

    def track_cache_dir(self, project_id: str, track_id: str) -> Path:
        return paths.track_cache_dir(self.home, project_id, track_id)

    # --- document ----------------------------------------------------------------------------

    def head_version(self, project_id: str) -> int:
        return oplog.head_version(self.conn, project_id)

    # --- renders -----------------------------------------------------------------------------

    def start_render(self, project_id: str, **fields: Any) -> RenderRecord:
        with self.transaction() as conn:
            return renders.start(conn, project_id, **fields)

    def finish_render(
        self, render_id: str, status: RenderStatus, error: str | None = None
    ) -> RenderRecord:
        with self.transaction() as conn:
            return renders.finish(conn, render_id, status, error)

    def renders(self, project_id: str) -> list[RenderRecord]:
        return renders.list_for(self.conn, project_id)

    # --- voice profiles ----------------------------------------------------------------------

    def add_voice_profile(
        self,
        *,
        host: str,
        reference_media: Path,
        consent: Mapping[str, Any],
        project_id: str | None = None,
        reference_sha256: str | None = None,
        backend: str = "splice",
    ) -> VoiceProfile:
        with self.transaction() as conn:
            return voices.add(
                conn,
                host=host,
                reference_media=reference_media,
                consent=consent,
                project_id=project_id,
                reference_sha256=reference_sha256,
                backend=backend,
            )

    def voice_profiles(self, host: str | None = None) -> list[VoiceProfile]:
        return voices.list_for(self.conn, host)

    def revoke_voice_profile(self, voice_id: str) -> VoiceProfile:
        with self.transaction() as conn:
            return voices.revoke(conn, voice_id)


def _refuse_foreign(path: Path) -> None:
    """Refuse, before anything writes to it, a file that is not a Wordcut library.

    Opening a library switches it to WAL and migrates it: both would change someone else's
    SQLite file (or a file that only has the library's name). A read-only look first: an
    unversioned database that already holds tables was not created by Wordcut.
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error):
        return  # db.connect names the problem
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    except sqlite3.OperationalError:
        return  # cannot look read-only (locked, no -shm in a read-only folder): db.connect says
    except sqlite3.DatabaseError as exc:  # "file is not a database"
        raise StoreError(f"{path}: not a usable library database: {exc}") from None
    finally:
        conn.close()
    if version == 0 and tables:
        raise StoreError(f"{path}: not a Wordcut library (an SQLite database of something else)")


def open_store(home: str | Path | None = None) -> Store:
    """The library at ``home`` (default: ``$WORDCUT_HOME`` or the user data folder)."""
    return Store(paths.wordcut_home(home))
