"""The typed line: words, spoken tokens, pauses, and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.errors import OverdubError
from editor.overdub.text import parse_line


def test_numbers_are_spelled_and_display_kept() -> None:
    line = parse_line("We had 12 episodes, 3.5 hours and 50% of 1,200 listeners.")
    assert line.tokens == (
        "we", "had", "twelve", "episodes", "three", "point", "five", "hours", "and",
        "fifty", "percent", "of", "one", "thousand", "two", "hundred", "listeners",
    )  # fmt: skip
    assert [w.display for w in line.words][2] == "12"
    assert line.words[3].pause == "breath"
    assert line.words[-1].pause == "stop"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("It cost $40.", "it cost forty dollars"),
        ("$1 and $3.50", "one dollar and three dollars fifty"),
        ("€5 or £2", "five euros or two pounds"),
        ("back in 1999, and 1905", "back in nineteen ninety nine and nineteen oh five"),
        ("in 2024 not 2005", "in twenty twenty four not two thousand five"),
        ("1,999 people", "one thousand nine hundred ninety nine people"),
        ("pi is 3.14", "pi is three point one four"),
        ("a+b=c @home #1", "a plus b equals c at home number one"),
        ("½ cup", "one half cup"),
        ("Alright, OK", "all right okay"),
    ],
)
def test_symbols_currency_and_years_are_said_as_people_say_them(text: str, spoken: str) -> None:
    assert parse_line(text).spoken == spoken


def test_contractions_map_to_the_tokens_a_transcript_gives() -> None:
    line = parse_line("Don't you know?")
    assert line.words[0].tokens == ("do", "not")
    assert line.token_owner() == [0, 0, 1, 2]
    assert line.pause_after_token() == ["", "", "", "stop"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("!!! ???", "no words"),
        ("1,000,000,000 people", "write it out"),
        ("the 3rd time", "write it out"),
        ("an mp3 file", "write it out"),
        ("⅛ cup", "write it out"),
        ("US$5", "write the amount"),
        (" ".join(["word"] * 201), "at most 200"),
    ],
)
def test_refused_text(text: str, says: str) -> None:
    with pytest.raises(OverdubError, match=says):
        parse_line(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_clearly(text: str) -> None:
    try:
        line = parse_line(text)
    except OverdubError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert line.tokens
    for t in line.tokens:
        assert t == t.lower() and t.strip() == t and t and not t.isdigit()
    assert len(line.token_owner()) == len(line.tokens) == len(line.pause_after_token())
