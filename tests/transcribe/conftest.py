from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from editor.store import db
from editor.store.schema import migrate

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "speech"


def make_db(path: Path) -> Callable[[], sqlite3.Connection]:
    """A library database with one project ('p') and one track ('t'); returns a connector."""
    conn = db.connect(path)
    migrate(conn)
    conn.execute("INSERT INTO projects(id,name,created_at,updated_at) VALUES('p','p','x','x')")
    conn.execute(
        "INSERT INTO tracks(id,project_id,position,label,media_path,sha256,created_at) "
        "VALUES('t','p',0,'A','m.wav','0','x')"
    )
    conn.close()
    return lambda: db.connect(path)


@pytest.fixture
def library(tmp_path: Path) -> Callable[[], sqlite3.Connection]:
    return make_db(tmp_path / "lib.db")


@pytest.fixture
def speech_dir() -> Path:
    if not DATA.is_dir():
        pytest.skip(f"shared speech data not found at {DATA}")
    return DATA
