"""Connects the waveform widget to the open project: lanes from the tracks' peak caches, the
programme from the controller, the playhead from transport, and the selection both ways (a drag
on the waveform selects those words in the transcript; a transcript selection shades its span).
"""

from __future__ import annotations

import contextlib
import math
from typing import TYPE_CHECKING, Any

from editor.ui.waveform.lanes import PeakSource, Programme
from editor.ui.waveform.widget import WaveformView

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from editor.ui.main_window import EditorWindow


class WaveformBinding:
    def __init__(self, window: EditorWindow, host: QWidget) -> None:
        self.window = window
        self.view = WaveformView(host)
        layout = host.layout()
        assert layout is not None
        layout.addWidget(self.view)
        self._connections: list[tuple[Any, Any]] = []
        self.view.seekRequested.connect(window.transport.seek)
        self.view.selectionDragged.connect(self._dragged)
        self._link(window.controller.programmeChanged, self.refresh)
        self._link(window.controller.settled, self._reselect)
        self._link(window.controller.tracksChanged, self.load)
        self._link(window.transport.positionChanged, self._position)
        self._link(window.view.selectionChanged, self._transcript_selection)
        acts = window.acts
        self._link(acts.source_timeline.toggled, self._source_mode)
        self._link(acts.zoom_in.triggered, lambda: self.view.zoom(0.5))
        self._link(acts.zoom_out.triggered, lambda: self.view.zoom(2.0))
        self._link(acts.zoom_fit.triggered, self.view.zoom_fit)

    def _link(self, signal: Any, slot: Any) -> None:
        signal.connect(slot)
        self._connections.append((signal, slot))

    def load(self) -> None:
        w = self.window
        lanes: list[tuple[str, PeakSource]] = []
        end = 0.0
        for t in w.project.tracks:
            cache = t.cache()
            if cache is None:
                continue
            gain = 10 ** (t.record.gain_db / 20)
            lanes.append((t.label, PeakSource(cache.peaks, t.record.clock_offset, gain)))
            end = max(end, t.record.clock_offset + cache.duration)
        media_end = w.project.document.media_end()
        if media_end is not None and math.isfinite(media_end):
            end = max(end, float(media_end))
        self.view.set_sources(lanes, end)
        self.view.set_mode("source" if w.acts.source_timeline.isChecked() else "programme")
        self.refresh()
        self.view.show()

    def refresh(self) -> None:
        """The programme changed: redraw now (about a millisecond); the selection's shading
        needs the word map and follows when the edits settle."""
        c = self.window.controller
        self.view.set_programme(Programme.of(c.edl(), c.clip_seconds()))
        self.view.set_selection(None)
        self.view.set_playhead(self.window.transport.position)

    def _reselect(self) -> None:
        self._transcript_selection(self.window.view.selection())

    def _position(self, t: float) -> None:
        self.view.set_playhead(t)
        if self.window.transport.playing:
            self.view.keep_in_view(t)

    def _source_mode(self, on: bool) -> None:
        self.view.set_mode("source" if on else "programme")

    def _transcript_selection(self, selection: Any) -> None:
        ids = _ids(selection)
        if ids is None:
            self.view.set_selection(None)
            return
        self.view.set_selection(self.window.controller.programme_span(*ids))

    def _dragged(self, start: float, end: float) -> None:
        """Select the kept words whose audio the dragged span covers."""
        spans = self.window.controller.programme_map().spans()
        inside = [w for w, a, b in spans if b > start and a < end]
        if inside:
            self.window.view.select_range(inside[0], inside[-1])

    def close(self) -> None:
        for signal, slot in self._connections:
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(slot)
        self._connections.clear()


def _ids(selection: Any) -> tuple[str, str] | None:
    """``(first, last)`` from what the view reports (a pair, a Selection, or None)."""
    if selection is None:
        return None
    if isinstance(selection, tuple | list) and len(selection) == 2:
        return str(selection[0]), str(selection[1])
    first, last = getattr(selection, "first", None), getattr(selection, "last", None)
    if first is None or last is None:
        return None
    return str(first), str(last)
