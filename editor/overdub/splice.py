"""The splice backend: the corrected line assembled from the speaker's own recorded words.

No model and no network: every sound in the clip is the host's real voice from this project.

Choosing units. The requested tokens are covered left to right by *units*: runs of consecutive
recorded words (same track, no other word between, no long pause inside) whose tokens equal a
run of the requested ones. A dynamic programme picks the cheapest cover, where every unit costs
a join — so a whole recorded phrase beats the same words gathered one by one — plus how badly it
fits its new place:

* phrase position: a word said at the start or end of a phrase (after or before a pause) carries
  that intonation, so it fits the start or end of the line (or a comma) and not the middle;
* neighbours: a unit whose recorded neighbour is the requested neighbour was co-articulated into
  the right sound, which is rewarded;
* duration: a single word far longer or shorter than the speaker's usual one for it (a stretched
  "so…") is penalised;
* level: a word much louder or quieter than the speaker around the line is penalised (as it
  will sound, after the unit's gain below). Every level is the audible band's
  (:mod:`editor.overdub.audible`), so a rumble under a recording does not count as its voice.
  The level cost is never negative, so a unit that already loses on the others is never
  measured: in a long recording most candidates are, and measuring is the costly part;
* struck-out words are allowed (their audio is real) but cost a little more.

A token no unit covers is a *hole*; the report names it and another backend may fill it.

Joining. Units are cut at their refined word boundaries (the transcript's times, which
:mod:`editor.transcribe.timing` moved to the speech/silence edges) with some of their own room
tone on each side, and laid out with gaps like the speaker's natural ones (longer at a comma or a
full stop); where a unit's own room tone is too short, room tone from the quietest nearby pause
fills in. Every join is a 10 ms equal-power crossfade inside that room tone. Every piece (unit
and room tone) is taken in the audible band before any gain or crossfade, so a gain never
raises a rumble, and a join never steps one. Each unit is gained
by the difference between the speaker's level around the line and the level of the recording
where the unit was said (``_Chooser.unit_gain_db``), so a phrase from a quieter session on the
same track comes at the line's level while its own stress pattern is kept.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from editor.overdub.audible import audible_audio, audible_level_db
from editor.overdub.backend import (
    Generated,
    Hole,
    RecordedWord,
    Samples,
    TokenSpan,
    VoiceContext,
    VoiceRequest,
)
from editor.overdub.joins import CROSSFADE, Assembler, loop_to

JOIN_COST = 1.6
"""What a unit costs, so a whole recorded phrase beats the same words from several places: at
1.6 (from 1.0) the in-context read-back was 0–1.3 points better on all four benchmark sets and
never worse (docs/benchmarks.md, "Overdub")."""
HOLE_COST = 8.0
EDGE_COST = 0.5
NEIGHBOUR_BONUS = 0.35
DELETED_COST = 0.3
DURATION_WEIGHT = 0.6
LEVEL_DB_PER_COST = 6.0
MAX_LEVEL_COST = 1.5
MAX_INNER_GAP = 0.45
"""A unit of several words never spans a longer pause of the recording."""
PHRASE_GAP = 0.18
"""Non-speech this long before (after) a word makes it phrase-initial (final)."""
PAUSES = {"stop": 0.42, "breath": 0.22}
LEAD = 0.04
TAIL = 0.08
GUARD = 0.008
"""Never take audio closer than this to a neighbouring word."""
SHORT_ROOM = 0.12
"""Non-speech shorter than this between two words is fluent speech (see ``_usable``)."""
LEVEL_WINDOW = 20.0
"""Seconds either side of the line whose words set the level to match."""
LOCAL_WORDS = 15
"""Words around a unit whose median level is the recording's level there."""
MAX_UNIT_GAIN_DB = 15.0
NOTE_GAIN_DB = 6.0
"""A unit levelled this much or more is named in the clip's notes."""


@dataclass(frozen=True, slots=True)
class _Unit:
    first_token: int
    end_token: int  # exclusive
    first_word: int
    last_word: int


class _Chooser:
    """The dynamic programme over one request (see the module docstring for the costs)."""

    def __init__(
        self,
        ctx: VoiceContext,
        tokens: tuple[str, ...],
        pauses: list[str],
        edges: tuple[bool, bool] = (True, True),
    ) -> None:
        self.ctx = ctx
        self.starts_phrase, self.ends_phrase = edges
        """Whether the line starts (ends) a phrase: the replaced words did."""
        self.words = ctx.words
        self.tokens = tokens
        self.pauses = pauses
        self.starts: dict[str, list[int]] = defaultdict(list)
        for k, w in enumerate(self.words):
            if w.tokens:
                self.starts[w.tokens[0]].append(k)
        self._levels: dict[int, float] = {}
        self._local: dict[int, float] = {}
        self._median_duration: dict[tuple[str, ...], float] = {}
        self.target_db = self._target_level()

    # --- context ----------------------------------------------------------------------------

    def adjacent(self, k: int) -> bool:
        """Word ``k`` directly follows word ``k - 1`` on the track, without a long pause."""
        if k <= 0:
            return False
        a, b = self.words[k - 1], self.words[k]
        gap = b.start - a.end
        return abs((b.start - b.room_before) - a.end) < 1e-6 and gap <= MAX_INNER_GAP

    def level(self, k: int) -> float:
        """Word ``k``'s mean power in dB, in the audible band (:mod:`editor.overdub.audible`)."""
        if k not in self._levels:
            w = self.words[k]
            self._levels[k] = audible_level_db(self.ctx.audio, self.ctx.sample_rate, w.start, w.end)
        return self._levels[k]

    def _target_level(self) -> float | None:
        ctx = self.ctx
        near = [
            k
            for k, w in enumerate(self.words)
            if ctx.line_start - LEVEL_WINDOW <= w.start <= ctx.line_end + LEVEL_WINDOW
            and not (ctx.line_start <= w.start < ctx.line_end)
        ]
        near.sort(key=lambda k: min(abs(self.words[k].start - ctx.line_start), 1e9))
        levels = [self.level(k) for k in near[:40]]
        return float(np.median(levels)) if levels else None

    def _near(self, k: int) -> list[int]:
        """The ``LOCAL_WORDS`` words recorded nearest word ``k`` (itself included)."""
        at = self.words[k].start
        lo = max(0, k - LOCAL_WORDS)  # the words are in recorded order
        return sorted(
            (
                j
                for j in range(lo, min(len(self.words), k + LOCAL_WORDS + 1))
                if abs(self.words[j].start - at) <= LEVEL_WINDOW
            ),
            key=lambda j: abs(self.words[j].start - at),
        )[:LOCAL_WORDS]

    def local_level(self, k: int) -> float:
        """The speaker's usual word level where word ``k`` was recorded: the median over the
        ``LOCAL_WORDS`` words recorded nearest to it (itself included). It tells the recording's
        gain and the speaker's distance from the microphone there, not how this word was
        stressed."""
        if k not in self._local:
            self._local[k] = statistics.median([self.level(j) for j in self._near(k)])
        return self._local[k]

    def unit_gain_db(self, u: _Unit) -> float:
        """The gain that brings a unit's part of the recording to the level around the line.

        A line can only be spliced from where its words were said, and a host's level moves
        within a recording (a step back from the microphone, a gain change, a second session
        recorded on the same track): one phrase 9 dB under the next reads as two speakers, and
        the recogniser dropped such phrases whole even when cut cleanly at the aligner's word
        boundaries (docs/benchmarks.md, "Overdub"). The gain follows the recording around the
        unit, never the unit's own level, so a stressed word stays louder than a weak one."""
        if self.target_db is None:
            return 0.0
        local = (self.local_level(u.first_word) + self.local_level(u.last_word)) / 2
        return max(-MAX_UNIT_GAIN_DB, min(MAX_UNIT_GAIN_DB, self.target_db - local))

    def median_duration(self, tokens: tuple[str, ...]) -> float:
        if tokens not in self._median_duration:
            ds = [
                w.duration
                for k in self.starts.get(tokens[0], ())
                if (w := self.words[k]).tokens == tokens
            ]
            self._median_duration[tokens] = float(np.median(ds)) if ds else 0.0
        return self._median_duration[tokens]

    # --- costs ------------------------------------------------------------------------------

    def fit_cost(self, u: _Unit) -> float:
        """Everything but the level: the join, phrase position, neighbours, struck-out words,
        duration. Cheap, where the level needs the audio of the words around the unit."""
        words, n = self.words, len(self.tokens)
        a, b = words[u.first_word], words[u.last_word]
        cost = JOIN_COST
        want_initial = (
            self.starts_phrase if u.first_token == 0 else bool(self.pauses[u.first_token - 1])
        )
        # the line's end: a phrase end if the replaced words ended one, or the text ends a
        # sentence or clause ("…, and so on.")
        pause_after = bool(self.pauses[u.end_token - 1])
        want_final = (self.ends_phrase or pause_after) if u.end_token == n else pause_after
        if (a.room_before >= PHRASE_GAP) != want_initial:
            cost += EDGE_COST
        if (b.room_after >= PHRASE_GAP) != want_final:
            cost += EDGE_COST
        if (
            u.first_token > 0
            and self.adjacent(u.first_word)
            and words[u.first_word - 1].tokens[-1:] == (self.tokens[u.first_token - 1],)
        ):
            cost -= NEIGHBOUR_BONUS
        if (
            u.end_token < n
            and u.last_word + 1 < len(words)
            and self.adjacent(u.last_word + 1)
            and words[u.last_word + 1].tokens[:1] == (self.tokens[u.end_token],)
        ):
            cost -= NEIGHBOUR_BONUS
        if any(words[k].deleted for k in range(u.first_word, u.last_word + 1)):
            cost += DELETED_COST
        if u.first_word == u.last_word:
            median = self.median_duration(a.tokens)
            if median > 0 and a.duration > 0:
                cost += DURATION_WEIGHT * abs(math.log(a.duration / median))
        return cost

    def level_cost(self, u: _Unit) -> float:
        """How far the unit will sound from the level around the line, after its gain; never
        negative, so a unit whose other costs already lose needs no level (``choose``)."""
        if self.target_db is None:
            return 0.0
        unit_db = statistics.fmean(self.level(k) for k in range(u.first_word, u.last_word + 1))
        off = unit_db + self.unit_gain_db(u) - self.target_db
        return min(MAX_LEVEL_COST, abs(off) / LEVEL_DB_PER_COST)

    # --- the programme ----------------------------------------------------------------------

    def choose(self) -> list[_Unit | int]:
        """The cheapest cover: units, and ints for uncovered token indices."""
        n, words, tokens = len(self.tokens), self.words, self.tokens
        best = [math.inf] * (n + 1)
        back: list[_Unit | int | None] = [None] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] == math.inf:
                continue
            if best[i] + HOLE_COST < best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + HOLE_COST, i
            for p in self.starts.get(tokens[i], ()):
                j, q = i, p
                while q < len(words) and j < n:
                    wt = words[q].tokens
                    if tokens[j : j + len(wt)] != wt or (q > p and not self.adjacent(q)):
                        break
                    j += len(wt)
                    unit = _Unit(i, j, p, q)
                    cost = best[i] + self.fit_cost(unit)
                    if cost < best[j]:  # else the level, never negative, cannot save it
                        cost += self.level_cost(unit)
                        if cost < best[j]:
                            best[j], back[j] = cost, unit
                    q += 1
        out: list[_Unit | int] = []
        j = n
        while j > 0:
            step = back[j]
            assert step is not None
            out.append(step)
            j = step if isinstance(step, int) else step.first_token
        out.reverse()
        return out


class SpliceBackend:
    """Assemble the line from the speaker's own recorded words (see the module docstring)."""

    name = "splice"
    clones_voice = True

    def generate(self, request: VoiceRequest) -> Generated:
        ctx = request.context
        line = request.line
        plan: list[_Unit | int]
        if ctx.words:
            chooser = _Chooser(ctx, line.tokens, line.pause_after_token(), _line_edges(ctx))
            plan = chooser.choose()
            gains = {u: chooser.unit_gain_db(u) for u in plan if isinstance(u, _Unit)}
        else:  # nothing recorded: every word is a hole (another backend may say them)
            plan, gains = list(range(len(line.tokens))), {}
        made = _assemble(ctx, plan, line.pause_after_token(), gains)
        return replace(made, notes=_level_notes(line.tokens, gains))


def _level_notes(tokens: tuple[str, ...], gains: dict[_Unit, float]) -> tuple[str, ...]:
    """A line for each unit levelled by ``NOTE_GAIN_DB`` or more: a phrase recorded that much
    quieter (or louder) may also sound like another session, and the user should know why."""
    notes = []
    for u, gain in gains.items():
        if abs(gain) >= NOTE_GAIN_DB:
            words = " ".join(tokens[u.first_token : u.end_token])
            how = "quieter" if gain > 0 else "louder"
            notes.append(
                f'"{words}" was recorded {abs(gain):.0f} dB {how} than the speech around the '
                "line; levelled to match"
            )
    return tuple(notes)


def _line_edges(ctx: VoiceContext) -> tuple[bool, bool]:
    """Whether the replaced words started and ended a phrase (so the new line should)."""
    inside = [w for w in ctx.words if ctx.line_start <= w.start < ctx.line_end]
    if not inside:
        return True, True
    return inside[0].room_before >= PHRASE_GAP, inside[-1].room_after >= PHRASE_GAP


def _usable(room: float) -> float:
    """How much of a word's neighbouring non-speech a unit may take. In fluent speech (a short
    gap) the boundary itself is uncertain by a few tens of milliseconds and the neighbour's
    onset or decay is near: take only the half next to the word."""
    if room < SHORT_ROOM:
        return max(0.0, room / 2 - GUARD)
    return max(0.0, room - GUARD)


DIP_SEARCH = 0.10
"""How far inside a word (and past its edge) the cut may move to find the dip in energy."""
DIP_DB_PER_10MS = 1.0
"""The cut prefers the transcript's boundary: each 10 ms away costs this much energy."""


def _dip(ctx: VoiceContext, w: RecordedWord, *, at_end: bool) -> float:
    """Where to cut word ``w`` from a neighbour it runs into (fluent speech, no pause).

    Even with the alignment lag taken off (``editor.transcribe.engine.ALIGNMENT_LAG``), the
    model's word times are a median 50 ms out either way, and 190–265 ms for one word in ten,
    so a cut at the transcript's end can carry the onset of the next word (which the listener,
    and a recogniser, hears as an extra syllable) or clip the word's own ending. The cut goes
    to the quietest 10 ms near the boundary instead: up to ``DIP_SEARCH`` inside the word
    (never past 40 % of it) or as far into the neighbour (whose times are as uncertain), each
    10 ms away from the transcript's boundary weighed as ``DIP_DB_PER_10MS`` of energy."""
    rate = ctx.sample_rate
    if at_end:
        edge = w.end
        lo = max(w.start + 0.6 * w.duration, edge - DIP_SEARCH)
        hi = edge + w.room_after + DIP_SEARCH
    else:
        edge = w.start
        lo = edge - w.room_before - DIP_SEARCH
        hi = min(w.end - 0.6 * w.duration, edge + DIP_SEARCH)
    if hi - lo < 0.02:
        return edge
    x = ctx.audio(lo, hi)
    hop = max(1, rate // 200)
    if len(x) < 2 * hop:
        return edge
    mono = x.mean(axis=1).astype(np.float64) if x.ndim == 2 else x.astype(np.float64)
    n = (len(mono) - hop) // hop
    frames = np.lib.stride_tricks.sliding_window_view(mono, 2 * hop)[::hop][:n]
    db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    centres = lo + (np.arange(len(db)) * hop + hop) / rate
    cost = db + DIP_DB_PER_10MS * np.abs(centres - edge) / 0.01
    return float(centres[int(np.argmin(cost))])


def _natural_gap(words: list[RecordedWord] | tuple[RecordedWord, ...]) -> float:
    """The speaker's usual gap between words inside a phrase."""
    gaps = [w.room_before for w in words if 0.0 < w.room_before < PHRASE_GAP]
    return float(min(0.15, max(0.04, float(np.median(gaps))))) if gaps else 0.06


def _room_tone(ctx: VoiceContext) -> Samples | None:
    """The quietest stretch of non-speech near the line (at least 0.2 s), in the audible band,
    or None."""
    best: tuple[float, Samples] | None = None
    for w in ctx.words:
        if w.room_after < 0.25 or abs(w.end - ctx.line_start) > 60.0:
            continue
        x = audible_audio(ctx.audio, ctx.sample_rate, w.end + 0.05, w.end + w.room_after - 0.05)
        rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 1.0
        if best is None or rms < best[0]:
            best = (rms, x)
    return None if best is None else best[1]


def _assemble(
    ctx: VoiceContext,
    plan: list[_Unit | int],
    pauses: list[str],
    gains_db: dict[_Unit, float],
) -> Generated:
    rate, words = ctx.sample_rate, ctx.words
    out = Assembler(rate, ctx.channels)
    natural = _natural_gap(list(words))
    tone = _room_tone(ctx)
    spans: list[TokenSpan] = []
    holes: list[Hole] = []

    def gap_before(token: int) -> float:
        return LEAD if token == 0 else PAUSES.get(pauses[token - 1], natural)

    def gap_after(end_token: int) -> float:
        return TAIL if end_token == len(pauses) else PAUSES.get(pauses[end_token - 1], natural)

    def fill(seconds: float, gain_db: float) -> None:
        """Room tone between pieces, at the gain of the quieter piece beside it: the units'
        own room comes at their gains, and a gap louder than both is a step in the noise
        floor (mfa: acoustic units turned 12 dB down to a cold line, ungained cold room tone
        between them stepped 30 % over their own room's steps)."""
        frames = round(seconds * rate)
        if frames <= 2 * out.xf:
            return
        if tone is not None and len(tone):
            looped = loop_to(tone, frames, out.xf)
            out.append((looped * np.float32(10 ** (gain_db / 20))).astype(np.float32))
        else:
            out.append(np.zeros((frames, ctx.channels), dtype=np.float32))

    pending_tail = 0.0  # seconds of the previous unit's room tone already laid after it
    last_gain = 0.0  # the gain of the unit laid last (none yet: the recording's own level)
    for step in plan:
        if isinstance(step, int):
            if holes and holes[-1].last == step - 1:
                holes[-1] = Hole(holes[-1].first, step, holes[-1].at)
            else:
                want = gap_before(step)
                fill(max(0.0, want - pending_tail + CROSSFADE), last_gain)
                pending_tail = 0.0
                holes.append(Hole(step, step, out.seconds))
            continue
        a, b = words[step.first_word], words[step.last_word]
        before = gap_before(step.first_token)
        after = gap_after(step.end_token)
        head_want = before if step.first_token == 0 else before / 2 + CROSSFADE / 2
        head = min(head_want, _usable(a.room_before))
        tail_want = after if step.end_token == len(pauses) else after / 2 + CROSSFADE / 2
        tail = min(tail_want, _usable(b.room_after))
        start, end = a.start, b.end
        if a.room_before < SHORT_ROOM:  # fluent from the word before: cut in the dip
            start = _dip(ctx, a, at_end=False)
            head = min(head, CROSSFADE / 2)
        if b.room_after < SHORT_ROOM:  # fluent into the next word: cut before its onset
            end = _dip(ctx, b, at_end=True)
            tail = min(tail, CROSSFADE / 2)
        gain_db = gains_db.get(step, 0.0)
        if out.frames:
            missing = before - pending_tail - head + (CROSSFADE if head > 0 else 0.0)
            fill(missing + CROSSFADE, min(last_gain, gain_db))
        piece = audible_audio(ctx.audio, rate, start - head, end + tail)
        if gain_db:
            piece = (piece * np.float32(10 ** (gain_db / 20))).astype(np.float32)
        at = out.append(piece) + head
        offset = at - start
        token = step.first_token
        for k in range(step.first_word, step.last_word + 1):
            w = words[k]
            w_start = start if k == step.first_word else w.start
            w_end = end if k == step.last_word else w.end
            spans.append(
                TokenSpan(
                    token,
                    token + len(w.tokens) - 1,
                    w_start + offset,
                    max(w_start, w_end) + offset,
                    w.id,
                    gain_db,
                )
            )
            token += len(w.tokens)
        pending_tail = tail
        last_gain = gain_db
    if holes and holes[-1].last == len(pauses) - 1:
        fill(TAIL + CROSSFADE, last_gain)
    return Generated(out.result(), rate, tuple(spans), tuple(holes))
