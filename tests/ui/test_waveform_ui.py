"""The waveform in the window: click seeks, a drag selects the words under it in the
transcript, a transcript selection shades its span, source mode shades the cuts."""

from __future__ import annotations

from typing import Any

import pytest


def test_click_seeks_and_drag_selects_words(window: Any, qtbot: Any) -> None:
    wave = window.waveform.view
    spans = window.controller.programme_map().spans()
    wave.clicked_at(spans[20][1] + 0.01)
    assert window.transport.position == pytest.approx(spans[20][1] + 0.01, abs=1e-6)
    assert wave.playhead_x() == pytest.approx(window.transport.position)
    a, b = spans[30][1] + 0.01, spans[35][2] - 0.01
    wave.dragged(a, b, True)
    selection = window.view.selection()
    assert (selection.first, selection.last) == (spans[30][0], spans[35][0])
    qtbot.waitUntil(lambda: wave.selection() is not None)  # shaded back from the transcript
    lo, hi = wave.selection()
    assert lo == pytest.approx(spans[30][1]) and hi == pytest.approx(spans[35][2])


def test_source_mode_shades_cuts_and_maps_clicks(window: Any, qtbot: Any) -> None:
    wave = window.waveform.view
    ids = [t.key for t in window.model.words]
    window.controller.cut([(ids[40], ids[60])])
    window.acts.source_timeline.setChecked(True)
    assert wave.mode == "source"
    assert not wave._cuts.path().isEmpty()
    _, x1 = wave.view_range()
    assert x1 > window.transport.duration()  # the whole recording, longer than the programme
    word = window.controller.document.word(ids[70])
    wave.clicked_at(word.start + 0.01)  # a click on the source timeline seeks the programme
    span = window.controller.programme_map().word_span(ids[70])
    assert window.transport.position == pytest.approx(span[0] + 0.01, abs=0.02)
    cut_word = window.controller.document.word(ids[50])
    before = window.transport.position
    wave.clicked_at(cut_word.start)  # inside a cut: nothing plays there, nothing moves
    assert window.transport.position == before
    window.acts.source_timeline.setChecked(False)
    assert wave.mode == "programme" and wave._cuts.path().isEmpty()


def test_zoom_and_scroll(window: Any) -> None:
    wave = window.waveform.view
    wave.zoom_fit()
    x0, x1 = wave.view_range()
    wave.zoom(0.25)
    y0, y1 = wave.view_range()
    assert (y1 - y0) == pytest.approx((x1 - x0) * 0.25, rel=0.01)
    wave.scroll_by(0.5)
    z0, _ = wave.view_range()
    assert z0 > y0
    assert wave._scroll.value() > 0
