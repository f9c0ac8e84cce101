"""Captions by caption norms, checked on every cue of the demo and of a 15,000-word episode.

Norms: ≤ 2 lines of ≤ 42 characters, ≤ 7 s per cue, a new cue at each speaker turn, lines
broken at a clause boundary where one fits, no single word alone on a cue's last line; SRT
names the speaker at each turn, WebVTT keeps ``<v Speaker>`` voices. The checker reads the
written SRT / WebVTT text back, so it tests what a player would show.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from render.edl import EdlTrack
from sync.captions import CaptionWord, cues, parse_timestamp, to_srt, to_vtt
from sync.cue_layout import boundary_score
from sync.derive import ProgramMap, derive_edl
from sync.document import Document
from sync.model import TrackRef, Word
from sync.ops import AddTranscript, Delete

WIDTH = 42
PUNCT_END = re.compile(r"[.!?…,;:—–]['\"”’)\]]*$")


@dataclass(frozen=True)
class Shown:
    start: float
    end: float
    lines: list[str]
    voice: str | None


def read_srt(text: str) -> list[Shown]:
    out = []
    for n, block in enumerate(text.strip().split("\n\n"), start=1):
        number, times, *lines = block.split("\n")
        assert number == str(n)
        a, b = times.split(" --> ")
        out.append(Shown(parse_timestamp(a), parse_timestamp(b), lines, None))
    return out


def read_vtt(text: str) -> list[Shown]:
    head, *blocks = text.strip().split("\n\n")
    assert head == "WEBVTT"
    out = []
    for block in blocks:
        times, body = block.split("\n", 1)
        a, b = times.split(" --> ")
        m = re.fullmatch(r"<v ([^>]+)>(.*)</v>", body, re.S)
        voice, body = (m.group(1), m.group(2)) if m else (None, body)
        assert "<" not in body, body  # markup in the words is escaped
        lines = [html.unescape(line) for line in body.split("\n")]
        out.append(Shown(parse_timestamp(a), parse_timestamp(b), lines, voice))
    return out


def check_norms(words: list[CaptionWord]) -> None:
    """Every cue of the SRT and the WebVTT of ``words`` meets the norms."""
    srt, vtt = read_srt(to_srt(words)), read_vtt(to_vtt(words))
    assert len(vtt) == len(cues(words))
    texts = [w.text for w in words]
    for shown, labelled in ((srt, True), (vtt, False)):
        got: list[str] = []
        previous_speaker: str | None = None
        for i, cue in enumerate(shown):
            assert 1 <= len(cue.lines) <= 2, cue
            assert all(0 < len(line) <= WIDTH for line in cue.lines), cue
            if len(cue.lines) == 2:
                assert len(cue.lines[1].split()) >= 2, f"orphan last line: {cue}"
            assert 0 < cue.end - cue.start <= 7.0 + 1e-9, cue
            if i + 1 < len(shown):
                assert cue.end <= shown[i + 1].start, cue
            tokens = " ".join(cue.lines).split()
            # Which speaker said this cue's words: all the same one (a turn starts a cue).
            first = len(got)
            if labelled and words[first].speaker and words[first].speaker != previous_speaker:
                label = f"{words[first].speaker}:".split()
                assert tokens[: len(label)] == label, cue
                tokens = tokens[len(label) :]
            speakers = {w.speaker for w in words[first : first + len(tokens)]}
            assert len(speakers) == 1, f"a cue spans a speaker turn: {cue}"
            if not labelled:
                assert cue.voice == words[first].speaker
            previous_speaker = words[first].speaker
            got.extend(tokens)
            check_break(cue.lines)
        assert got == " ".join(texts).split()  # every word once, in order


def check_break(lines: list[str]) -> None:
    """A two-line cue is broken at a clause boundary whenever such a break fits."""
    if len(lines) < 2:
        return
    tokens = " ".join(lines).split()
    k = len(lines[0].split())
    fitting = [
        j
        for j in range(1, len(tokens) - 1)
        if len(" ".join(tokens[:j])) <= WIDTH and len(" ".join(tokens[j:])) <= WIDTH
    ]
    assert k in fitting
    if any(PUNCT_END.search(tokens[j - 1]) for j in fitting):
        assert PUNCT_END.search(tokens[k - 1]), f"not broken at a clause boundary: {lines}"
    assert (
        boundary_score(tokens[k - 1], tokens[k])
        >= max(boundary_score(tokens[j - 1], tokens[j]) for j in fitting) - 1.0
    )


# --- the demo episode -------------------------------------------------------------------------


def test_every_cue_of_the_demo_meets_the_norms() -> None:
    if not (Path(__file__).resolve().parents[2] / "resources" / "demo").is_dir():
        pytest.skip("no demo episode")
    from tests.transcribe.demo import demo_words

    words = [CaptionWord(w.text, w.start, w.end, "Demo") for w in demo_words()]
    assert len(words) > 100
    check_norms(words)
    # Two speakers taking turns every sentence: each turn is its own cue.
    turns, speaker = [], "Diane"
    for w in words:
        turns.append(CaptionWord(w.text, w.start, w.end, speaker))
        if w.text.endswith((".", "?", "!")):
            speaker = "Sheila" if speaker == "Diane" else "Diane"
    check_norms(turns)


# --- a 15,000-word episode ----------------------------------------------------------------------

SAMPLE = (
    "the show is back and today we talk about audio edits with my co-host who thought it "
    "was a great idea to record in the kitchen because the echo there sounds like a cathedral "
    "so I said fine but then nobody could hear the guest at all"
)
VOCAB = tuple(SAMPLE.split())


def episode(rnd: random.Random, n: int) -> Document:
    """``n`` words of two hosts in turns of 1-4 sentences, with commas, questions and pauses."""
    words: list[Word] = []
    t = 0.5
    host = 0
    sentences_left = rnd.randint(1, 4)
    i = 0
    while i < n:
        length = rnd.randint(1, 22)
        for k in range(length):
            if i >= n:
                break
            text = rnd.choice(VOCAB)
            if k == 0:
                text = text.capitalize()
            if k == length - 1:
                text += rnd.choice([".", ".", "?", "!"])
            elif rnd.random() < 0.08:
                text += ","
            dur = rnd.uniform(0.12, 0.5)
            track = f"T{host}"
            words.append(Word(f"w{i}", track, text, t, t + dur, 0.9, f"Host {host}"))
            t += dur + (rnd.uniform(0.3, 2.0) if k == length - 1 else rnd.uniform(0.02, 0.2))
            i += 1
        sentences_left -= 1
        if sentences_left == 0:
            host, sentences_left = 1 - host, rnd.randint(1, 4)
    doc = Document()
    for name in ("T0", "T1"):
        mine = tuple(w for w in words if w.track == name)
        doc.apply(AddTranscript(TrackRef(name, name, t + 1.0), mine))
    # A few cuts, as an edited episode has: the captions are of the edited program.
    ids = [w.id for w in doc.words]
    for _ in range(len(ids) // 250):
        a = rnd.randrange(len(ids) - 10)
        if not any(x in doc.deleted for x in ids[a : a + 10]):
            doc.apply(Delete(ids[a], ids[a + rnd.randrange(10)]))
    return doc


def program_words(doc: Document) -> list[CaptionWord]:
    edl = derive_edl(doc, {t.id: EdlTrack(Path(f"{t.id}.wav")) for t in doc.tracks})
    return [
        CaptionWord(doc.text_of(wid), s, e, doc.word(wid).speaker, wid)
        for wid, s, e in ProgramMap.build(doc, edl).spans()
    ]


def test_every_cue_of_a_15000_word_episode_meets_the_norms() -> None:
    words = program_words(episode(random.Random(14), 15_000))
    assert len(words) > 14_000
    check_norms(words)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 400))
def test_cue_norms_hold_for_any_episode(seed: int, n: int) -> None:
    check_norms(program_words(episode(random.Random(seed), n)))


# --- the cases users saw ----------------------------------------------------------------------


def test_no_orphan_word_after_a_clause() -> None:
    text = "Okay, then I thought you know, I heard a beep. This is Diane in New Jersey."
    words = [CaptionWord(w, i * 0.3, i * 0.3 + 0.25, "Diane") for i, w in enumerate(text.split())]
    shown = read_srt(to_srt(words))
    for cue in shown:
        assert not cue.lines[-1].endswith(" I")
        assert len(cue.lines[-1].split()) >= 2 or len(cue.lines) == 1
    check_norms(words)


def test_a_long_turn_is_split_in_cues_of_at_most_7_seconds() -> None:
    words = [CaptionWord("word", i * 0.5, i * 0.5 + 0.4, "A") for i in range(60)]
    out = cues(words)
    assert len(out) >= 5
    assert all(c.end - c.start <= 7.0 for c in out)
    check_norms(words)


def test_a_word_timed_longer_than_a_cue_is_shown_at_most_7_seconds() -> None:
    out = cues([CaptionWord("Hmm.", 0.0, 30.0, "A"), CaptionWord("Yes.", 31.0, 31.5, "B")])
    assert out[0].end - out[0].start == 7.0
