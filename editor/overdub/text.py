"""The line to speak: the user's text as words, each with the tokens a voice must produce.

Why tokens. Transcripts and typed text write the same speech differently ("12" / "twelve",
"don't" / "do not", "Hello," / "hello"); splicing matches recorded words to requested ones, so
both sides go through the same normaliser (the one word error rates are scored with). Each
typed word keeps its own spelling for display and knows which tokens it stands for, so a
transcript can show "12" while the audio says "twelve".

Punctuation is kept as a pause hint: a comma, a colon or a dash asks for a short breath, a full
stop for a sentence pause, which the backends turn into natural gaps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from editor.errors import OverdubError
from editor.transcribe.wer import normalise

MAX_WORDS = 200
"""A line, not a chapter: longer text is refused before any audio work starts."""

_MAX_NUMBER = 999_999
"""The largest number spelled out; bigger ones are refused (say them in words)."""
_SYMBOLS = {"%": " percent", "&": " and ", "+": " plus ", "=": " equals ", "@": " at "}
_CURRENCY = {"$": ("dollar", "dollars"), "£": ("pound", "pounds"), "€": ("euro", "euros")}
_FRACTIONS = {
    "½": " one half",
    "⅓": " one third",
    "⅔": " two thirds",
    "¼": " one quarter",
    "¾": " three quarters",
}
_YEAR = re.compile(r"(?<!\d)(?<!\d[.,])(1[1-9]|20)(\d\d)(?!\d|[.,]\d)")
"""A bare four-digit number from 1100 to 2099 (no thousands comma) is read as a year, the way
people say one: "1999" → nineteen ninety-nine, "2024" → twenty twenty-four, "1900" → nineteen
hundred ("2005" stays two thousand five). "1,999" keeps the quantity reading."""

_VARIANTS: dict[str, tuple[str, ...]] = {
    "alright": ("all", "right"),
    "ok": ("okay",),
    "everytime": ("every", "time"),
}
"""One spoken form for words written two ways, applied to typed text and to the transcript's
words alike (:func:`spoken_tokens`), so "alright" finds a recorded "all right"."""


def spoken_tokens(text: str) -> list[str]:
    """``text`` as the tokens splicing matches on: the WER normaliser's tokens with the few
    spelling variants of :data:`_VARIANTS` made one."""
    out: list[str] = []
    for t in normalise(text):
        out.extend(_VARIANTS.get(t, (t,)))
    return out


_BREATH = re.compile(r"[,;:\u2013\u2014-]$")
_STOP = re.compile(r"[.!?\u2026]['\")\]]*$")


@dataclass(frozen=True, slots=True)
class LineWord:
    """One typed word: how it is shown, the spoken tokens it stands for, the pause after it."""

    display: str
    tokens: tuple[str, ...]
    pause: str = ""
    """``""`` (none), ``"breath"`` (comma, dash…) or ``"stop"`` (end of a sentence)."""


@dataclass(frozen=True, slots=True)
class Line:
    """The requested text, parsed; ``tokens`` is every word's tokens in order."""

    text: str
    words: tuple[LineWord, ...]

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(t for w in self.words for t in w.tokens)

    def token_owner(self) -> list[int]:
        """For each token, the index of the word it belongs to."""
        return [i for i, w in enumerate(self.words) for _ in w.tokens]

    def pause_after_token(self) -> list[str]:
        """For each token, the pause that follows it (only a word's last token has one)."""
        out: list[str] = []
        for w in self.words:
            out.extend([""] * (len(w.tokens) - 1))
            out.append(w.pause)
        return out

    @property
    def spoken(self) -> str:
        """The tokens as one plain string (what a text-to-speech engine is given)."""
        return " ".join(self.tokens)


def parse_line(text: str) -> Line:
    """Split ``text`` into words and tokens; :class:`OverdubError` if nothing speakable is left.

    Digits are spelled out ("12" → "twelve"); symbols that have no spoken form are dropped from
    the tokens (a word made only of them is dropped); a word the normaliser cannot spell at all
    is refused by name so the user knows what to rewrite.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise OverdubError("the overdub text is empty; give the words to say with --text")
    words: list[LineWord] = []
    for raw in cleaned.split(" "):
        tokens = tuple(spoken_tokens(_spoken_form(raw)))
        for t in tokens:
            if not re.fullmatch(r"[a-z0-9]+|[^\W\d_]+", t):
                raise OverdubError(f"cannot say {raw!r}: write it out in words")
            if t.isdigit():
                raise OverdubError(f"cannot say the number {raw!r}: write it out in words")
        pause = "stop" if _STOP.search(raw) else "breath" if _BREATH.search(raw) else ""
        if not tokens:
            if words and pause and not words[-1].pause:
                last = words[-1]
                words[-1] = LineWord(last.display, last.tokens, pause)
            continue
        words.append(LineWord(raw, tokens, pause))
    if not words:
        raise OverdubError(f"the overdub text {text.strip()!r} has no words that can be spoken")
    if len(words) > MAX_WORDS:
        raise OverdubError(
            f"the overdub text has {len(words)} words; one line takes at most {MAX_WORDS}"
        )
    return Line(cleaned, tuple(words))


def _spoken_form(raw: str) -> str:
    """Numbers and a few symbols as words the normaliser then spells: "1,200" → "1200",
    "3.5" → "3 point 5", "50%" → "50 percent"; a too large number or digits glued to letters
    ("3rd", "mp3") are refused, since guessing how they are said would put words in a mouth."""
    word = raw
    for fraction, spoken in _FRACTIONS.items():
        word = word.replace(fraction, spoken)
    if re.search(r"[\u2150-\u215f\u2189\u2044]", word):
        raise OverdubError(f"cannot tell how to say {raw!r}: write it out in words")
    money = re.fullmatch(r"([(\"']*)([$£€])(\d[\d,]*(?:\.\d+)?)(.*)", word)
    if money:
        one, many = _CURRENCY[money[2]]
        whole, _, cents = money[3].partition(".")
        unit = one if whole == "1" else many
        if len(cents) == 2:  # "$3.50": three dollars fifty
            word = f"{money[1]}{whole} {unit} {int(cents)}{money[4]}"
        else:
            word = f"{money[1]}{money[3]} {unit}{money[4]}"
    word = re.sub(r"#(\d)", r"number \1", word)
    word = _YEAR.sub(_year, word)
    while re.search(r"\d,\d{3}", word):
        word = re.sub(r"(\d),(\d{3})", r"\1\2", word)
    word = re.sub(
        r"(\d)\.(\d+)", lambda m: f"{m[1]} point {' '.join(m[2])}", word
    )  # "3.14": three point one four
    for symbol, spoken in _SYMBOLS.items():
        word = word.replace(symbol, spoken)
    if re.search(r"\d[^\W\d_]|[^\W\d_]\d", word):
        raise OverdubError(f"cannot tell how to say {raw!r}: write it out in words")
    if re.search(r"[$£€]", word):
        raise OverdubError(f"cannot tell how to say {raw!r}: write the amount in words")
    for number in re.findall(r"\d+", word):
        if int(number) > _MAX_NUMBER:
            raise OverdubError(f"cannot say the number {raw!r}: write it out in words")
    return word


def _year(m: re.Match[str]) -> str:
    century, rest = m[1], m[2]
    if century == "20" and rest < "10":
        return m[0]  # 2000-2009: "two thousand five"
    if rest == "00":
        return f"{century} hundred"
    if rest[0] == "0":
        return f"{century} oh {rest[1]}"
    return f"{century} {rest}"
