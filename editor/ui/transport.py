"""Transport: play/pause, J/K/L, seek, play selection, speed — driving ``editor.playback``.

The player is Qt-free and owns the audio callback; this object only tells it what to do and
polls ``position()`` with a timer (the callback never touches Qt). Each poll maps the programme
position to the word playing through the controller's programme map, so the transcript can
highlight it and the waveform move its playhead.

Edits during playback: when the programme changes, the new EDL goes to the player with
``set_edl`` (it swaps at its next block, without reopening the stream) and the player keeps the
playhead on the same moment of the recording, wherever the cut moved it in programme time.

The player is opened on first use, so a machine without an audio device opens projects, edits
and exports; pressing play there reports one clear line and nothing else changes.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from editor.ui.editing import EditController
from render.edl import Edl

log = logging.getLogger(__name__)

POLL_MS = 30
SPEEDS = (1.0, 1.25, 1.5, 2.0)
"""What ``editor.playback.tempo.SPEEDS`` offers (not imported: it loads PyAV at startup)."""
JUMP_SECONDS = 5.0


class Player(Protocol):
    """What the transport needs of ``editor.playback.Player``."""

    def play(self) -> None: ...
    def play_range(self, start: float, end: float) -> None: ...
    def pause(self) -> None: ...
    def seek(self, seconds: float) -> None: ...
    def set_edl(self, edl: Edl, words: Any = None) -> None: ...
    def set_speed(self, speed: float) -> None: ...
    def position(self) -> float: ...
    def subscribe(self, observer: Callable[[Any], None]) -> Callable[[], None]: ...
    def close(self) -> None: ...

    @property
    def playing(self) -> bool: ...


PlayerFactory = Callable[[Edl, Any, str], Player]
"""``(edl, programme map, device name) -> player``; tests pass one with a fake device."""


def default_player(edl: Edl, words: Any, device: str) -> Player:
    from editor.playback import Player as SoundDevicePlayer  # sounddevice loads on creation

    player: Player = SoundDevicePlayer(edl, words=words, device=device or None)
    return player


class Transport(QObject):
    positionChanged = Signal(float)
    """Programme seconds, at every poll while playing and after every seek."""
    playingChanged = Signal(bool)
    wordChanged = Signal(object)
    """The word id now playing (None in a pause or a clip)."""
    speedChanged = Signal(float)
    _player_event = Signal(object)
    """Player events arrive on its feeder thread; this queued signal brings them here."""

    def __init__(
        self,
        controller: EditController,
        report: Callable[[BaseException], None],
        *,
        factory: PlayerFactory = default_player,
        device: Callable[[], str] = lambda: "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._report = report
        self._factory = factory
        self._device = device
        self._player: Player | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._playing = False
        self._position = 0.0
        self._speed = 1.0
        self._word: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._player_event.connect(self._on_player_event)
        controller.programmeChanged.connect(self._programme_changed)
        controller.settled.connect(self._settled)

    # --- state ------------------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def position(self) -> float:
        return self._position

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def player(self) -> Player | None:
        return self._player

    def duration(self) -> float:
        edl = self._controller.edl()
        return edl.range_frames() / edl.sample_rate + sum(self._controller.clip_seconds())

    # --- commands ---------------------------------------------------------------------------

    def toggle(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        self._command(lambda p: p.play())

    def play_span(self, start: float, end: float) -> None:
        """Play ``[start, end)`` programme seconds, then stop (play selection)."""
        if end > start:
            self._command(lambda p: p.play_range(start, end))

    def pause(self) -> None:
        if self._player is not None:
            self._player.pause()
        self._set_playing(False)
        self._publish(self._position)

    def stop(self) -> None:
        self.pause()
        self.seek(0.0)

    def seek(self, seconds: float) -> None:
        seconds = min(max(0.0, seconds), max(0.0, self.duration()))
        self._position = seconds
        if self._player is not None:
            try:
                self._player.seek(seconds)
            except Exception as exc:
                self._report(exc)
        self._publish(seconds)

    def seek_word(self, word_id: str) -> None:
        span = self._controller.programme_map().word_span(word_id)
        if span is not None:
            self.seek(span[0])

    def step_word(self, direction: int) -> None:
        """Move the playhead to the next (+1) or previous (-1) kept word's start."""
        starts = [s for _, s, _ in self._controller.programme_map().spans()]
        if not starts:
            return
        t = self._position
        if direction > 0:
            i = bisect.bisect_right(starts, t + 1e-3)
            self.seek(starts[min(i, len(starts) - 1)])
        else:
            i = bisect.bisect_left(starts, t - 0.05) - 1
            self.seek(starts[i] if i >= 0 else 0.0)

    def home(self) -> None:
        self.seek(0.0)

    def end(self) -> None:
        self.seek(self.duration())

    def set_speed(self, speed: float) -> None:
        speed = min(SPEEDS, key=lambda s: abs(s - speed))
        self._speed = speed
        if self._player is not None:
            try:
                self._player.set_speed(speed)
            except Exception as exc:
                self._report(exc)
        self.speedChanged.emit(speed)

    def key_j(self) -> None:
        """J: jump back five seconds; playback goes on from there."""
        self.seek(self._position - JUMP_SECONDS)

    def key_k(self) -> None:
        """K: pause where it is."""
        self.pause()

    def key_l(self) -> None:
        """L: play; pressed again while playing, faster."""
        if not self._playing:
            self.play()
            return
        faster = [s for s in SPEEDS if s > self._speed]
        if faster:
            self.set_speed(faster[0])

    def release_player(self) -> None:
        """Close the player (keeping the playhead); the next play opens one on the current
        device setting."""
        self.pause()
        self.close()

    def close(self) -> None:
        self._timer.stop()
        self._set_playing(False)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        player, self._player = self._player, None
        if player is not None:
            try:
                player.close()
            except Exception:
                log.exception("closing the player failed")

    # --- internals --------------------------------------------------------------------------

    def _command(self, fn: Callable[[Player], None]) -> None:
        player = self._ensure_player()
        if player is None:
            return
        try:
            fn(player)
        except Exception as exc:  # no device any more, an empty selection
            self._report(exc)
            return
        self._set_playing(True)

    def _ensure_player(self) -> Player | None:
        if self._player is None:
            c = self._controller
            try:
                # No word map for the player: this object maps positions to words itself,
                # lazily, so an edit never waits for a map nobody reads yet.
                player = self._factory(c.edl(), None, self._device())
            except Exception as exc:  # no device, no PortAudio, an unreadable source
                self._report(exc)
                return None
            self._player = player
            self._unsubscribe = player.subscribe(self._player_event.emit)
            try:
                if self._speed != 1.0:
                    player.set_speed(self._speed)
                player.seek(self._position)
            except Exception as exc:
                self._report(exc)
        return self._player

    def _set_playing(self, playing: bool) -> None:
        if playing:
            self._timer.start()
        else:
            self._timer.stop()
        if playing != self._playing:
            self._playing = playing
            self.playingChanged.emit(playing)

    def _poll(self) -> None:
        player = self._player
        if player is None:
            return
        self._position = player.position()
        if not player.playing:
            self._set_playing(False)
        self._publish(self._position)

    def _on_player_event(self, event: Any) -> None:
        from editor.errors import PlaybackError
        from editor.playback import Ended

        if isinstance(event, Ended):
            self._set_playing(False)
            self._position = float(event.position)
            self._publish(self._position)
            return
        self._set_playing(False)
        message = getattr(event, "message", None) or str(event)
        self._report(PlaybackError(f"playback stopped: {message}"))

    def _publish(self, t: float, *, word: bool = True) -> None:
        if word:
            wid = self._controller.programme_map().word_at(t)
            if wid != self._word:
                self._word = wid
                self.wordChanged.emit(wid)
        self.positionChanged.emit(t)

    def _programme_changed(self) -> None:
        """Hand the edited programme to the player: it swaps at its next block, without a
        restart, and keeps the playhead on the same moment of the recording."""
        if self._player is not None:
            try:
                self._player.set_edl(self._controller.edl())
                self._position = self._player.position()
            except Exception as exc:
                self._report(exc)
        else:
            self._position = min(self._position, self.duration())
        self._publish(self._position, word=False)  # the next poll (or settling) maps the word

    def _settled(self) -> None:
        if not self._playing:
            self._publish(self._position)
