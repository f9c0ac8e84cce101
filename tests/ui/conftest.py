"""Fixtures for the app's UI tests: pytest-qt offscreen, a private library and settings per
test, a project made from the bundled demo episode, and an editor window on it.

Every UI test (the transcript view's included) runs under :func:`no_leaks`: a top-level widget
or a thread that outlives its test fails it, because in the app either one is a window that
never closed or a job that was never stopped. Qt warnings fail tests too
(``qt_log_level_fail = "WARNING"`` in pyproject.toml).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-episode.flac"
IGNORED_WIDGETS = {"QTipLabel", "QComboBoxPrivateContainer", "QMenu"}
"""Qt's own top-level helpers, created once and reused by Qt, never a leak of ours."""

SENTENCES = (
    "Hello and welcome to the show, today we talk about editing audio by its transcript",
    "um so the idea is that you read what was said and strike out what should go",
    "you know it saves a lot of time compared with cutting waveforms by hand",
    "and then the pauses get shorter and the fillers go away in one step",
    "let us start with the first part of the episode about the acoustic corpus",
)


@pytest.fixture(autouse=True)
def no_leaks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a top-level widget or a thread behind."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:  # a test without qtbot: nothing Qt to check
        before_threads = set(threading.enumerate())
        yield
        _check_threads(before_threads)
        return
    before = {id(w) for w in QApplication.topLevelWidgets()}
    before_threads = set(threading.enumerate())
    yield
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    left = [
        w
        for w in QApplication.topLevelWidgets()
        if id(w) not in before and type(w).__name__ not in IGNORED_WIDGETS and w.isVisible()
    ]
    assert not left, f"top-level widgets left open: {[type(w).__name__ for w in left]}"
    _check_threads(before_threads)


def _check_threads(before: set[threading.Thread]) -> None:
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in left:
        t.join(timeout=5)  # a pool shutting down finishes within its last task
    left = [t for t in left if t.is_alive()]
    assert not left, f"threads left running: {[t.name for t in left]}"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("WORDCUT_HOME", str(folder))
    monkeypatch.setenv("WORDCUT_LOG_DIR", str(tmp_path / "logs"))
    return folder


@pytest.fixture
def ctx(qapp: Any, home: Path, tmp_path: Path) -> Iterator[Any]:
    """An app context on a private library and settings file; errors recorded, not shown."""
    from PySide6.QtCore import QSettings

    from editor.store import open_store
    from editor.ui.context import AppContext
    from editor.ui.error_route import ErrorRoute
    from editor.ui.jobs import JobRunner
    from editor.ui.settings import Settings
    from editor.ui.theme import apply_theme

    apply_theme(qapp, "light")
    store = open_store(home)
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    errors = ErrorRoute(interactive=False)
    jobs = JobRunner(unexpected=errors.report)
    context = AppContext(store=store, settings=settings, errors=errors, jobs=jobs)
    yield context
    jobs.shutdown()
    store.close()
    unexpected = [m for m, bug, _ in errors.history if bug]
    assert not unexpected, f"unexpected errors reached the error route: {unexpected}"


@pytest.fixture(scope="session")
def demo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo episode decoded once per session (tests copy it; import then reuses it)."""
    from render.media import import_media

    folder = tmp_path_factory.mktemp("demo-cache") / "cache"
    with import_media(DEMO, folder, sample_rate=48000):
        pass
    return folder


def demo_words(duration: float) -> list[Any]:
    """A deterministic transcript laid over the demo's 51 s: words 0.2 s long, pauses between
    sentences (some long enough to shorten), fillers flagged by the real detector."""
    from editor.transcribe.fillers import mark_fillers
    from editor.transcribe.words import TimedWord

    words = []
    t = 0.4
    for n, sentence in enumerate(SENTENCES * 2):
        for token in sentence.split():
            words.append(TimedWord(token, t, t + 0.2, 0.4 if token == "corpus" else 0.95))
            t += 0.26
        t += 1.4 if n % 2 else 0.6
    assert t < duration
    return mark_fillers(words)


def make_demo_project(ctx: Any, cache: Path, name: str = "Demo episode") -> str:
    """A project on the demo recording with the synthetic transcript; returns its id."""
    from editor.project import open_project
    from editor.store.db import new_id
    from render.media import import_media
    from sync.ops import SplitSection

    store = ctx.store
    project = store.create_project(name)
    track_id = new_id()
    target = store.track_cache_dir(project.id, track_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(cache, target)
    with import_media(DEMO, target, sample_rate=48000) as cached:  # reuses the copy
        info = cached.info
    store.add_track(
        project.id,
        track_id=track_id,
        label="Diane & Sheila",
        media_path=DEMO,
        sha256=info.sha256,
        cache_dir=target,
        metadata=info.to_dict(),
    )
    with open_project(store, project.id) as op:
        track = op.tracks[0]
        op.submit_words(track, demo_words(info.duration))
        store.update_track(track.id, transcription_status="completed")
        doc_words = op.document.words
        op.session.submit(SplitSection(doc_words[len(doc_words) // 2].id, "Second part", new_id()))
    return project.id


@pytest.fixture
def demo(ctx: Any, demo_cache: Path) -> str:
    return make_demo_project(ctx, demo_cache)


@pytest.fixture
def shell(ctx: Any) -> Iterator[Any]:
    from editor.ui.shell import Shell

    s = Shell(ctx)
    yield s
    s.quitting = True
    for w in list(s.editors):
        w.close()
    if s.library is not None:
        s.library.close()
        s.library.deleteLater()


def wait_closed(qtbot: Any, window: Any) -> None:
    """Close ``window`` and wait until it really closed (its jobs stopped)."""
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    window.close()
    qtbot.waitUntil(lambda: bool(closed), timeout=20_000)


@pytest.fixture
def window(qtbot: Any, shell: Any, demo: str) -> Iterator[Any]:
    """An editor window on the demo project, interactive (transcript and waveform drawn)."""
    w = shell.open_project(demo)
    assert w is not None
    qtbot.waitUntil(lambda: w.is_interactive, timeout=20_000)
    yield w
    if w in shell.editors:
        wait_closed(qtbot, w)
