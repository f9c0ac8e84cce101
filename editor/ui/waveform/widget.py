"""The waveform widget: pyqtgraph lanes over the edited programme (or the source, cuts shaded),
a playhead, click to seek, drag to select, wheel/keys/scrollbar to zoom and scroll.

It only paints and routes input: the columns come from :mod:`editor.ui.waveform.lanes`, times
are mapped by its :class:`~editor.ui.waveform.lanes.Programme`, and selection and seeking are
reported as signals in programme seconds for the window to turn into word ranges. This module
imports pyqtgraph, so the window imports it only after the transcript is on screen.

Following the measurements in DESKTOP.md: one ``PlotCurveItem`` per lane with
``connect='pairs'`` and a 1-px cosmetic pen, no downsampling, no fill, no antialiasing, and
``setXRange`` only when the programme's length changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainterPath, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import QGraphicsPathItem, QScrollBar, QVBoxLayout, QWidget

from editor.ui.waveform.items import SelectBox, TimeAxis
from editor.ui.waveform.lanes import (
    Columns,
    PeakSource,
    Programme,
    programme_columns,
    source_columns,
)

Mode = Literal["programme", "source"]
LANE_STEP = 2.3
"""Vertical distance between lane centres (each lane spans -1..1)."""
SCROLL_STEPS = 1000


class WaveformView(QWidget):
    """One lane per track; times in its signals are programme seconds."""

    seekRequested = Signal(float)
    selectionDragged = Signal(float, float)
    """Emitted when a drag to select finishes, ``(start, end)`` in programme seconds."""
    drawn = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Waveform")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(110)
        pg.setConfigOptions(antialias=False, useOpenGL=False)
        self._mode: Mode = "programme"
        self._programme = Programme(np.zeros(0), np.zeros(0), np.zeros(0))
        self._sources: list[tuple[str, PeakSource]] = []
        self._media_end = 0.0
        self._length = -1.0
        self._limit = 0.0
        self._curves: list[pg.PlotCurveItem] = []
        self._labels: list[pg.TextItem] = []
        self._selection: tuple[float, float] | None = None  # programme seconds
        self._playhead_t = 0.0
        self.draws = 0

        self._box = SelectBox(self)
        self._plot = pg.PlotWidget(viewBox=self._box, axisItems={"bottom": TimeAxis("bottom")})
        self._plot.setAccessibleName("Waveform lanes")
        self._plot.hideAxis("left")
        self._plot.setMenuEnabled(False)
        self._plot.hideButtons()
        self._plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._cuts = QGraphicsPathItem()
        self._cuts.setZValue(-10)
        self._box.addItem(self._cuts, ignoreBounds=True)
        self._region = pg.LinearRegionItem(movable=False)
        self._region.setZValue(-5)
        self._region.hide()
        self._box.addItem(self._region, ignoreBounds=True)
        self._playhead = pg.InfiniteLine(angle=90, movable=False)
        self._playhead.setZValue(10)
        self._box.addItem(self._playhead, ignoreBounds=True)

        self._scroll = QScrollBar(Qt.Orientation.Horizontal)
        self._scroll.setAccessibleName("Waveform scroll")
        self._scroll.setRange(0, 0)
        self._scroll.valueChanged.connect(self._scrolled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._plot, 1)
        layout.addWidget(self._scroll)

        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(0)
        self._redraw.timeout.connect(self.redraw)
        self._box.sigXRangeChanged.connect(self._range_changed)
        self.apply_palette()

    # --- data -------------------------------------------------------------------------------

    def set_sources(self, sources: Sequence[tuple[str, PeakSource]], media_end: float) -> None:
        """One lane per ``(label, peaks)``; ``media_end`` is the project clock's length."""
        for item in (*self._curves, *self._labels):
            self._box.removeItem(item)
        self._sources = list(sources)
        self._media_end = media_end
        pen = self._lane_pen()
        self._curves = []
        self._labels = []
        for _i, (label, _) in enumerate(self._sources):
            curve = pg.PlotCurveItem(connect="pairs", pen=pen, antialias=False)
            self._box.addItem(curve)
            self._curves.append(curve)
            text = pg.TextItem(label, anchor=(0, 0), color=self._label_colour())
            text.setZValue(20)
            self._box.addItem(text, ignoreBounds=True)
            self._labels.append(text)
        n = max(1, len(self._sources))
        self._box.setYRange(-LANE_STEP * (n - 1) - 1.05, 1.05, padding=0)
        self._length = -1.0
        self._schedule()

    def set_programme(self, programme: Programme) -> None:
        """The EDL changed: redraw the visible span (the view only moves if the length did)."""
        self._programme = programme
        self._fit_length()
        self._update_cuts()
        self._schedule()

    def set_mode(self, mode: Mode) -> None:
        if mode == self._mode:
            return
        playhead = self._playhead_t
        self._mode = mode
        self._length = -1.0
        self._fit_length()
        self._update_cuts()
        self.set_playhead(playhead)
        self._show_selection()
        self._schedule()

    @property
    def mode(self) -> Mode:
        return self._mode

    def set_playhead(self, programme_seconds: float) -> None:
        self._playhead_t = programme_seconds
        x = self._to_view(programme_seconds)
        self._playhead.setVisible(x is not None)
        if x is not None:
            self._playhead.setValue(x)

    def playhead_x(self) -> float:
        return float(self._playhead.value())

    def set_selection(self, span: tuple[float, float] | None) -> None:
        """Shade ``(start, end)`` programme seconds (the transcript's selection), or nothing."""
        self._selection = span
        self._show_selection()

    def selection(self) -> tuple[float, float] | None:
        return self._selection

    # --- view -------------------------------------------------------------------------------

    def view_range(self) -> tuple[float, float]:
        (x0, x1), _ = self._box.viewRange()
        return float(x0), float(x1)

    def zoom(self, factor: float) -> None:
        """Zoom in (factor < 1) or out around the playhead when it is in view."""
        x0, x1 = self.view_range()
        centre = self._to_view(self._playhead_t)
        if centre is None or not x0 <= centre <= x1:
            centre = (x0 + x1) / 2
        self._set_view(centre - (centre - x0) * factor, centre + (x1 - centre) * factor)

    def zoom_fit(self) -> None:
        self._set_view(0.0, max(self._extent(), 1.0))

    def scroll_by(self, fraction: float) -> None:
        x0, x1 = self.view_range()
        step = (x1 - x0) * fraction
        self._set_view(x0 + step, x1 + step)

    def keep_in_view(self, programme_seconds: float) -> None:
        """Page the view so the playhead stays visible while playing."""
        x = self._to_view(programme_seconds)
        if x is None:
            return
        x0, x1 = self.view_range()
        if not x0 <= x <= x1:
            width = x1 - x0
            self._set_view(x - width * 0.1, x + width * 0.9)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(0.5)
        elif key == Qt.Key.Key_Minus:
            self.zoom(2.0)
        elif key == Qt.Key.Key_0:
            self.zoom_fit()
        elif key == Qt.Key.Key_Left:
            self.scroll_by(-0.25)
        elif key == Qt.Key.Key_Right:
            self.scroll_by(0.25)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._schedule()

    def apply_palette(self) -> None:
        """Take colours from the app palette (light or dark theme)."""
        pal = self.palette()
        self._plot.setBackground(pal.color(QPalette.ColorRole.Base))
        for curve in self._curves:
            curve.setPen(self._lane_pen())
        for text in self._labels:
            text.setColor(self._label_colour())
        accent = pal.color(QPalette.ColorRole.Highlight)
        self._playhead.setPen(pg.mkPen(accent, width=1.5))
        fill = QColor(accent)
        fill.setAlpha(60)
        self._region.setBrush(fill)
        for line in self._region.lines:
            line.setPen(pg.mkPen(accent, width=1))
        shade = QColor(pal.color(QPalette.ColorRole.WindowText))
        shade.setAlpha(34)
        self._cuts.setBrush(shade)
        self._cuts.setPen(QPen(Qt.PenStyle.NoPen))
        axis_pen = pg.mkPen(pal.color(QPalette.ColorRole.Mid))
        axis = self._plot.getAxis("bottom")
        axis.setPen(axis_pen)
        axis.setTextPen(pg.mkPen(pal.color(QPalette.ColorRole.WindowText)))

    # --- drawing ----------------------------------------------------------------------------

    def redraw(self) -> None:
        """Build and set every lane's columns for the visible span (about a millisecond)."""
        x0, x1 = self.view_range()
        width = max(1, int(self._box.width()))
        for i, ((_, src), curve) in enumerate(zip(self._sources, self._curves, strict=True)):
            if self._mode == "programme":
                cols = programme_columns(self._programme, src, x0, x1, width)
            else:
                cols = source_columns(src, x0, x1, width)
            self._set_curve(curve, cols, -LANE_STEP * i)
            self._labels[i].setPos(x0, -LANE_STEP * i + 1.0)
        self.draws += 1
        self.drawn.emit()

    def _set_curve(self, curve: pg.PlotCurveItem, cols: Columns, centre: float) -> None:
        if len(cols.x):
            curve.setData(cols.x, cols.y + centre, connect="pairs")
        else:
            curve.setData([], [])

    def _schedule(self) -> None:
        self._redraw.start()

    def _range_changed(self, *_: object) -> None:
        self._sync_scrollbar()
        self._schedule()

    def _extent(self) -> float:
        return self._programme.duration if self._mode == "programme" else self._media_end

    def _fit_length(self) -> None:
        """Follow the programme's length without touching the axes on every edit.

        A cut shortens the programme by a little each time; moving the view's limits (or its
        range) re-ticks the time axis, which costs more than drawing the lanes. So the limit
        only moves when the length outgrows it or falls well short of it, and the view only
        when it would show mostly nothing past the end.
        """
        length = max(self._extent(), 1.0)
        first = self._length < 0
        limit = self._limit
        if first or length > limit or length < limit * 0.9:
            self._limit = length
            self._box.setLimits(xMin=0.0, xMax=length, minXRange=0.05)
        self._length = length
        x0, x1 = self.view_range()
        width = x1 - x0
        if first or width >= length * 1.05:
            self._set_view(0.0, length)  # the whole programme (it shrank by 5 % or more)
        elif x0 > length - width * 0.5:
            self._set_view(length - width, length)  # the end moved in under the view
        self._sync_scrollbar()

    def _set_view(self, x0: float, x1: float) -> None:
        length = max(self._limit, self._extent(), 1.0)
        width = min(max(x1 - x0, 0.05), length)
        x0 = min(max(0.0, x0), length - width)
        self._box.setXRange(x0, x0 + width, padding=0)

    def _sync_scrollbar(self) -> None:
        x0, x1 = self.view_range()
        length = max(self._extent(), 1e-9)
        page = int(SCROLL_STEPS * min(1.0, (x1 - x0) / length))
        self._scroll.blockSignals(True)
        self._scroll.setRange(0, max(0, SCROLL_STEPS - page))
        self._scroll.setPageStep(max(1, page))
        self._scroll.setValue(int(SCROLL_STEPS * x0 / length))
        self._scroll.blockSignals(False)

    def _scrolled(self, value: int) -> None:
        x0, x1 = self.view_range()
        start = value / SCROLL_STEPS * self._extent()
        self._set_view(start, start + (x1 - x0))

    def _update_cuts(self) -> None:
        path = QPainterPath()
        if self._mode == "source":
            n = max(1, len(self._sources))
            top, bottom = 1.05, -LANE_STEP * (n - 1) - 1.05
            for a, b in self._programme.cuts(self._media_end):
                path.addRect(QRectF(QPointF(a, bottom), QPointF(b, top)))
        self._cuts.setPath(path)

    def _show_selection(self) -> None:
        span = self._selection
        if span is None:
            self._region.hide()
            return
        a, b = self._to_view(span[0]), self._to_view(span[1])
        if a is None or b is None:
            self._region.hide()
            return
        self._region.setRegion((min(a, b), max(a, b)))
        self._region.show()

    def _to_view(self, programme_seconds: float) -> float | None:
        if self._mode == "programme":
            return programme_seconds
        return self._programme.to_source(programme_seconds)

    def _from_view(self, x: float) -> float | None:
        if self._mode == "programme":
            return x
        return self._programme.from_source(x)

    def _lane_pen(self) -> QPen:
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        pen = QPen(colour)
        pen.setWidth(1)
        pen.setCosmetic(True)
        return pen

    def _label_colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.PlaceholderText)

    # --- input from the box -----------------------------------------------------------------

    def clicked_at(self, x: float) -> None:
        t = self._from_view(x)
        if t is not None:
            self.seekRequested.emit(max(0.0, t))

    def dragged(self, a: float, b: float, finished: bool) -> None:
        self._region.setRegion((a, b))
        self._region.show()
        if not finished:
            return
        ta, tb = self._from_view(a), self._from_view(b)
        if ta is None or tb is None:
            return
        self._selection = (ta, tb)
        self.selectionDragged.emit(ta, tb)
