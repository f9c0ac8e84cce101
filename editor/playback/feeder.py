"""The producer: walks the programme through the reader and keeps the ring a few hundred ms full.

The feeder owns everything about *what* plays — the reader, where the render head is, the
speed stage, the loop and selection bounds — and is the ring's only writer. The transport asks
for changes with commands (:meth:`Feeder.submit`, from any thread); :meth:`Feeder.step`, run by
the player's thread, applies them and tops the ring up.

Every change that affects audio already in the ring (seek, edit swap, speed, loop, pause) is a
*splice* at ring index ``k`` a little ahead of the playhead (:data:`SPLICE_MARGIN_S` beyond
what the callback has read, so the callback never waits): the consumer is held at ``k``, the
frames after it are rewritten, and the new audio is crossfaded over :data:`FADE_S` against the
old audio that was already rendered there. The crossfade uses the reader's own
``correlated_fades``: where the old and the new audio are the same (an edit elsewhere in the
episode, carried by source time) their correlation is 1 and the gains sum to one, so the swap
is inaudible and the output equals either side; where they differ the fade is equal-power, with
the reader's click guard falling back to equal gain if the mix would step harder than either
side does.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from editor.errors import PlaybackError
from editor.playback.commands import (
    Command,
    Pause,
    Play,
    Programme,
    Seek,
    SetLoop,
    SetOutput,
    SetSpeed,
    Swap,
)
from editor.playback.events import Ended, Observer, PlaybackFailed
from editor.playback.fades import join
from editor.playback.layout import carry
from editor.playback.ring import Ring
from editor.playback.tempo import Stage
from editor.playback.timeline import Timeline
from render.errors import RenderError
from render.export.program import fold_channels
from render.reader import correlated_fades
from render.sources import Frames

log = logging.getLogger(__name__)

FILL_S = 0.25
"""How far ahead of the playhead the feeder keeps the ring filled."""

CHUNK = 1024
"""Program frames rendered per reader call."""

FADE_S = 0.005
"""Length of a splice's crossfade (and of the fades at pause, resume and a selection's end)."""

SPLICE_MARGIN_S = 0.01
"""Audio beyond the callback's read position that a splice leaves alone, on top of one
callback buffer, so the callback never catches up with the frames being rewritten."""

JUMP_MARGIN_S = 0.001
"""A seek's margin: its audio is rendered before the cut point is chosen, so only the copy
into the ring has to beat the callback."""

HEAD_CHUNKS = 4
"""Chunks rendered for a splice before the consumer is held (~85 ms at 48 kHz)."""

SPLICE_TRIES = 3
"""Attempts at a splice point before giving up on perfect continuity."""

HOLD_TIMEOUT_S = 0.2
"""How long a splice waits for a running callback to finish (a dead stream never does)."""


class Feeder:
    """The ring's producer. ``state`` is ``"paused"``, ``"playing"`` or ``"ending"`` (all of the
    programme is in the ring; the callback is playing out its last frames)."""

    def __init__(
        self,
        programme: Programme,
        ring: Ring,
        timeline: Timeline,
        out_rate: int,
        blocksize: int,
        emit: Observer,
        fill_s: float = FILL_S,
        margin_s: float = SPLICE_MARGIN_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.programme = programme
        self.ring = ring
        self.timeline = timeline
        self.out_rate = out_rate
        self.blocksize = blocksize
        self.fill_s = fill_s
        self.margin_s = margin_s
        self._emit = emit
        self._sleep = sleep
        self.commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self.speed = 1.0
        self.stage = self._new_stage()
        self.state = "paused"
        self.pos = 0
        """Program frame of the next frame to render (the resume point while paused)."""
        self.end_at: int | None = None
        self.loop: tuple[int, int] | None = None
        self.splice: tuple[int, int] = (0, 0)
        """``(ring index, program frame)`` where the newest stretch of audio begins."""
        self.splices = 0
        self.applied = 0
        self._preroll: tuple[tuple[Any, ...], Stage, int, tuple[int, Frames]] | None = None
        """``(what it was rendered for, stage, render head after it, head)``: the audio that
        :meth:`play` will start with, rendered while paused so a play costs no decoding."""
        """Commands applied so far (the transport counts the ones it submitted)."""

    # -- sizes ----------------------------------------------------------------------------------

    @property
    def rate(self) -> int:
        return self.programme.reader.sample_rate

    @property
    def fade(self) -> int:
        return max(1, round(FADE_S * self.out_rate))

    @property
    def target(self) -> int:
        return min(round(self.fill_s * self.out_rate), self.ring.capacity // 2)

    def _new_stage(self) -> Stage:
        return Stage(self.rate, self.out_rate, self.ring.channels, self.speed)

    # -- commands -------------------------------------------------------------------------------

    def submit(self, command: Command) -> None:
        """Queue a change (any thread); the next :meth:`step` applies it."""
        self.commands.put(command)

    def step(self) -> None:
        """Apply queued commands, then top the ring up. Render errors pause and are reported."""
        try:
            while True:
                try:
                    command = self.commands.get_nowait()
                except queue.Empty:
                    break
                try:
                    self._apply(command)
                finally:
                    self.applied += 1
            if self.state == "playing":
                self._fill()
            elif self.state == "paused":
                self._prepare()
            if self.state == "ending" and self.ring.available() == 0:
                self.state = "paused"
                self._emit(Ended(self.pos / self.rate))
        except (RenderError, PlaybackError) as exc:
            self._fail(str(exc))
        except Exception as exc:  # never let the thread die: report it and stop playing
            log.exception("playback failed")
            self._fail(f"playback failed: {exc}")

    def _fail(self, message: str) -> None:
        self.state = "paused"
        self.ring.final = True
        self.ring.release()
        self._emit(PlaybackFailed(message))

    def _apply(self, c: Command) -> None:
        if isinstance(c, Play):
            if c.start is None and c.end is None and self.state != "paused":
                return
            self._splice(lambda here: self._do_play(here, c), jump=c.start is not None)
        elif isinstance(c, Pause):
            if self.state != "paused":
                self._splice(self._do_pause)
        elif isinstance(c, Seek):
            self._splice(lambda here: self._do_seek(c.frame), jump=True)
        elif isinstance(c, Swap):
            self._splice(lambda here: self._do_swap(here, c.programme))
        elif isinstance(c, SetSpeed):
            self.speed = c.speed
            self._splice(lambda here: self._do_seek(here))
        elif isinstance(c, SetLoop):
            self.loop = c.span
            self._splice(lambda here: self._do_seek(here))
        elif isinstance(c, SetOutput):
            self.out_rate = c.rate
            self.stage = self._new_stage()
        else:
            c.event.set()

    def _do_play(self, here: int, c: Play) -> None:
        self.end_at = c.end
        if c.start is not None:
            self.pos = min(max(c.start, 0), self.programme.reader.frames)
        elif self.pos >= self._bound():
            self.pos = 0  # play after the end starts over
        self.state = "playing"

    def _do_pause(self, here: int) -> None:
        self.pos = here
        self.state = "paused"

    def _do_seek(self, frame: int) -> None:
        self.pos = min(max(frame, 0), self.programme.reader.frames)
        if self.state == "ending":
            self.state = "playing"

    def _do_swap(self, here: int, programme: Programme) -> None:
        old = self.programme
        self.pos = carry(old.layout, here, programme.layout)
        self.programme = programme
        if self.end_at is not None:
            self.end_at = min(
                carry(old.layout, self.end_at, programme.layout), programme.reader.frames
            )
        if self.loop is not None:
            a, b = (carry(old.layout, t, programme.layout) for t in self.loop)
            self.loop = (a, b) if b > a else None
        if self.state == "ending":
            self.state = "playing"

    # -- splicing -------------------------------------------------------------------------------

    def _splice_point(self, margin_s: float | None = None) -> int:
        """The ring index a splice would start at now: past the buffer a running callback may
        be copying, plus ``margin_s`` (the feeder's margin by default)."""
        ring = self.ring
        extra = self.margin_s if margin_s is None else margin_s
        margin = self.blocksize + round(extra * self.out_rate)
        return min(ring.read_index + margin, ring.write_index)

    def _splice(self, change: Callable[[int], None], *, jump: bool = False) -> None:
        """Apply ``change(program frame at the splice point)`` and rewrite the ring from there.

        The new audio is rendered *before* the consumer is held, while the callback still
        plays the old audio, so the hold itself lasts only as long as a ring write. A ``jump``
        (a seek: the new audio does not depend on where the old one is cut) renders first and
        then cuts as close to the callback as is safe; any other change must know the frame it
        continues from, so it picks the point first, ``margin_s`` ahead, and if rendering took
        so long that the callback passed it, is redone a little later (at most
        :data:`SPLICE_TRIES` times).
        """
        ring = self.ring
        old = self.programme
        if self.state == "paused" or ring.available() == 0:
            change(self.pos)
            self._commit(ring.write_index, np.zeros((0, ring.channels), dtype=np.float32))
        else:
            saved = self._saved()
            for attempt in range(SPLICE_TRIES):
                k = self._splice_point()
                at = self.timeline.program_at(k)
                self._restore(saved)
                change(self.pos if at is None else round(at))
                self.stage = self._new_stage()
                head = (
                    self._render_head(CHUNK if jump else None) if self.state != "paused" else None
                )
                if jump:
                    k = self._splice_point(JUMP_MARGIN_S)
                self._hold(k)
                if ring.read_index > k and attempt + 1 < SPLICE_TRIES:
                    ring.release()  # too late for this point: the callback has played it
                    continue
                k = max(k, ring.read_index)
                tail = ring.peek(k, min(self.fade, ring.write_index - k))
                ring.rewind(k)
                self.timeline.cut(k)
                self._commit(k, tail, head)
                break
        if self.programme is not old:
            old.reader.close()

    def _preroll_key(self) -> tuple[Any, ...] | None:
        if self.end_at is not None:
            return None
        return (self.programme, self.pos, self.speed, self.loop, self.out_rate)

    def _prepare(self) -> None:
        """While paused, render the head :meth:`play` will need (once per position)."""
        key = self._preroll_key()
        if key is None or (self._preroll is not None and self._preroll[0] == key):
            return
        if self.pos >= self.programme.reader.frames:
            return
        pos, stage = self.pos, self.stage
        self.stage = self._new_stage()
        rendered = self._render_head()
        self._preroll = (key, self.stage, self.pos, rendered)
        self.pos, self.stage = pos, stage

    def _take_preroll(self) -> tuple[int, Frames] | None:
        pre, self._preroll = self._preroll, None
        if pre is None or pre[0] != self._preroll_key():
            return None
        _, self.stage, self.pos, rendered = pre
        return rendered

    def _saved(self) -> tuple[Any, ...]:
        return (self.programme, self.pos, self.state, self.end_at, self.loop)

    def _restore(self, saved: tuple[Any, ...]) -> None:
        self.programme, self.pos, self.state, self.end_at, self.loop = saved

    def _render_head(self, count: int | None = None) -> tuple[int, Frames]:
        """``(program frame, frames)``: the first audio after a splice, enough to cover the fade
        and (by default) to give the feeder some slack before its next round."""
        start = self.pos
        want = HEAD_CHUNKS * CHUNK if count is None else count
        return start, self._render_at_least(max(self.fade, want))

    def _commit(self, k: int, tail: Frames, rendered: tuple[int, Frames] | None = None) -> None:
        """Write the spliced audio at ring index ``k`` (== write index) and let the consumer on."""
        ring = self.ring
        try:
            if self.state != "paused" and rendered is None:
                rendered = self._take_preroll()
                if rendered is None:
                    self.stage = self._new_stage()
                    rendered = self._render_head()
            self.splices += 1
            if self.state == "paused":
                if len(tail):
                    _, fade_out = correlated_fades(len(tail), 0.0)
                    ring.write(tail * fade_out)
                    self.timeline.extend(ring.write_index)
                self.splice = (ring.write_index, self.pos)
                ring.final = True
                return
            assert rendered is not None
            start, head = rendered
            self.timeline.start(k, start, self.stage.ratio)
            self.splice = (k, start)
            # From silence, fade in — except at the programme's very start, which plays exactly
            # as export renders it.
            fade_in = self.fade if start > 0 else 0
            if len(head):
                ring.write(join(tail, head, fade_in))
                self.timeline.extend(ring.write_index)
            ring.final = False
        finally:
            ring.release()

    def _hold(self, k: int) -> None:
        token = self.ring.hold(k)
        waited = 0.0
        while not self.ring.held(token) and waited < HOLD_TIMEOUT_S:
            self._sleep(0.0005)
            waited += 0.0005

    # -- rendering ------------------------------------------------------------------------------

    def _bound(self) -> int:
        """Where the render head must stop (or loop): selection end, loop end, programme end."""
        frames = self.programme.reader.frames
        bound = frames if self.end_at is None else min(self.end_at, frames)
        if self.loop is not None and self.pos <= self.loop[1]:
            bound = min(bound, self.loop[1])
        return bound

    def _chunk(self) -> Frames | None:
        """The device frames of the next program chunk, or ``None`` at the bound."""
        bound = self._bound()
        if self.pos >= bound:
            return None
        n = min(CHUNK, bound - self.pos)
        reader = self.programme.reader
        block = fold_channels(reader.read(self.pos, n), self.ring.channels)
        self.pos += n
        if self.pos >= bound and self.end_at is not None and bound == self.end_at:
            fade = min(self.fade, n)
            block = block.copy()
            block[n - fade :] *= correlated_fades(fade, 0.0)[1]
        return self.stage.process(block)

    def _render_at_least(self, count: int) -> Frames:
        """At least ``count`` device frames from the render head (fewer only at the bound)."""
        parts: list[Frames] = []
        have = 0
        while have < count:
            out = self._chunk()
            if out is None:
                out = self.stage.flush()
                if len(out):
                    parts.append(out)
                break
            parts.append(out)
            have += len(out)
        if not parts:
            return np.zeros((0, self.ring.channels), dtype=np.float32)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _fill(self) -> None:
        ring = self.ring
        while ring.available() < self.target:
            out = self._chunk()
            if out is None:
                self._at_bound()
                return
            if len(out) > ring.space():  # cannot happen with the sizes the player picks
                raise PlaybackError("the playback buffer is too small for one chunk")
            ring.write(out)
            self.timeline.extend(ring.write_index)
            if ring.final:
                ring.final = False

    def _at_bound(self) -> None:
        """The render head reached its bound: loop back, or let the ring play out."""
        ring = self.ring
        if self.loop is not None and self.pos >= self.loop[1] > self.loop[0]:
            # Loop: the audio just past the loop's end fades out under its start.
            reader = self.programme.reader
            tail = fold_channels(reader.read(self.pos, self.fade), ring.channels)
            tail = self.stage.process(tail)[: self.fade]
            k = ring.write_index
            self.pos = self.loop[0]
            self.stage = self._new_stage()
            self.timeline.start(k, self.pos, self.stage.ratio)
            self.splice = (k, self.pos)
            head = self._render_at_least(max(len(tail), self.fade))
            if len(head) <= ring.space():
                ring.write(join(tail, head, self.fade))
                self.timeline.extend(ring.write_index)
            return
        rest = self.stage.flush()
        if len(rest) and len(rest) <= ring.space():
            ring.write(rest)
            self.timeline.extend(ring.write_index)
        ring.final = True
        self.state = "ending"
