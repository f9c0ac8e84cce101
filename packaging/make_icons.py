"""Draw Wordcut's application icon and write it in every size and format the installers need.

Why generated: one drawing (here, with QPainter — Qt is already a dependency, so no image
tools are needed) gives the Linux hicolor PNGs, the Windows ``.ico`` and the macOS ``.icns``
from the same source, and a change to the icon is a change to this file. The outputs are
committed under ``resources/icons/`` so a build never needs a display or this script.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def draw(size: int) -> object:
    """The icon at ``size`` px: a waveform with one struck-out stretch on a rounded tile."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPen

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    tile = QRectF(s * 0.04, s * 0.04, s * 0.92, s * 0.92)
    grad = QLinearGradient(tile.topLeft(), tile.bottomRight())
    grad.setColorAt(0.0, QColor("#3b5bdb"))
    grad.setColorAt(1.0, QColor("#7048e8"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(grad)
    p.drawRoundedRect(tile, s * 0.2, s * 0.2)
    bars = 9 if size >= 32 else 5
    left, right = s * 0.18, s * 0.82
    step = (right - left) / bars
    mid = s * 0.5
    cut = range(bars // 2 - 1, bars // 2 + 1) if bars > 5 else range(2, 3)
    for i in range(bars):
        h = s * 0.33 * (0.35 + 0.65 * abs(math.sin(1.7 * i + 0.6)))
        x = left + step * (i + 0.5)
        colour = QColor(255, 255, 255, 90 if i in cut else 255)
        p.setPen(
            QPen(colour, max(1.0, step * 0.55), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        )
        p.drawLine(QPointF(x, mid - h), QPointF(x, mid + h))
    # the cut: a strike through the faded bars, as the transcript strikes out words
    a = left + step * (cut.start + 0.1)
    b = left + step * (cut.stop - 0.1)
    p.setPen(
        QPen(QColor("#ffd43b"), max(1.0, s * 0.05), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    )
    p.drawLine(QPointF(a, mid), QPointF(b, mid))
    p.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImage

    app = QGuiApplication(sys.argv[:1])
    images: dict[int, QImage] = {}
    for size in SIZES:
        image = draw(size)
        assert isinstance(image, QImage)
        images[size] = image
        target = OUT / "hicolor" / f"{size}x{size}" / "apps" / "wordcut.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            print(f"cannot write {target}", file=sys.stderr)
            return 1
    # Qt's ico/icns writers take one image; the 256 px one is what Explorer and Finder show.
    for name, fmt, size in (("wordcut.ico", b"ico", 256), ("wordcut.icns", b"icns", 512)):
        if not images[size].save(str(OUT / name), fmt):
            print(f"cannot write {OUT / name} (no {fmt.decode()} image plug-in?)", file=sys.stderr)
            return 1
    del app
    print(f"icons written under {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
