"""Where the log goes, that a clean run writes nothing, and that a record of a bug lands there."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from editor import logs


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("WORDCUT_LOG_DIR", raising=False)
    monkeypatch.delenv("WORDCUT_HOME", raising=False)
    yield monkeypatch
    logs.uninstall_logging()


def test_the_log_folder_follows_the_environment(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert logs.log_dir() == Path(platformdirs.user_log_dir("Wordcut", appauthor=False))
    clean_env.setenv("WORDCUT_HOME", str(tmp_path / "home"))
    assert logs.log_dir() == tmp_path / "home" / "logs"
    clean_env.setenv("WORDCUT_LOG_DIR", str(tmp_path / "elsewhere"))
    assert logs.log_path() == tmp_path / "elsewhere" / "wordcut.log"


def test_nothing_is_written_until_something_is_logged(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("WORDCUT_LOG_DIR", str(tmp_path / "logs"))
    target = logs.install_logging()
    assert logs.install_logging() == target  # idempotent: one handler
    assert not target.exists()
    try:
        raise KeyError("planted")
    except KeyError as exc:
        line = logs.log_unexpected(exc, "a test")
    assert line == f"details in {target}"
    text = target.read_text()
    assert "unexpected error in a test: KeyError" in text and "Traceback" in text
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logs._LogFile)]
    assert len(handlers) == 1 and handlers[0].maxBytes == logs.MAX_BYTES
    logs.uninstall_logging()
    assert not [h for h in logging.getLogger().handlers if isinstance(h, logs._LogFile)]


def test_an_unwritable_log_folder_costs_only_the_record(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    clean_env.setenv("WORDCUT_LOG_DIR", str(blocker / "logs"))
    logs.install_logging()
    logging.getLogger("wordcut.test").warning("goes nowhere, quietly")
    line = logs.log_unexpected(RuntimeError("x"))
    assert line == f"no log could be written to {blocker / 'logs'}"
    assert "Logging error" not in capfd.readouterr().err
