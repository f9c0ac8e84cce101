"""Where Wordcut keeps its library and project folders on this machine.

One function decides the home folder so that tests, the CLI and the app agree: ``WORDCUT_HOME``
wins (tests and portable installs point it at a folder of their own), otherwise the platform's
user data folder (platformdirs). Everything Wordcut writes lives under it::

    <home>/library.sqlite3                 the project library (editor.store)
    <home>/projects/<project_id>/cache/<track_id>/   decoded PCM + peaks, rebuildable
    <home>/projects/<project_id>/clips/    overdub clips
    <home>/projects/<project_id>/renders/  default export folder

Outside it, :func:`cache_dir` holds what any library may rebuild (e.g. ``models/``).

The user's own media files are referenced by path and never copied here, so deleting a project
folder can never delete a recording.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Wordcut"
HOME_ENV = "WORDCUT_HOME"
DB_NAME = "library.sqlite3"


def wordcut_home(override: str | os.PathLike[str] | None = None) -> Path:
    """The library folder: ``override``, else ``$WORDCUT_HOME``, else the user data folder."""
    if override is not None:
        return Path(override).expanduser()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


CACHE_ENV = "WORDCUT_CACHE"


def cache_dir() -> Path:
    """Rebuildable files shared by every library on this machine (the int8 copy of a speech
    model): ``$WORDCUT_CACHE``, else the platform's user cache folder. Never inside a
    library, so a fresh ``WORDCUT_HOME`` does not pay for them again."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def db_path(home: Path) -> Path:
    """The library database inside ``home``."""
    return home / DB_NAME


def projects_root(home: Path) -> Path:
    """The folder holding one sub-folder per project."""
    return home / "projects"


def project_dir(home: Path, project_id: str) -> Path:
    """A project's own folder (caches, clips, renders); never holds the user's media."""
    return projects_root(home) / project_id


def track_cache_dir(home: Path, project_id: str, track_id: str) -> Path:
    """Where a track's decoded PCM and waveform peaks are cached."""
    return project_dir(home, project_id) / "cache" / track_id


def clips_dir(home: Path, project_id: str) -> Path:
    """Where a project's overdub clips are written."""
    return project_dir(home, project_id) / "clips"


def renders_dir(home: Path, project_id: str) -> Path:
    """The default folder for a project's exports."""
    return project_dir(home, project_id) / "renders"
