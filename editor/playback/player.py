"""The transport: one object the CLI and the desktop app drive to play a programme.

::

    player = Player(edl, words=program_map)      # opens the default device, stays silent
    player.subscribe(on_event)                   # Ended / DeviceLost / PlaybackFailed
    player.play(); player.seek(12.5); player.seek_word("w123"); player.pause()
    player.set_edl(new_edl, words=new_map)       # an edit landed: no restart, no gap
    player.set_speed(1.5); player.loop(10.0, 14.0); player.play_range(3.0, 5.5)
    player.position(); player.current_word()     # poll these from a GUI timer
    player.close()

Every method is safe to call from the GUI thread and returns at once: changes are handed to the
feeder thread as commands, and :meth:`position` reflects a seek immediately. One callback
``OutputStream`` stays open from construction to :meth:`close`, playing zeros while paused —
never reopened per play or seek, never restarted on an edit. Errors that happen later (the
device vanished, a source became unreadable) pause playback and reach observers as events on
the feeder thread; a Qt adapter re-emits them through a queued signal.

While playing, ``sys.setswitchinterval`` is lowered to :data:`SWITCH_INTERVAL_S`: the callback
needs the GIL, and at the default 5 ms a busy GUI thread (50 ms bursts of Python) kept it
waiting past the stream's latency (see docs/benchmarks.md for the measurement).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from editor.errors import PlaybackError
from editor.playback import commands as fd
from editor.playback import feeder
from editor.playback.callback import Callback
from editor.playback.devices import (
    BLOCKSIZE,
    LATENCY,
    Backend,
    OutputDevice,
    SoundDeviceBackend,
    Stream,
    choose_device,
    device_rate,
)
from editor.playback.events import DeviceLost, Observer, Observers, PlaybackStats
from editor.playback.pool import SourcePool
from editor.playback.priority import (
    CALLBACK_PRIORITY,
    FEEDER_PRIORITY,
    SWITCH_INTERVAL,
    make_realtime,
)
from editor.playback.ring import Ring
from editor.playback.tempo import check_speed
from editor.playback.timeline import Timeline
from render.edl import Edl
from render.reader import EdlReader
from render.sources import SourceOpener, open_source

log = logging.getLogger(__name__)

POLL_S = 0.004
"""How often the feeder thread wakes to top the ring up and watch the device."""

STALL_S = 5.0
"""A stream whose callback has not run for this long has lost its device. A new PulseAudio
stream can pause 0.6–2 s (on a loaded machine) while its sink wakes up, so less would cry
wolf; a device that really goes away usually ends the stream at once (``finished``)."""


class Player:
    """Plays an EDL's programme on an output device; see the module docstring.

    ``programme`` is an :class:`~render.edl.Edl` or an :class:`EdlReader` (its EDL is opened
    again, so the player has sources of its own). Files are opened through ``opener`` (the
    reader's ``open_source`` by default; the app can map tracks to their import caches) into a
    :class:`~editor.playback.pool.SourcePool` that every later programme shares. ``words`` is
    the ``sync.derive.ProgramMap`` of the same EDL, for :meth:`seek_word` and
    :meth:`current_word`. ``device`` is an index, a name or a unique part of one (default
    output when ``None``). ``latency`` is the output latency asked
    of PortAudio and ``splice_margin_s`` the audio a seek or edit leaves untouched ahead of the
    callback: raise both on a heavily loaded machine. ``lower_switch_interval=False`` leaves
    the interpreter alone (the benchmark compares both); ``realtime=False`` does not ask for
    real-time scheduling of the callback and feeder threads (:mod:`.priority`).
    ``threaded=False`` runs no thread: the caller calls :meth:`pump` (tests do, with a fake
    backend).

    Raises :class:`PlaybackError` when there is no usable device or no PortAudio, and the
    reader's ``MediaError``/``EdlError`` when the programme cannot be opened.
    """

    def __init__(
        self,
        programme: Edl | EdlReader,
        *,
        words: Any = None,
        device: str | int | None = None,
        backend: Backend | None = None,
        fill_s: float = feeder.FILL_S,
        latency: float = LATENCY,
        splice_margin_s: float = feeder.SPLICE_MARGIN_S,
        lower_switch_interval: bool = True,
        realtime: bool = True,
        threaded: bool = True,
        clock: Callable[[], float] = time.perf_counter,
        opener: SourceOpener = open_source,
    ) -> None:
        self._backend = backend if backend is not None else SoundDeviceBackend()
        self._pool = SourcePool(opener)
        edl = programme.edl if isinstance(programme, EdlReader) else programme
        try:
            reader = EdlReader(edl, self._pool.open)
        except BaseException:
            self._pool.close()
            raise
        self._observers = Observers()
        self._emit = self._observers.emit
        self._lower = lower_switch_interval
        self._lowered = False
        self._closed = False
        self._lost = False
        self._stream: Stream | None = None
        self._stream_ended = threading.Event()
        self._clock = clock
        self._play_origin = 0
        self._latency = latency
        self._realtime = realtime
        self._submitted = 0
        self._hint: tuple[int, int] | None = None
        """``(commands submitted, program frame)``: the playhead a seek asked for, shown until
        the feeder has applied that many commands."""
        try:
            self.device = choose_device(self._backend.devices(), device)
            channels = 1 if reader.channels == 1 or self.device.channels < 2 else 2
            rate = device_rate(self._backend, self.device, reader.sample_rate, channels)
            capacity = round(fill_s * 4 * max(rate, 48000)) + 16 * feeder.CHUNK
            self._ring = Ring(capacity, channels)
            self._timeline = Timeline()
            self._callback = Callback(self._ring, 0.0, clock)
            self._feeder = feeder.Feeder(
                fd.Programme.open(reader, words),
                self._ring,
                self._timeline,
                rate,
                BLOCKSIZE,
                self._emit,
                fill_s,
                splice_margin_s,
            )
            self._open_stream(rate)
        except BaseException:
            reader.close()
            self._pool.close()
            raise
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="wordcut-playback", daemon=True)
            self._thread.start()

    # -- the device -----------------------------------------------------------------------------

    def _open_stream(self, rate: int) -> None:
        self._stream_ended.clear()
        if self._realtime:
            self._callback.arm(lambda: make_realtime(CALLBACK_PRIORITY))
        self._stream = self._backend.open(
            self.device,
            rate,
            self._ring.channels,
            self._callback,
            self._stream_ended.set,
            self._latency,
            BLOCKSIZE,
        )
        self.device_rate = rate
        self._callback.latency_s = float(self._stream.latency)
        self._callback.last_call = self._clock()
        self._lost = False

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        with contextlib.suppress(Exception):  # a vanished device may refuse even this
            stream.abort()
        with contextlib.suppress(Exception):
            stream.close()

    @staticmethod
    def devices(backend: Backend | None = None) -> list[OutputDevice]:
        """The output devices PortAudio sees (the default one has ``is_default``)."""
        return (backend if backend is not None else SoundDeviceBackend()).devices()

    def set_device(self, device: str | int | None) -> None:
        """Move playback to another device (paused; :meth:`play` resumes where it was).

        Works after :class:`DeviceLost` too: the device list is read again first. On failure
        (:class:`PlaybackError`) the player stays without a device until another call succeeds.
        """
        self.pause()
        self._sync()
        self._close_stream()
        self._backend.refresh()
        self.device = choose_device(self._backend.devices(), device)
        rate = device_rate(self._backend, self.device, self._feeder.rate, self._ring.channels)
        if rate != self._feeder.out_rate:
            self._feeder.submit(fd.SetOutput(rate))
            self._sync()
        self._open_stream(rate)

    # -- transport ------------------------------------------------------------------------------

    @property
    def sample_rate(self) -> int:
        return self._feeder.rate

    @property
    def duration(self) -> float:
        """Length of the current programme in seconds."""
        return self._feeder.programme.reader.frames / self._feeder.rate

    @property
    def playing(self) -> bool:
        return self._feeder.state != "paused"

    @property
    def speed(self) -> float:
        return self._feeder.speed

    def _frame(self, seconds: float) -> int:
        return round(max(0.0, seconds) * self._feeder.rate)

    def play(self) -> None:
        """Play from the playhead (from the start if it is at the end)."""
        self._check_device()
        self._play_origin = self._frame(self.position())
        self._submit(fd.Play())

    def play_range(self, start: float, end: float) -> None:
        """Play the selection ``[start, end)`` program seconds, then stop at its end."""
        self._check_device()
        a, b = self._frame(start), self._frame(end)
        if b <= a:
            raise PlaybackError(f"the selection {start:g}–{end:g} s is empty")
        self._play_origin = a
        self._submit(fd.Play(a, b))

    def pause(self) -> None:
        """Stop the sound (a few ms fade), keeping the playhead."""
        self._submit(fd.Pause())

    def toggle(self) -> None:
        """Space bar: pause when playing, play when paused."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def stop(self) -> None:
        """Pause and return the playhead to where playback last started."""
        self._submit(fd.Pause())
        self._submit(fd.Seek(self._play_origin))

    def seek(self, seconds: float) -> None:
        """Move the playhead to a program time (audible within a few tens of ms when playing)."""
        self._submit(fd.Seek(self._frame(seconds)))

    def seek_word(self, word_id: str) -> None:
        """Move the playhead to the start of a kept word."""
        span = self._word_span(word_id)
        self.seek(span[0])

    def _word_span(self, word_id: str) -> tuple[float, float]:
        words = self._feeder.programme.words
        if words is None:
            raise PlaybackError("this programme has no transcript to find words in")
        span = words.word_span(word_id)
        if span is None:
            raise PlaybackError(f"word {word_id!r} is cut or unknown, so it does not play")
        return (float(span[0]), float(span[1]))

    def loop(self, start: float | None, end: float | None = None) -> None:
        """Loop ``[start, end)`` program seconds while playing; ``loop(None)`` ends looping."""
        if start is None or end is None:
            self._submit(fd.SetLoop(None))
            return
        a, b = self._frame(start), self._frame(end)
        if b <= a:
            raise PlaybackError(f"the loop {start:g}–{end:g} s is empty")
        self._submit(fd.SetLoop((a, b)))

    def set_speed(self, speed: float) -> None:
        """Playback speed with the pitch kept (1.0, 1.25, 1.5, 2.0 offered)."""
        self._submit(fd.SetSpeed(check_speed(speed)))

    def set_edl(self, edl: Edl, words: Any = None) -> None:
        """Swap in an edited programme; the playhead stays on the same moment of the recording.

        The new reader is opened here, so a bad EDL (a missing clip, a range past the audio)
        raises at once and the current programme plays on untouched.
        """
        reader = EdlReader(edl, self._pool.open)
        try:
            programme = fd.Programme.open(reader, words)
        except BaseException:
            reader.close()
            raise
        self._submit(fd.Swap(programme))

    def _check_device(self) -> None:
        if self._lost or self._stream is None:
            raise PlaybackError(
                f"the audio device {self.device.name!r} is gone; choose another one"
            )

    def _submit(self, command: fd.Command) -> None:
        if self._closed:
            raise PlaybackError("the player is closed")
        self._feeder.submit(command)
        self._submitted += 1
        if isinstance(command, fd.Seek) or (
            isinstance(command, fd.Play) and command.start is not None
        ):
            self._hint = (
                self._submitted,
                command.frame if isinstance(command, fd.Seek) else command.start or 0,
            )
        if self._thread is not None:
            self._wake.set()

    def _sync(self, timeout: float = 2.0) -> None:
        """Wait until every command submitted so far has been applied."""
        if self._thread is None:
            self.pump()
            return
        mark = threading.Event()
        self._submit(fd.Mark(mark))
        mark.wait(timeout)

    # -- the playhead ---------------------------------------------------------------------------

    def _now(self) -> float:
        stream = self._stream
        if stream is None:
            return self._clock()
        try:
            return float(stream.time)
        except Exception:
            return self._clock()

    def position_frame(self) -> float:
        """The program frame being heard now: frames played minus the output latency."""
        feeder = self._feeder
        hint = self._hint
        if hint is not None and feeder.applied < hint[0]:
            return float(hint[1])
        if feeder.state == "paused":
            return float(feeder.pos)
        k, program = feeder.splice
        first, dac, n = self._callback.heard
        heard = first + (self._now() - dac) * feeder.out_rate
        heard = min(heard, first + n)
        if heard < k:
            return float(program)
        at = self._timeline.program_at(heard)
        return float(program) if at is None else at

    def position(self) -> float:
        """The playhead in program seconds (poll it from a GUI timer)."""
        return self.position_frame() / self._feeder.rate

    def current_word(self) -> str | None:
        """The id of the word being heard, or ``None`` in a pause, a clip or without words."""
        words = self._feeder.programme.words
        if words is None:
            return None
        word: str | None = words.word_at(self.position())
        return word

    def stats(self) -> PlaybackStats:
        cb = self._callback
        p50, p99 = cb.duration_percentiles()
        return PlaybackStats(
            callbacks=cb.calls,
            underruns=cb.underruns,
            status_flags=cb.status_flags,
            output_underflows=cb.output_underflows,
            callback_p50_s=p50,
            callback_p99_s=p99,
            buffer_s=BLOCKSIZE / self.device_rate,
            latency_s=cb.latency_s,
            device=self.device.name,
            device_rate=self.device_rate,
        )

    # -- events ---------------------------------------------------------------------------------

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer(event)`` on the feeder thread for each event; returns unsubscribe."""
        return self._observers.subscribe(observer)

    # -- the feeder thread ----------------------------------------------------------------------

    def pump(self) -> None:
        """One round of the feeder thread's work (tests without a thread call it)."""
        self._feeder.step()
        self._watch()
        self._track_switch_interval()
        self._timeline.prune(self._ring.read_index - self._ring.capacity)

    def _run(self) -> None:
        if self._realtime:
            make_realtime(FEEDER_PRIORITY)
        while not self._closed:
            self.pump()
            self._wake.wait(POLL_S)
            self._wake.clear()

    def _watch(self) -> None:
        """Notice a stream that stopped calling back: its device is gone."""
        if self._lost or self._stream is None:
            return
        stalled = self._clock() - self._callback.last_call > STALL_S
        if not (stalled or self._stream_ended.is_set()):
            return
        self._lost = True
        self._feeder.submit(fd.Pause())
        self._emit(
            DeviceLost(
                self.device.name,
                f"the audio device {self.device.name!r} stopped playing; "
                "playback is paused, choose another device to go on",
            )
        )

    def _track_switch_interval(self) -> None:
        want = self._lower and self.playing and not self._closed
        if want and not self._lowered:
            SWITCH_INTERVAL.lower()
            self._lowered = True
        elif not want and self._lowered:
            SWITCH_INTERVAL.restore()
            self._lowered = False

    # -- lifetime -------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the thread and the stream, close the reader; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._wake.set()
            self._thread.join(timeout=5.0)
        self._close_stream()
        self._track_switch_interval()
        self._feeder.programme.reader.close()
        self._pool.close()

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
