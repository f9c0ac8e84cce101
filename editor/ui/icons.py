"""Transport icons drawn in the palette's text colour, so they read on light and dark themes
(Fusion's standard media pixmaps are fixed dark grey and vanish on a dark toolbar)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPixmap, QPolygonF

SIZE = 32


def _triangle(x: float, w: float) -> QPolygonF:
    return QPolygonF([QPointF(x, 6), QPointF(x + w, 16), QPointF(x, 26)])


def _play(p: QPainterPath) -> None:
    p.addPolygon(_triangle(10, 15))


def _pause(p: QPainterPath) -> None:
    p.addRect(QRectF(9, 7, 5, 18))
    p.addRect(QRectF(18, 7, 5, 18))


def _stop(p: QPainterPath) -> None:
    p.addRect(QRectF(9, 9, 14, 14))


def _forward(p: QPainterPath) -> None:
    p.addPolygon(_triangle(5, 11))
    p.addPolygon(_triangle(16, 11))


def _back(p: QPainterPath) -> None:
    for x in (16, 27):
        p.addPolygon(QPolygonF([QPointF(x, 6), QPointF(x - 11, 16), QPointF(x, 26)]))


SHAPES: dict[str, Callable[[QPainterPath], None]] = {
    "play": _play,
    "pause": _pause,
    "stop": _stop,
    "forward": _forward,
    "back": _back,
}


def icon(name: str, colour: QColor) -> QIcon:
    path = QPainterPath()
    SHAPES[name](path)
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillPath(path, colour)
    painter.end()
    return QIcon(pixmap)
