"""Reading word-level transcripts from other tools: accepted shapes and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.transcript_file import TranscriptFileError, parse_words, read_words

P = Path("t.json")


def test_plain_list_with_optional_fields() -> None:
    words = parse_words(
        [
            {"text": " world", "start": 0.5, "end": 0.9, "speaker": "B"},
            {"text": "Hello", "start": 0.0, "end": 0.4, "confidence": 0.7},
        ],
        P,
    )
    assert [(w.text, w.start, w.confidence, w.speaker) for w in words] == [
        ("Hello", 0.0, 0.7, None),
        ("world", 0.5, 1.0, "B"),
    ]


def test_faster_whisper_and_whisperx_shapes() -> None:
    fw = {
        "segments": [
            {
                "speaker": "S1",
                "words": [{"word": " Hi", "start": 0, "end": 0.2, "probability": 0.5}],
            }
        ]
    }
    wx = {"word_segments": [{"word": "Hi", "start": 0, "end": 0.2, "score": 0.8}]}
    assert parse_words(fw, P)[0].speaker == "S1"
    assert parse_words(wx, P)[0].confidence == 0.8


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"foo": 1}, "expected a JSON list"),
        ([], "no words"),
        ([{"text": "a", "start": 1}], "entry 0"),
        ([{"text": "a", "start": 2, "end": 1}], "before start"),
        ([{"text": "a", "start": -1, "end": 1}], "negative"),
        ([{"text": 3, "start": 0, "end": 1}], "'text' must be a string"),
        ([{"text": "a", "start": "0", "end": 1}], "'start' must be a number"),
        ([{"text": "a", "start": 0, "end": 1, "confidence": 2}], "between 0 and 1"),
        ([{"text": "a", "start": 0, "end": 1, "speaker": 5}], "'speaker'"),
        ([1], "must be an object"),
    ],
)
def test_bad_entries_name_file_and_entry(data: Any, fragment: str) -> None:
    with pytest.raises(TranscriptFileError, match=fragment) as info:
        parse_words(data, P)
    assert str(info.value).startswith("t.json")


def test_read_words_reports_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(TranscriptFileError, match="no such file"):
        read_words(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text("{nope")
    with pytest.raises(TranscriptFileError, match="not valid JSON"):
        read_words(tmp_path / "x.json")
    (tmp_path / "ok.json").write_text(json.dumps([{"text": "a", "start": 0, "end": 1}]))
    assert len(read_words(tmp_path / "ok.json")) == 1


JSONISH = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["text", "word", "start", "end", "confidence", "speaker", "segments", "words"]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(JSONISH)
def test_any_json_is_parsed_or_refused_with_the_typed_error(data: Any) -> None:
    try:
        words = parse_words(data, P)
    except TranscriptFileError:
        return
    assert words and all(0 <= w.start <= w.end for w in words)
