"""Edit → Settings: transcription model and threads, audio output device, loudness target,
theme. Values are checked by :class:`editor.ui.settings.Settings` on the way back in."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from editor.ui.context import AppContext
from editor.ui.settings import THEMES


def output_devices() -> list[str]:
    """Output device names, or none when the audio library or devices are missing."""
    try:
        from editor.playback import Player

        return [d.name for d in Player.devices()]
    except Exception:  # no PortAudio: the default device is all there is to offer
        return []


def _reopen_players() -> None:
    """The output device changed: each window opens its player on the new one at next play."""
    from PySide6.QtWidgets import QApplication

    for top in QApplication.topLevelWidgets():
        transport = getattr(top, "transport", None)
        if transport is not None:
            transport.release_player()


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Settings")
        s = ctx.settings
        self.model = QLineEdit(s.model())
        self.model.setPlaceholderText("bundled offline model (tiny.en)")
        self.model.setToolTip("A faster-whisper model name (small.en, medium) or a model folder")
        self.threads = QSpinBox()
        self.threads.setRange(0, 64)
        self.threads.setSpecialValueText("automatic")
        self.threads.setValue(s.threads())
        self.device = QComboBox()
        self.device.addItem("System default", "")
        for name in output_devices():
            self.device.addItem(name, name)
        index = self.device.findData(s.device())
        self.device.setCurrentIndex(max(0, index))
        self.loudness = QDoubleSpinBox()
        self.loudness.setRange(-40.0, -5.0)
        self.loudness.setDecimals(1)
        self.loudness.setSuffix(" LUFS")
        self.loudness.setValue(s.loudness())
        self.theme = QComboBox()
        for t in THEMES:
            self.theme.addItem({"system": "Follow the system"}.get(t, t.title()), t)
        self.theme.setCurrentIndex(THEMES.index(s.theme()))
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow("Transcription model", self.model)
        form.addRow("Transcription threads", self.threads)
        form.addRow("Audio output", self.device)
        form.addRow("Loudness target", self.loudness)
        form.addRow("Theme", self.theme)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def accept(self) -> None:
        s = self.ctx.settings
        s.set_model(self.model.text())
        s.set_threads(self.threads.value())
        device = str(self.device.currentData() or "")
        if device != s.device():
            s.set_device(device)
            _reopen_players()
        s.set_loudness(self.loudness.value())
        theme = self.theme.currentData()
        if theme != s.theme():
            from PySide6.QtWidgets import QApplication

            from editor.ui.theme import apply_theme
            from editor.ui.theme_actions import refresh_palettes

            s.set_theme(theme)
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, theme)
                refresh_palettes()
        s.sync()
        super().accept()
