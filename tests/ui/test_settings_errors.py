"""Settings read back safely, the shortcuts sheet, the theme switch, and the error route."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette


def test_settings_refuse_garbage_and_keep_recent(tmp_path: Path, qapp: Any) -> None:
    from editor.ui.settings import Settings

    ini = tmp_path / "s.ini"
    raw = QSettings(str(ini), QSettings.Format.IniFormat)
    for key, value in {
        "appearance/theme": "purple",
        "export/loudness": "-400",
        "transcription/threads": "many",
        "recent/projects": 7,
    }.items():
        raw.setValue(key, value)
    s = Settings(raw)
    assert (s.theme(), s.loudness(), s.threads(), s.recent()) == ("system", -16.0, 0, [])
    for pid in ("a", "b", "a", "c"):
        s.add_recent(pid)
    assert s.recent() == ["c", "a", "b"]
    s.forget_recent("a")
    assert s.recent() == ["c", "b"]


def test_settings_dialog_writes_back(ctx: Any, qtbot: Any) -> None:
    from editor.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.model.setText(" small.en ")
    dialog.threads.setValue(3)
    dialog.loudness.setValue(-19.0)
    dialog.accept()
    s = ctx.settings
    assert (s.model(), s.threads(), s.loudness()) == ("small.en", 3, -19.0)


def test_shortcuts_sheet_and_dark_theme(window: Any, qtbot: Any, qapp: Any) -> None:
    from editor.ui.shortcuts_dialog import ShortcutsDialog, rows
    from editor.ui.theme_actions import set_theme

    table = dict(rows(window.acts))
    assert table["Play / Pause"] == "Space" and "Ctrl+Z" in table["Undo"]
    sheet = ShortcutsDialog(window.acts, window)
    qtbot.addWidget(sheet)
    assert sheet.table.rowCount() == len(table)
    set_theme(window, "dark")
    try:
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert window.ctx.settings.theme() == "dark"
        assert window.waveform.view._plot.backgroundBrush().color().lightness() < 80
    finally:
        set_theme(window, "light")


def test_error_route_one_line_for_expected_details_for_bugs(qapp: Any, qtbot: Any) -> None:
    from editor.errors import StoreError
    from editor.ui.error_route import ErrorRoute

    route = ErrorRoute(interactive=False)
    route.report(StoreError("episode.wav: no such file"))
    try:
        raise ValueError("a bug")
    except ValueError as exc:
        route.report(exc)
    (msg1, bug1, det1), (msg2, bug2, det2) = route.history
    assert (msg1, bug1, det1) == ("episode.wav: no such file", False, "")
    assert bug2 and "a bug" in msg2 and "Traceback" in det2
    # a thread's error reaches the GUI thread through the hook and the queued signal
    route.install()
    try:
        with qtbot.waitSignal(route.reported, timeout=5000):
            t = threading.Thread(target=lambda: 1 / 0)
            t.start()
            t.join()
    finally:
        route.uninstall()
    assert "division by zero" in route.history[-1][0] and route.history[-1][1]


def test_error_dialog_copies_details(qapp: Any, qtbot: Any) -> None:
    from editor.ui.error_dialog import ErrorDialog

    dialog = ErrorDialog("something broke", "Traceback (most recent call last): …")
    qtbot.addWidget(dialog)
    dialog.copy_details()
    assert qapp.clipboard().text().startswith("Traceback")
