"""Caption formats of the edited program: timestamp arithmetic and each writer's shape."""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st

from sync.captions import (
    CaptionWord,
    cues,
    parse_timestamp,
    render,
    timestamp,
    to_audacity,
    to_podcast_json,
    to_srt,
    to_text,
    to_vtt,
)

WORDS = [
    CaptionWord("Hello", 0.0, 0.4, "Ann"),
    CaptionWord("there.", 0.5, 0.9, "Ann"),
    CaptionWord("Hi", 1.0, 1.2, "Bob"),
    CaptionWord("<Ann>", 1.3, 1.8, "Bob"),
    CaptionWord("later", 5.0, 5.4, "Bob"),
]


@given(st.floats(min_value=0, max_value=360_000, allow_nan=False))
def test_timestamp_round_trips_to_the_nearest_millisecond(seconds: float) -> None:
    text = timestamp(seconds)
    assert len(text.split(":")[0]) >= 2
    mm, ss = text.split(":")[1:]
    assert 0 <= int(mm) < 60 and 0 <= float(ss) < 60
    assert parse_timestamp(text) == round(seconds * 1000) / 1000
    assert parse_timestamp(timestamp(seconds, ",")) == parse_timestamp(text)


@given(st.floats(max_value=0) | st.just(float("nan")))
def test_negative_and_nan_times_clamp_to_zero(seconds: float) -> None:
    assert timestamp(seconds) == "00:00:00.000"


def test_rounding_carries_into_minutes() -> None:
    assert timestamp(59.9996) == "00:01:00.000"
    assert timestamp(3723.5, ",") == "01:02:03,500"


@given(
    st.lists(
        st.tuples(
            st.floats(0, 3, allow_nan=False),
            st.floats(0.01, 2, allow_nan=False),
            st.sampled_from(["A", "B", None]),
        ),
        max_size=40,
    )
)
def test_cues_never_overlap_and_cover_every_word(
    items: list[tuple[float, float, str | None]],
) -> None:
    t = 0.0
    words = []
    for gap, dur, speaker in items:
        t += gap
        words.append(CaptionWord("w", t, t + dur, speaker))
        t += dur
    out = cues(words)
    assert sum(len(c.text.split()) for c in out) == len(words)
    for a, b in itertools.pairwise(out):
        assert a.start < a.end <= b.start
    assert all(c.end > c.start for c in out)


def test_text_has_a_paragraph_per_turn() -> None:
    assert to_text(WORDS) == "Ann: Hello there.\n\nBob: Hi <Ann> later\n"


def test_srt_numbers_cues_and_names_speakers() -> None:
    srt = to_srt(WORDS)
    blocks = srt.strip().split("\n\n")
    # Short cues stay up 1 s where the next cue leaves room.
    assert blocks[0] == "1\n00:00:00,000 --> 00:00:01,000\nAnn: Hello there."
    assert blocks[1].startswith("2\n00:00:01,000 --> 00:00:02,000\nBob: Hi <Ann>")
    assert blocks[2] == "3\n00:00:05,000 --> 00:00:06,000\nlater"  # long pause: new cue


def test_vtt_uses_voice_tags_and_escapes_markup() -> None:
    vtt = to_vtt(WORDS)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Ann>Hello there.</v>")
    assert "<v Bob>Hi &lt;Ann&gt;</v>" in vtt


def test_audacity_labels_are_tab_separated_seconds() -> None:
    first = to_audacity(WORDS).splitlines()[0].split("\t")
    assert first == ["0.000000", "1.000000", "Ann: Hello there."]


def test_podcast_json_follows_podcasting_2_0() -> None:
    data = json.loads(to_podcast_json(WORDS))
    assert data["version"] == "1.0.0"
    assert data["segments"][2] == {"startTime": 1.0, "endTime": 1.2, "body": "Hi", "speaker": "Bob"}


def test_empty_program_gives_empty_but_valid_files() -> None:
    assert render([], "vtt") == "WEBVTT\n"
    assert render([], "srt") == ""
    assert json.loads(render([], "json")) == []


def test_unknown_format_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown transcript format"):
        render(WORDS, "docx")
