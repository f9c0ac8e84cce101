"""Playback from the window on a fake audio device (tests/playback/fakes.py): the real player
and its feeder thread, a stream whose callback the test runs — so the playhead, the highlighted
word and an edit landing mid-play are checked without a sound card or sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.playback.fakes import FakeBackend


@pytest.fixture
def backend(ctx: Any) -> FakeBackend:
    from editor.playback import Player

    fake = FakeBackend()

    def factory(edl: Any, words: Any, device: str) -> Any:
        return Player(edl, words=words, device=device or None, backend=fake, clock=fake.clock)

    ctx.player_factory = factory
    return fake


@pytest.fixture
def playing(window: Any, backend: FakeBackend, qtbot: Any) -> Iterator[Any]:
    window.view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.transport.playing
    yield window


def _play_until(qtbot: Any, backend: FakeBackend, done: Any, timeout: int = 10_000) -> None:
    """Run the fake device's callback (100 ms per call) until ``done()``."""

    def step() -> bool:
        backend.stream.run(4800)
        return bool(done())

    qtbot.waitUntil(step, timeout=timeout)


def test_play_moves_playhead_and_highlight(playing: Any, backend: FakeBackend, qtbot: Any) -> None:
    w = playing
    _play_until(qtbot, backend, lambda: w.transport.position > 3.0)
    assert w.waveform.view.playhead_x() > 2.5
    qtbot.waitUntil(lambda: w.model.playing is not None)
    first = w.model.playing
    _play_until(qtbot, backend, lambda: w.model.playing not in (None, first))
    assert "0:0" in w.transport_bar.time.text()
    qtbot.keyClick(w, Qt.Key.Key_K)  # K pauses where it is
    assert not w.transport.playing
    player = w.transport.player
    assert player is not None
    qtbot.waitUntil(lambda: not player.playing)  # the feeder thread took the pause
    backend.stream.run(4800)  # the fade out
    at = player.position()
    backend.stream.run(4800)  # the device keeps calling back (with silence)
    w.transport._poll()  # a poll, as the timer would (stopped now) — the playhead stays
    assert w.transport.position == pytest.approx(at, abs=0.05)


def test_edit_during_playback_keeps_playing(playing: Any, backend: FakeBackend, qtbot: Any) -> None:
    w = playing
    _play_until(qtbot, backend, lambda: w.transport.position > 2.0)
    spans = w.controller.programme_map().spans()
    ahead = [wid for wid, a, _ in spans if a > w.transport.position + 3.0][:5]
    length = w.transport.duration()
    assert w.controller.cut([(ahead[0], ahead[-1])])
    assert w.transport.duration() < length
    assert w.transport.playing and len(backend.streams) == 1  # no restart, same stream
    heard: list[str] = []
    w.transport.wordChanged.connect(lambda wid: heard.append(wid) if wid else None)
    after = spans[spans.index(next(s for s in spans if s[0] == ahead[-1])) + 3][0]
    span = w.controller.programme_map().word_span(after)  # where it plays now, after the cut
    assert span is not None
    _play_until(qtbot, backend, lambda: w.transport.position > span[1])
    assert heard and w.transport.playing
    player = w.transport.player
    assert player is not None  # it plays the edited programme: the swap happened in place
    assert player.duration == pytest.approx(w.transport.duration(), abs=0.02)
    assert player.duration < length - 0.5


def test_play_selection_stops_at_its_end(window: Any, backend: FakeBackend, qtbot: Any) -> None:
    w = window
    spans = w.controller.programme_map().spans()
    first, last = spans[5][0], spans[8][0]
    w.view.select_range(first, last)
    w.acts.play_selection.trigger()
    assert w.transport.playing
    _play_until(qtbot, backend, lambda: not w.transport.playing)
    assert w.transport.position == pytest.approx(spans[8][2], abs=0.15)


def test_no_audio_device_is_one_clear_error(window: Any, ctx: Any, qtbot: Any) -> None:
    from editor.errors import PlaybackError

    def no_device(edl: Any, words: Any, device: str) -> Any:
        raise PlaybackError("no audio output device found")

    ctx.player_factory = no_device
    window.acts.play.trigger()
    assert not window.transport.playing
    assert ctx.errors.history[-1][:2] == ("no audio output device found", False)
    window.controller.cut([(window.model.words[0].key, window.model.words[0].key)])  # still edits
