"""View → Theme: system / light / dark, applied to the whole app at once and remembered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from editor.ui.settings import Theme
from editor.ui.theme import apply_theme

if TYPE_CHECKING:
    from editor.ui.main_window import EditorWindow


def connect_theme(w: EditorWindow) -> None:
    a = w.acts
    choices: dict[Theme, object] = {
        "system": a.theme_system,
        "light": a.theme_light,
        "dark": a.theme_dark,
    }
    current = w.ctx.settings.theme()
    a.theme_system.setChecked(current == "system")
    a.theme_light.setChecked(current == "light")
    a.theme_dark.setChecked(current == "dark")
    for theme, action in choices.items():
        action.triggered.connect(lambda _=False, t=theme: set_theme(w, t))  # type: ignore[attr-defined]


def set_theme(w: EditorWindow, theme: Theme) -> None:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    w.ctx.settings.set_theme(theme)
    apply_theme(app, theme)
    refresh_palettes()


def refresh_palettes() -> None:
    """Custom-painted widgets cache colours: tell each top-level tree the palette changed."""
    for top in QApplication.topLevelWidgets():
        bar = getattr(top, "transport_bar", None)
        if bar is not None:
            bar.apply_palette()
        waveform = getattr(getattr(top, "waveform", None), "view", None)
        if waveform is not None:
            waveform.setPalette(QApplication.palette())
            waveform.apply_palette()
        top.update()
