"""The toolbar: play/pause, stop, the position and length, speed, and the waveform's options."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar, QWidget

from editor.ui.actions import Actions
from editor.ui.icons import icon
from editor.ui.job_status import clock
from editor.ui.transport import SPEEDS, Transport


def _precise(seconds: float) -> str:
    return f"{clock(seconds)}.{int(max(0.0, seconds) * 10) % 10}"


class TransportBar(QToolBar):
    def __init__(self, transport: Transport, acts: Actions, parent: QWidget | None = None) -> None:
        super().__init__("Transport", parent)
        self.setObjectName("TransportBar")
        self.setMovable(False)
        self.setIconSize(QSize(18, 18))
        self._transport = transport
        self._acts = acts
        self.apply_palette()
        for a in (acts.back, acts.play, acts.forward, acts.stop):
            self.addAction(a)
        self.addSeparator()
        self.time = QLabel()
        self.time.setAccessibleName("Playback position")
        self.time.setMinimumWidth(120)
        self.time.setContentsMargins(8, 0, 8, 0)
        self.addWidget(self.time)
        self.addSeparator()
        label = QLabel("Speed")
        label.setContentsMargins(8, 0, 4, 0)
        self.addWidget(label)
        self.speed = QComboBox()
        self.speed.setAccessibleName("Playback speed")
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.activated.connect(lambda i: transport.set_speed(float(self.speed.itemData(i))))
        label.setBuddy(self.speed)
        self.addWidget(self.speed)
        self.addSeparator()
        self.addAction(acts.source_timeline)
        self.addAction(acts.show_deleted)
        transport.positionChanged.connect(self.show_position)
        transport.playingChanged.connect(self._playing)
        transport.speedChanged.connect(self._speed)
        self.time.setText("0:00.0")  # the length follows with the waveform (it needs the EDL)

    def show_position(self, seconds: float) -> None:
        self.time.setText(f"{_precise(seconds)} / {clock(self._transport.duration())}")

    def apply_palette(self) -> None:
        """Draw the transport icons in the current theme's text colour."""
        colour = self.palette().color(QPalette.ColorRole.ButtonText)
        a = self._acts
        a.play.setIcon(icon("pause" if self._transport.playing else "play", colour))
        a.stop.setIcon(icon("stop", colour))
        a.back.setIcon(icon("back", colour))
        a.forward.setIcon(icon("forward", colour))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()

    def _playing(self, playing: bool) -> None:
        colour = self.palette().color(QPalette.ColorRole.ButtonText)
        self._acts.play.setIcon(icon("pause" if playing else "play", colour))

    def _speed(self, speed: float) -> None:
        self.speed.setCurrentIndex(SPEEDS.index(speed))
