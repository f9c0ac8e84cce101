"""``python -m editor.ui.screenshots OUT_DIR``: the app's main states as PNGs for the README.

Builds (once) a private library holding the bundled demo episode, transcribed by the bundled
model exactly as ``wordcut demo`` does, then drives the real windows offscreen: the start screen,
a project mid-edit with a selection, playback, the export dialog, and the dark theme. Playback
is shown with a player that holds still at a chosen moment (the screenshot needs the playhead
and the highlighted word, not sound).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HOME = Path(os.environ.get("WORDCUT_SCREENSHOT_HOME", "/tmp/wordcut-screenshots"))
DEMO = "Demo episode"


class StillPlayer:
    """A player that "plays" without sound, its playhead fixed at ``at`` seconds."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.playing = False

    def play(self) -> None:
        self.playing = True

    def play_range(self, start: float, end: float) -> None:
        self.at, self.playing = start, True

    def pause(self) -> None:
        self.playing = False

    def seek(self, seconds: float) -> None:
        self.at = seconds

    def set_edl(self, edl: Any, words: Any = None) -> None:
        pass

    def set_speed(self, speed: float) -> None:
        pass

    def position(self) -> float:
        return self.at

    def subscribe(self, observer: Callable[[Any], None]) -> Callable[[], None]:
        return lambda: None

    def close(self) -> None:
        pass


def _build_demo() -> None:
    env = {**os.environ, "WORDCUT_HOME": str(HOME)}
    listed = subprocess.run(
        [sys.executable, "-m", "editor.cli", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if DEMO in listed:
        return
    subprocess.run(
        [sys.executable, "-m", "editor.cli", "demo"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    for name in ("Episode 41 — Listener mail", "Episode 40 — Live at the library"):
        subprocess.run(
            [sys.executable, "-m", "editor.cli", "new", name],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def main(out: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WORDCUT_HOME"] = str(HOME)
    out.mkdir(parents=True, exist_ok=True)
    _build_demo()

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from editor.store import open_store
    from editor.ui.app import make_application
    from editor.ui.context import AppContext
    from editor.ui.error_route import ErrorRoute
    from editor.ui.jobs import JobRunner
    from editor.ui.settings import Settings
    from editor.ui.shell import Shell
    from editor.ui.theme import apply_theme
    from editor.ui.theme_actions import refresh_palettes

    app = make_application()
    ini = HOME / "screenshots.ini"
    ini.unlink(missing_ok=True)  # first-run layout, not whatever the last run left
    settings = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    apply_theme(app, "light")
    errors = ErrorRoute(interactive=False)
    ctx = AppContext(open_store(HOME), settings, errors, JobRunner(unexpected=errors.report))
    player = StillPlayer(0.0)
    ctx.player_factory = lambda edl, words, device: player
    shell = Shell(ctx)

    def settle(ms: int = 150) -> None:
        done = []
        QTimer.singleShot(ms, lambda: done.append(True))
        while not done:
            app.processEvents()

    def save(widget: QWidget, name: str) -> None:
        settle()
        widget.grab().save(str(out / name))
        print(f"saved {out / name}")

    library = shell.show_library()
    library.resize(1000, 600)
    save(library, "start-screen.png")

    window = shell.open_project(DEMO)
    window.resize(1320, 820)
    while not window.is_interactive:
        app.processEvents()
    words = [t.key for t in window.model.words]
    window.view.select_range(words[14], words[21])
    save(window, "editor-selection.png")

    spans = window.controller.programme_map().spans()
    t = spans[len(spans) // 3][1] + 0.05
    window.view.clear_selection()
    window.transport.seek(t)
    window.transport.play()
    window.transport._poll()
    save(window, "playback.png")
    window.transport.pause()

    from editor.ui.export_dialog import ExportDialog

    dialog = ExportDialog(window)
    dialog.show_name.setText("The Wordcut Podcast")
    dialog.episode.setValue(42)
    dialog.show()
    save(dialog, "export-dialog.png")
    dialog.close()

    apply_theme(app, "dark")
    refresh_palettes()
    window.view.select_range(words[30], words[36])
    save(window, "dark-theme.png")

    shell.quitting = True
    window.close()
    library.close()
    ctx.jobs.shutdown()
    ctx.store.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")))
