"""The splice backend on a real recording: coverage, phrase preference, joins, loudness."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.errors import OverdubError
from editor.overdub import edit, level
from editor.overdub.audible import audible_audio
from editor.overdub.backend import RecordedWord, VoiceContext, VoiceRequest
from editor.overdub.context import line_range, speaker_context
from editor.overdub.joins import CROSSFADE
from editor.overdub.splice import DIP_SEARCH, SpliceBackend, _dip
from editor.overdub.text import parse_line
from tests.overdub.conftest import OWNER, add_profile

REORDERED = "Who cares, this is me talking really fast."


def _ids(project: Any, first: int, last: int) -> tuple[str, str]:
    ids = [w.id for w in project.document.words]
    return ids[first], ids[last]


def _splice(project: Any, text: str, first: int = 0, last: int = 4) -> tuple[Any, Any]:
    a, b = _ids(project, first, last)
    ctx = speaker_context(project, line_range(project.document, a, b))
    made = SpliceBackend().generate(VoiceRequest(parse_line(text), ctx, None))
    return ctx, made


def _max_step(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x, axis=0)).max()) if len(x) > 1 else 0.0


def test_reordered_sentence_is_covered_from_whole_phrases(project: Any) -> None:
    ctx, made = _splice(project, REORDERED)
    assert made.holes == ()
    assert [s.first for s in made.spans] == list(range(8))
    by_id = {w.id: w for w in ctx.words}
    # "this is me" and "who cares" were said as phrases: each comes from consecutive words
    sources = [s.source for s in made.spans]
    order = [w.id for w in ctx.words]
    runs = sum(
        1
        for k in range(1, len(sources))
        if order.index(sources[k]) != order.index(sources[k - 1]) + 1
    )
    assert runs <= 4  # 8 words from at most 5 recorded runs
    for s in made.spans:
        assert 0 <= s.start < s.end <= made.duration + 1e-9
        w = by_id[s.source]
        # a unit's edge in fluent speech moves to the energy dip (see test_fluent_cut_...)
        slack = DIP_SEARCH + w.room_before + w.room_after
        assert 0.4 * w.duration - 1e-3 <= s.end - s.start <= w.duration + slack


def test_fluent_cut_moves_to_the_dip_before_the_next_words_onset() -> None:
    """Pure: word "a" runs into "b" with no pause, and the transcript's end for "a" (1.55 s)
    is 50 ms late: the real gap is a 20 ms dip at 1.48–1.50 s. The unit ending on "a" is cut
    in the dip, so the clip carries none of "b"'s onset."""
    rate = 8000
    t = np.arange(rate * 4) / rate
    voice = 0.2 * np.sin(2 * math.pi * 150 * t)
    voice[(t >= 1.48) & (t < 1.50)] *= 0.01
    voice[t >= 3.0] *= 0.01
    audio = voice.astype(np.float32).reshape(-1, 1)

    def read(a: float, b: float) -> np.ndarray:
        i, j = max(0, round(a * rate)), max(0, round(b * rate))
        return audio[i:j]

    words = [
        RecordedWord("a", ("a",), 1.0, 1.55, 1.0, 0.0),
        RecordedWord("b", ("b",), 1.55, 2.0, 0.0, 1.0),
    ]
    ctx = VoiceContext("X", rate, 1, words, read, 10.0, 11.0)
    made = SpliceBackend().generate(VoiceRequest(parse_line("a"), ctx, None))
    (span,) = made.spans
    assert span.end - span.start == pytest.approx(0.49, abs=0.011)
    assert _dip(ctx, words[0], at_end=True) == pytest.approx(1.49, abs=0.006)
    assert _dip(ctx, words[1], at_end=False) == pytest.approx(1.49, abs=0.006)
    # the clip holds at most the crossfade's few ms of audio past the dip (b's loud onset)
    tail = made.samples[round((span.end + CROSSFADE) * rate) :]
    assert len(tail) == 0 or float(np.abs(tail).max()) < 0.05


def _joins(ctx: Any, made: Any) -> list[tuple[Any, Any]]:
    """Consecutive spans that were not consecutive words of the recording: the joins."""
    by_id = {w.id: w for w in ctx.words}
    out = []
    for a, b in zip(made.spans, made.spans[1:], strict=False):
        wa, wb = by_id[a.source], by_id[b.source]
        if abs((wb.start - wb.room_before) - wa.end) > 1e-6 or wb.start < wa.end:
            out.append((a, b))
    return out


def test_no_click_at_any_join(project: Any) -> None:
    """The reader's rule at every join: the clip's largest step in the gap between two
    spliced words is no larger than the recording's own largest step within 25 ms around the
    two cut words' edges and their room (in the audible band splice takes pieces in, at the
    gain each unit was laid in at). Butting the
    bare words together fails it."""
    ctx, made = _splice(project, REORDERED)
    rate = ctx.sample_rate
    by_id = {w.id: w for w in ctx.words}
    joins = _joins(ctx, made)
    assert len(joins) >= 2

    def band(a: float, b: float) -> np.ndarray:  # the recording as splice takes it
        return audible_audio(ctx.audio, rate, a, b)

    over = bites = 0
    for a, b in joins:
        wa, wb = by_id[a.source], by_id[b.source]
        lo, hi = round(a.end * rate), round(b.start * rate)
        step = _max_step(made.samples[max(0, lo - 1) : hi + 1])
        bound = max(  # the recording's own steps, at the gain each unit was laid in at
            _max_step(band(wa.end - 0.025, wa.end + min(wa.room_after, 0.3) + 0.025))
            * 10 ** (a.gain_db / 20),
            _max_step(band(wb.start - min(wb.room_before, 0.3) - 0.025, wb.start + 0.025))
            * 10 ** (b.gain_db / 20),
        )
        over += step > bound * (1 + 1e-6)
        butted = np.concatenate(
            [ctx.audio(wa.end - 0.02, wa.end), ctx.audio(wb.start, wb.start + 0.02)]
        )
        cut = round(0.02 * rate)
        bites += _max_step(butted[cut - 1 : cut + 1]) > _max_step(butted[: cut - 1])
    assert over == 0
    assert bites >= 1  # the check bites: a hard cut between the bare words steps harder


def test_loudness_matches_the_surrounding_speech(home: Any, project: Any) -> None:
    add_profile(home)
    a, b = _ids(project, 0, 4)
    prepared = edit.prepare(project, a, b, REORDERED, user=OWNER)
    ctx = speaker_context(project, prepared.range)
    got = level.loudness(prepared.clip.samples, ctx.sample_rate)
    assert abs(got - level.target_loudness(ctx)) <= 1.0


def test_words_it_cannot_find_are_named_and_can_be_filled(home: Any, project: Any) -> None:
    add_profile(home)
    a, b = _ids(project, 0, 4)
    version = project.session.version
    with pytest.raises(
        OverdubError, match=r"cannot say 'about', 'bananas' in Ann's voice; add --fill speech"
    ):
        edit.prepare(project, a, b, "this is me talking about bananas", user=OWNER)
    prepared = edit.prepare(
        project, a, b, "this is me talking about bananas", user=OWNER, fill="speech"
    )
    assert prepared.clip.backends == ("splice", "speech")
    said = {w.text: w.backend for w in prepared.clip.words}
    assert said["bananas"] == "speech" and said["about"] == "speech" and said["me"] == "splice"
    starts = [w.start for w in prepared.clip.words]
    assert starts == sorted(starts)
    assert project.session.version == version


def test_phrase_beats_single_words_in_the_programme() -> None:
    """Pure: with "a b c" recorded once as a phrase and each word again on its own, the cover
    is the phrase (one unit), not three joins."""
    rate = 8000
    t = np.arange(rate * 20) / rate
    audio = (0.1 * np.sin(2 * math.pi * 150 * t)).astype(np.float32).reshape(-1, 1)

    def read(a: float, b: float) -> np.ndarray:
        i, j = max(0, round(a * rate)), max(0, round(b * rate))
        return audio[i:j]

    words = [
        RecordedWord("p1", ("a",), 1.0, 1.3, 1.0, 0.05),
        RecordedWord("p2", ("b",), 1.35, 1.6, 0.05, 0.05),
        RecordedWord("p3", ("c",), 1.65, 1.9, 0.05, 1.0),
        RecordedWord("s1", ("a",), 3.0, 3.3, 1.0, 1.0),
        RecordedWord("s2", ("b",), 4.5, 4.8, 1.0, 1.0),
        RecordedWord("s3", ("c",), 6.0, 6.3, 1.0, 1.0),
    ]
    ctx = VoiceContext("X", rate, 1, words, read, 10.0, 11.0)
    made = SpliceBackend().generate(VoiceRequest(parse_line("a b c"), ctx, None))
    assert [s.source for s in made.spans] == ["p1", "p2", "p3"]
    made = SpliceBackend().generate(VoiceRequest(parse_line("c, b a d"), ctx, None))
    assert [(h.first, h.last) for h in made.holes] == [(3, 3)]


def _two_sessions(rumble: float = 0.0) -> tuple[VoiceContext, dict[str, str]]:
    """One track holding two sessions of 20 words each (a 180 Hz tone per word), the second
    10.5 dB quieter (the host stepped back, or a second recording on the same track) and with
    a 3 Hz swing of ``rumble`` under it; word ``l7`` stressed 4 dB over its neighbours. The
    line replaces ``l9``–``l10``. Returns the context and each word's one token."""
    rate, step = 8000, 0.8
    loud, quiet = 0.2, 0.2 * 10 ** (-10.5 / 20)
    names = [f"l{k}" for k in range(20)] + [f"q{k}" for k in range(20)]
    amplitude = {n: (loud if n.startswith("l") else quiet) for n in names}
    amplitude["l7"] = loud * 10 ** (4 / 20)
    starts = {n: 1.0 + k * step + (2.0 if n.startswith("q") else 0.0) for k, n in enumerate(names)}
    t = np.arange(round(rate * 40)) / rate
    audio = np.zeros_like(t)
    for n in names:
        on = (t >= starts[n]) & (t < starts[n] + 0.4)
        audio[on] = amplitude[n] * np.sin(2 * math.pi * 180 * t[on])
    audio += np.where(t >= starts["q0"] - 1.0, rumble * np.sin(2 * math.pi * 3 * t), 0.0)
    audio = audio.astype(np.float32).reshape(-1, 1)

    def read(a: float, b: float) -> np.ndarray:
        return audio[max(0, round(a * rate)) : max(0, round(b * rate))]

    tokens = {n: "".join(chr(ord("a") + int(c)) for c in n[1:]) + n[0] * 3 for n in names}
    words = tuple(
        RecordedWord(n, (tokens[n],), starts[n], starts[n] + 0.4, 0.4, 0.4) for n in names
    )
    return VoiceContext("X", rate, 1, words, read, starts["l9"], starts["l10"] + 0.4), tokens


def _span_db(made: Any, span: Any) -> float:
    rate = made.sample_rate
    x = made.samples[round(span.start * rate) : round(span.end * rate)]
    return 20 * math.log10(float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))))


def test_a_phrase_from_a_quieter_session_is_brought_to_the_lines_level() -> None:
    """Pure: a line in the loud session that needs a phrase only the quiet one has gets that
    phrase at the loud session's level, and a word stressed 4 dB over its neighbours in its own
    session stays 4 dB over them."""
    ctx, tokens = _two_sessions()
    text = " ".join(tokens[n] for n in ("q15", "l3", "l7"))
    made = SpliceBackend().generate(VoiceRequest(parse_line(text), ctx, None))
    assert [s.source for s in made.spans] == ["q15", "l3", "l7"]
    assert made.spans[0].gain_db == pytest.approx(10.5, abs=1.0)
    (note,) = made.notes  # the user is told which words were levelled, and how far
    assert note.startswith(f'"{tokens["q15"]}" was recorded 1')
    assert note.endswith("dB quieter than the speech around the line; levelled to match")
    q15, l3, l7 = (_span_db(made, s) for s in made.spans)
    assert q15 == pytest.approx(l3, abs=1.0)
    assert l7 - l3 == pytest.approx(4.0, abs=1.0)


def test_rumble_under_a_session_neither_sets_its_level_nor_rides_into_the_clip() -> None:
    """Pure: the quiet session also carries a slow swing at 0.4 of full scale, six times its
    words' amplitude (the MFA cold recording's kind: inaudible, but most of a raw power). The
    phrase is still raised by the 10.5 dB a listener hears, not by what the raw power says,
    and the clip carries only the voice: no peak over the loud session's own."""
    ctx, tokens = _two_sessions(rumble=0.4)
    text = " ".join(tokens[n] for n in ("q15", "l3", "l4"))
    made = SpliceBackend().generate(VoiceRequest(parse_line(text), ctx, None))
    assert [s.source for s in made.spans] == ["q15", "l3", "l4"]
    assert made.spans[0].gain_db == pytest.approx(10.5, abs=1.0)
    q15, l3, _ = (_span_db(made, s) for s in made.spans)
    assert q15 == pytest.approx(l3, abs=1.0)
    assert float(np.max(np.abs(made.samples))) < 0.2 * 1.1


_VOCAB = ["a", "b", "c", "d", "e"]


def _laid_out(recorded: list[tuple[str, float, float]]) -> tuple[list[RecordedWord], float]:
    """(token, gap before, length) triples as recorded words one after another from 0.5 s,
    each with the room to its neighbours (1 s after the last); and where the last one ends."""
    spans, t = [], 0.5
    for token, gap, length in recorded:
        spans.append((token, t + gap, t + gap + length))
        t += gap + length
    rooms = []
    for k, (token, start, end) in enumerate(spans):
        before = start - (spans[k - 1][2] if k else 0.0)
        after = (spans[k + 1][1] if k + 1 < len(spans) else t + 1.0) - end
        rooms.append(RecordedWord(f"r{k}", (token,), start, end, before, after))
    return rooms, t


@settings(max_examples=60, deadline=None)
@given(
    recorded=st.lists(
        st.tuples(st.sampled_from(_VOCAB), st.floats(0.0, 0.4), st.floats(0.05, 0.5)),
        min_size=0,
        max_size=30,
    ),
    wanted=st.lists(st.sampled_from([*_VOCAB, "zz"]), min_size=1, max_size=12),
    stops=st.lists(st.sampled_from(["", ",", "."]), min_size=12, max_size=12),
)
def test_any_recording_and_line_give_a_consistent_clip(
    recorded: list[tuple[str, float, float]], wanted: list[str], stops: list[str]
) -> None:
    """Random recorded words (random gaps, some abutting) and a random line: every requested
    token is either in exactly one span or one hole, spans play in order inside the clip, and a
    token the recording lacks is always a hole."""
    rate = 8000
    rooms, t = _laid_out(recorded)
    noise = np.random.default_rng(1).standard_normal((int((t + 2) * rate), 1)) * 0.05
    audio = noise.astype(np.float32)

    def read(a: float, b: float) -> np.ndarray:
        i, j = round(a * rate), round(b * rate)
        out = np.zeros((max(0, j - i), 1), np.float32)
        lo, hi = max(i, 0), min(j, len(audio))
        if hi > lo:
            out[lo - i : hi - i] = audio[lo:hi]
        return out

    text = " ".join(w + s for w, s in zip(wanted, stops, strict=False))
    ctx = VoiceContext("X", rate, 1, tuple(rooms), read, t + 0.5, t + 1.0)
    made = SpliceBackend().generate(VoiceRequest(parse_line(text), ctx, None))
    seen = [t for s in made.spans for t in range(s.first, s.last + 1)]
    seen += made.uncovered()
    assert sorted(seen) == list(range(len(wanted)))
    have = {w.tokens[0] for w in rooms}
    for k, token in enumerate(wanted):
        if token not in have:
            assert k in made.uncovered()
    starts = [s.start for s in made.spans]
    assert starts == sorted(starts)
    for s in made.spans:
        assert -1e-9 <= s.start <= s.end <= made.duration + 1 / rate  # times vs whole frames
    assert np.all(np.isfinite(made.samples))


def test_a_range_across_two_speakers_is_refused() -> None:
    from sync.document import Document
    from sync.model import TrackRef, Word
    from sync.ops import AddTranscript

    doc = Document()
    for track, label, t0 in (("a", "Ann", 0.0), ("b", "Bob", 0.25)):
        words = tuple(Word(f"{track}{i}", track, f"w{i}", t0 + i, t0 + i + 0.2) for i in range(3))
        doc.apply(AddTranscript(TrackRef(track, label), words))
    ids = [w.id for w in doc.words]
    with pytest.raises(OverdubError, match=r"more than one speaker \(Ann, Bob\)"):
        line_range(doc, ids[0], ids[1])
    one = line_range(doc, ids[2], ids[2])
    assert one.speaker == "Ann" and one.anchor == ids[1]
    first = line_range(doc, ids[0], ids[0])
    assert first.anchor == ids[0]  # the program's first word: the clip plays where it was cut


@settings(max_examples=40, deadline=None)
@given(
    recorded=st.lists(
        st.tuples(st.sampled_from(_VOCAB), st.floats(0.0, 0.4), st.floats(0.05, 0.5)),
        min_size=1,
        max_size=25,
    ),
    levels=st.lists(st.floats(0.005, 0.3), min_size=25, max_size=25),
    wanted=st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=8),
)
def test_skipping_the_level_of_losing_units_finds_the_cheapest_cover(
    recorded: list[tuple[str, float, float]], levels: list[float], wanted: list[str]
) -> None:
    """The chooser measures a unit's level only when its other costs could still win; the
    cover it picks costs exactly what the cheapest cover over every unit's full cost does."""
    from editor.overdub.splice import HOLE_COST, _Chooser, _Unit

    rate = 8000
    rooms, t = _laid_out(recorded)
    audio = np.zeros((int((t + 2) * rate), 1), np.float32)
    for w, level_ in zip(rooms, levels, strict=False):
        i, j = round(w.start * rate), round(w.end * rate)
        audio[i:j, 0] = level_ * np.sin(np.arange(j - i) * 0.3)

    def read(a: float, b: float) -> np.ndarray:
        return audio[max(0, round(a * rate)) : max(0, round(b * rate))]

    line = parse_line(" ".join(wanted))
    ctx = VoiceContext("X", rate, 1, tuple(rooms), read, t + 0.5, t + 1.0)
    chooser = _Chooser(ctx, line.tokens, line.pause_after_token())

    def full(u: _Unit) -> float:
        return chooser.fit_cost(u) + chooser.level_cost(u)

    n = len(line.tokens)
    best = [0.0] + [math.inf] * n
    for i in range(n):
        best[i + 1] = min(best[i + 1], best[i] + HOLE_COST)
        for p in chooser.starts.get(line.tokens[i], ()):
            j, q = i, p
            while q < len(rooms) and j < n and rooms[q].tokens == line.tokens[j : j + 1]:
                if q > p and not chooser.adjacent(q):
                    break
                j += 1
                best[j] = min(best[j], best[i] + full(_Unit(i, j, p, q)))
                q += 1
    plan = chooser.choose()
    cost = sum(HOLE_COST if isinstance(s, int) else full(s) for s in plan)
    assert cost == pytest.approx(best[n], abs=1e-9)
