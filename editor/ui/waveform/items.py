"""The waveform's two pyqtgraph items: a time axis in m:ss, and a view box whose mouse means
seek (click) and select (drag) — zooming is the wheel's, panning the middle button's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from editor.ui.waveform.widget import WaveformView


class TimeAxis(pg.AxisItem):  # type: ignore[misc]
    """Ticks as m:ss (h:mm:ss past an hour)."""

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        out = []
        for v in values:
            s = max(0.0, float(v))
            whole = int(s)
            frac = f".{round((s - whole) * 10) % 10}" if spacing < 1 else ""
            if whole >= 3600:
                out.append(f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}{frac}")
            else:
                out.append(f"{whole // 60}:{whole % 60:02d}{frac}")
        return out


class SelectBox(pg.ViewBox):  # type: ignore[misc]
    """Left click seeks, left drag selects, wheel zooms in time, middle drag pans."""

    def __init__(self, owner: WaveformView) -> None:
        super().__init__(enableMenu=False)
        self._owner = owner
        self.setMouseEnabled(x=True, y=False)

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._owner.clicked_at(float(self.mapSceneToView(ev.scenePos()).x()))
        else:
            ev.ignore()

    def mouseDragEvent(self, ev: Any, axis: Any = None) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            a = float(self.mapSceneToView(ev.buttonDownScenePos()).x())
            b = float(self.mapSceneToView(ev.scenePos()).x())
            self._owner.dragged(min(a, b), max(a, b), bool(ev.isFinish()))
        else:
            super().mouseDragEvent(ev, axis)
