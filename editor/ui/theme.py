"""Light and dark appearance on the Fusion style, following the OS unless the user chose one.

Fusion looks the same on every platform and takes a palette completely, so both themes are two
palettes plus a few colours the custom-painted widgets read (the transcript view and the
waveform take theirs from the palette as well, so they switch with it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from editor.ui.settings import Theme

ACCENT = QColor("#3d7be0")


def os_prefers_dark() -> bool:
    """The OS colour scheme, where the platform reports one (offscreen and bare X do not)."""
    hints = QGuiApplication.styleHints()
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)


def resolved(theme: Theme) -> Theme:
    if theme == "system":
        return "dark" if os_prefers_dark() else "light"
    return theme


def apply_theme(app: QApplication, theme: Theme) -> Theme:
    """Fusion with the light or dark palette; returns which one was applied."""
    app.setStyle("Fusion")
    chosen = resolved(theme)
    app.setPalette(dark_palette() if chosen == "dark" else light_palette())
    return chosen


def light_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#f3f3f5",
        QPalette.ColorRole.WindowText: "#1d1d1f",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f0f0f3",
        QPalette.ColorRole.ToolTipBase: "#ffffe8",
        QPalette.ColorRole.ToolTipText: "#1d1d1f",
        QPalette.ColorRole.PlaceholderText: "#8a8a90",
        QPalette.ColorRole.Text: "#1d1d1f",
        QPalette.ColorRole.Button: "#ebebef",
        QPalette.ColorRole.ButtonText: "#1d1d1f",
        QPalette.ColorRole.BrightText: "#d0021b",
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#e2e2e6",
        QPalette.ColorRole.Mid: "#c4c4ca",
        QPalette.ColorRole.Dark: "#9a9aa2",
        QPalette.ColorRole.Shadow: "#6a6a70",
        QPalette.ColorRole.Highlight: ACCENT.name(),
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#2a62c9",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    _disabled(p, "#a0a0a6")
    return p


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#26272b",
        QPalette.ColorRole.WindowText: "#e6e6e9",
        QPalette.ColorRole.Base: "#1c1d20",
        QPalette.ColorRole.AlternateBase: "#2a2b30",
        QPalette.ColorRole.ToolTipBase: "#33343a",
        QPalette.ColorRole.ToolTipText: "#e6e6e9",
        QPalette.ColorRole.PlaceholderText: "#7d7e85",
        QPalette.ColorRole.Text: "#e6e6e9",
        QPalette.ColorRole.Button: "#313238",
        QPalette.ColorRole.ButtonText: "#e6e6e9",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Light: "#3d3e45",
        QPalette.ColorRole.Midlight: "#35363c",
        QPalette.ColorRole.Mid: "#4a4b52",
        QPalette.ColorRole.Dark: "#18181b",
        QPalette.ColorRole.Shadow: "#0c0c0e",
        QPalette.ColorRole.Highlight: "#4c86e6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#7aa7ff",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    _disabled(p, "#6c6d73")
    return p


def _disabled(p: QPalette, colour: str) -> None:
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128
