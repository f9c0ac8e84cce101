"""Pure stages: WER, chunk planning and seams, timing refinement, fillers, bleed, alignment."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.transcribe.align import Cue, TranscriptFormatError, align_transcript, read_transcript
from editor.transcribe.chunking import plan_chunks
from editor.transcribe.envelope import Envelope, envelope_of, envelope_of_blocks
from editor.transcribe.fillers import detect_fillers, mark_fillers
from editor.transcribe.hallucination import drop_repetition_loops
from editor.transcribe.merge import merge_by_time, resolve_bleed
from editor.transcribe.timing import clamp_and_deoverlap, refine_to_speech
from editor.transcribe.wer import normalise, wer
from editor.transcribe.words import TimedWord, words_from_json, words_to_json
from tests.transcribe.fakes import RATE, word_track


def W(text: str, start: float, end: float, conf: float = 0.9) -> TimedWord:
    return TimedWord(text, start, end, conf)


# --- WER -------------------------------------------------------------------------------------


def test_normalise_contractions_numbers_punctuation() -> None:
    assert normalise("I'm 21, can't STOP!") == ["i", "am", "twenty", "one", "can", "not", "stop"]
    assert normalise("Um, yknow... 1,200") == [
        "um",
        "you",
        "know",
        "one",
        "thousand",
        "two",
        "hundred",
    ]


def test_wer_counts_each_error_kind() -> None:
    r = wer("the cat sat on the mat", "the cat sat on mat today")
    assert (r.substitutions, r.deletions, r.insertions) == (0, 1, 1)
    assert r.rate == pytest.approx(2 / 6)
    assert wer("", "").rate == 0.0
    assert wer("a b", "a b").rate == 0.0


# --- envelope and chunking ------------------------------------------------------------------


def test_envelope_blocks_equal_whole() -> None:
    x = np.random.default_rng(1).standard_normal(RATE * 3 + 77).astype(np.float32)
    whole = envelope_of(x, RATE).db
    for size in (1, 64, 65, 8192, 8193):
        blocks = [x[i : i + size] for i in range(0, len(x), size)]
        np.testing.assert_allclose(envelope_of_blocks(blocks, RATE).db, whole, atol=1e-3)


def test_chunks_cut_in_pauses_and_cover_everything() -> None:
    audio, truth = word_track(300)
    env = envelope_of(audio, RATE)
    chunks = plan_chunks(env, target=10.0, window=4.0)
    assert chunks[0].start == 0 and chunks[-1].end == pytest.approx(env.duration)
    for a, b in itertools.pairwise(chunks):
        assert a.end == b.start and a.length <= 10.0 + 1e-6
        # every cut lies outside every word
        assert not any(s < a.end < e for _, s, e in truth)


# --- timing ---------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 60), st.floats(-1, 3)), max_size=40))
def test_clamp_and_deoverlap_invariants(raw: list[tuple[float, float]]) -> None:
    words = [W(f"w{i}", s, s + d) for i, (s, d) in enumerate(raw)]
    out = clamp_and_deoverlap(words, 50.0)
    assert [w.text for w in out] == [w.text for w in words]  # the recogniser's order is kept
    for w in out:
        assert 0.0 <= w.start <= w.end <= 50.0
    for a, b in itertools.pairwise(out):
        assert a.end <= b.start + 1e-9


def test_refine_extends_clipped_tail_and_pulls_back_drift() -> None:
    audio, truth = word_track(6, pause_every=100)
    env = envelope_of(audio, RATE)
    (_, s0, e0), (_, s1, e1) = truth[0], truth[1]
    words = [W("a", s0 + 0.05, e0 - 0.1), W("b", s1, e1 + 0.0)]
    out = refine_to_speech(words, env)
    assert out[0].end >= e0 - 0.011  # tail no longer clipped
    assert out[0].start <= s0 + 0.011
    # a word whose end drifted 0.8 s into silence comes back
    audio2 = np.concatenate([audio[: int(e0 * RATE)], np.zeros(RATE * 2, np.float32)])
    drifted = refine_to_speech([W("a", s0, e0 + 0.8)], envelope_of(audio2, RATE))
    assert drifted[0].end == pytest.approx(e0 + 0.03, abs=0.02)


def test_refine_never_crosses_neighbours() -> None:
    env = Envelope(np.full(500, -20.0, np.float32))  # all loud
    words = [W("a", 1.0, 1.2), W("b", 1.25, 1.5), W("c", 1.6, 2.0)]
    out = refine_to_speech(words, env)
    for a, b in itertools.pairwise(out):
        assert a.end <= b.start


# --- fillers --------------------------------------------------------------------------------


def _texts(s: str, gaps: dict[int, float] | None = None) -> list[TimedWord]:
    out, t = [], 0.0
    for i, tok in enumerate(s.split()):
        out.append(W(tok, t, t + 0.2))
        t += 0.25 + (gaps or {}).get(i, 0.0)
    return out


def test_filler_rules() -> None:
    words = _texts("Um, so the the plan is wh- what we, uh, said")
    kinds = {m.index: m.kind for m in detect_fillers(words)}
    assert kinds == {0: "filler", 2: "repeat", 6: "false_start", 9: "filler"}


def test_phrases_by_position() -> None:
    filler = _texts("and, you know, we went there")
    assert [m.index for m in detect_fillers(filler)] == [1, 2]
    verb = _texts("do you know the answer")
    assert detect_fillers(verb) == []
    end = _texts("I mean, it was fine I mean")
    assert [m.index for m in detect_fillers(end)] == [0, 1, 5, 6]
    assert detect_fillers(_texts("that is what I mean to say")) == []
    marked = mark_fillers(filler)
    assert [w.filler for w in marked] == [False, True, True, False, False, False]


def test_legit_double_is_not_a_repeat() -> None:
    assert detect_fillers(_texts("I know that that is true")) == []


def test_greetings_and_answers_said_twice_are_not_repeats() -> None:
    # The demo episode opens like this (as the bundled model writes it): two calls, not a
    # stutter; smart cleanup used to cut the show's first word.
    assert detect_fillers(_texts("Hello? Hello? Oh, hello. I didn't know")) == []
    assert detect_fillers(_texts("hello hello is anyone there")) == []
    assert detect_fillers(_texts("no, no, that is not it")) == []
    assert detect_fillers(_texts("yeah yeah yeah I see")) == []
    assert detect_fillers(_texts("Okay okay, fine")) == []
    assert detect_fillers(_texts("it was very very good")) == []


def test_no_repeat_or_false_start_across_a_sentence_end() -> None:
    assert detect_fillers(_texts("Go to the door. Door is open")) == []
    assert detect_fillers(_texts("he said it! It was true")) == []
    assert detect_fillers(_texts("we met Al. Alice came too")) == []
    # A comma is no sentence end: "the, the" is still a repeat, "th the" still a false start.
    assert [(m.index, m.kind) for m in detect_fillers(_texts("and the, the plan"))] == [
        (1, "repeat")
    ]
    assert [(m.index, m.kind) for m in detect_fillers(_texts("th the plan"))] == [
        (0, "false_start")
    ]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["the", "hello", "no", "yeah", "plan", "th", "a"]),
            st.sampled_from(["", ",", ".", "?", "!"]),
        ),
        max_size=12,
    )
)
def test_repeat_marks_never_cross_a_sentence_end(tokens: list[tuple[str, str]]) -> None:
    words = _texts(" ".join(t + p for t, p in tokens))
    for m in detect_fillers(words):
        if m.kind in ("repeat", "false_start") and m.index + 1 < len(words):
            assert not words[m.index].text.endswith((".", "?", "!"))
            assert words[m.index].text.rstrip(",").lower() not in {"hello", "no", "yeah"}


# --- hallucination --------------------------------------------------------------------------


def test_low_confidence_loops_dropped_real_repeats_kept() -> None:
    loop = [
        W("Thank", i, i + 0.2, 0.2) if i % 2 == 0 else W("you.", i, i + 0.2, 0.2) for i in range(12)
    ]
    keep = [W("hello", 20, 20.3)]
    assert drop_repetition_loops(loop + keep) == keep
    real = [W("words", i, i + 0.2, 0.95) for i in range(4)]
    assert drop_repetition_loops(real) == real


# --- bleed and merge ------------------------------------------------------------------------


def test_bleed_keeps_the_loud_copy_and_simultaneous_speech() -> None:
    host = [W("hello", 1.0, 1.4), W("yeah", 5.0, 5.3)]
    guest = [W("Hello.", 1.02, 1.41), W("yeah", 5.05, 5.3), W("bye", 7, 7.3)]
    levels = {
        ("host", 1.0): -20.0,
        ("guest", 1.0): -38.0,
        ("host", 5.0): -20.0,
        ("guest", 5.0): -22.0,
    }

    def level(track: str, start: float, end: float) -> float:
        return levels[(track, round(start))]

    out = resolve_bleed({"host": host, "guest": guest}, level)
    assert [w.text for w in out["host"]] == ["hello", "yeah"]
    assert [w.text for w in out["guest"]] == ["yeah", "bye"]
    merged = merge_by_time(out)
    assert [(m.track, m.word.text) for m in merged] == [
        ("host", "hello"),
        ("host", "yeah"),
        ("guest", "yeah"),
        ("guest", "bye"),
    ]


# --- alignment ------------------------------------------------------------------------------


def test_read_srt_vtt_text(tmp_path: Path) -> None:
    srt = tmp_path / "a.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:02,500\nHello there\n\n2\n00:00:03,000 --> "
        "00:00:04,000\n<i>General</i> Kenobi\n"
    )
    assert read_transcript(srt) == [Cue("Hello there", 1.0, 2.5), Cue("General Kenobi", 3.0, 4.0)]
    vtt = tmp_path / "a.vtt"
    vtt.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>Hi all\n")
    assert read_transcript(vtt) == [Cue("Hi all", 1.0, 2.0)]
    txt = tmp_path / "a.txt"
    txt.write_text("just   some\nwords\n")
    assert read_transcript(txt) == [Cue("just some words")]
    (tmp_path / "e.txt").write_text("  \n")
    with pytest.raises(TranscriptFormatError):
        read_transcript(tmp_path / "e.txt")
    (tmp_path / "b.srt").write_bytes(b"\x00\x01garbage")
    with pytest.raises(TranscriptFormatError):
        read_transcript(tmp_path / "b.srt")


def test_align_copies_matched_times_and_interpolates_the_rest() -> None:
    rec = [
        W("and", 0.5, 0.7),
        W("so", 0.7, 0.9),
        W("my", 1.0, 1.2),
        W("fellow", 1.3, 1.6),
        W("american", 1.7, 2.2),
        W("ask", 3.0, 3.2),
    ]
    given = [Cue("And so, my fellow Americans: ask not")]
    out = align_transcript(given, rec, duration=5.0)
    assert [w.text for w in out] == ["And", "so,", "my", "fellow", "Americans:", "ask", "not"]
    assert (out[0].start, out[0].end) == (0.5, 0.7)
    assert out[4].start == 1.7 and out[4].confidence < rec[4].confidence  # replaced
    assert 3.2 <= out[6].start < out[6].end <= 5.0 and out[6].confidence == 0.0
    for a, b in itertools.pairwise(out):
        assert a.end <= b.start + 1e-9


def test_words_json_round_trip_and_rejects_garbage() -> None:
    words = [W("a", 0.1234, 0.5, 0.87)]
    assert words_from_json(words_to_json(words))[0].text == "a"
    with pytest.raises(ValueError):
        words_from_json({"a": 1})
