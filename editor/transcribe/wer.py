"""Word error rate with an English normaliser, shared by tests and ``bench/``.

The normaliser follows the spirit of Whisper's English text normaliser (lower-case, strip
punctuation, expand contractions, spell numbers the same way on both sides) without pulling in
its large spelling table: both the reference and the hypothesis go through the same function,
so what matters is that equal speech maps to equal tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "n't": " not",
    "'re": " are",
    "'ll": " will",
    "'ve": " have",
    "'m": " am",
    "let's": "let us",
    "y'know": "you know",
    "yknow": "you know",
    "ya know": "you know",
}
_FILLER_SPELLINGS = {
    "umm": "um",
    "uhm": "um",
    "erm": "um",
    "uhh": "uh",
    "ah": "uh",
    "er": "uh",
    "hmm": "hm",
    "mm": "hm",
    "mhm": "hm",
}
_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _spell_number(n: int) -> str:
    """Spell 0..999,999 in words; larger numbers are left as digits."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return _ONES[hundreds] + " hundred" + ("" if rest == 0 else " " + _spell_number(rest))
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        head = _spell_number(thousands) + " thousand"
        return head + ("" if rest == 0 else " " + _spell_number(rest))
    return str(n)


def normalise(text: str) -> list[str]:
    """Tokens for scoring: lower-case, no punctuation, contractions and numbers expanded."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'")
    # "'d" is "would" after a pronoun (I'd, they'd) and an elided "-ed" elsewhere (tatter'd).
    text = re.sub(r"\b(i|you|he|she|it|we|they|who|that|there)'d\b", r"\1 would", text)
    text = re.sub(r"(\w)'d\b", r"\1ed", text)
    for short, full in _CONTRACTIONS.items():
        text = text.replace(short, full)
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text)
    text = re.sub(r"\d+", lambda m: " " + _spell_number(int(m.group())) + " ", text)
    text = re.sub(r"[-‐–—/]", " ", text)
    text = re.sub(r"[^\w\s']", " ", text)
    text = text.replace("'", "")
    tokens = [_FILLER_SPELLINGS.get(t, t) for t in text.split()]
    return [t for t in tokens if t]


@dataclass(frozen=True, slots=True)
class WerResult:
    substitutions: int
    deletions: int
    insertions: int
    reference_words: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        """(S + D + I) / N; an empty reference scores 0 only against an empty hypothesis."""
        if self.reference_words == 0:
            return 0.0 if self.insertions == 0 else 1.0
        return self.errors / self.reference_words


def edit_counts(ref: Sequence[str], hyp: Sequence[str]) -> WerResult:
    """Levenshtein alignment of token lists, counting each kind of error."""
    # Each cell holds (cost, subs, dels, ins); rows are reused to keep memory O(len(hyp)).
    prev = [(j, 0, 0, j) for j in range(len(hyp) + 1)]
    for i in range(1, len(ref) + 1):
        cur = [(i, 0, i, 0)]
        for j in range(1, len(hyp) + 1):
            if ref[i - 1] == hyp[j - 1]:
                best = prev[j - 1]
            else:
                c_sub, c_del, c_ins = prev[j - 1], prev[j], cur[j - 1]
                best = min(
                    (c_sub[0] + 1, c_sub[1] + 1, c_sub[2], c_sub[3]),
                    (c_del[0] + 1, c_del[1], c_del[2] + 1, c_del[3]),
                    (c_ins[0] + 1, c_ins[1], c_ins[2], c_ins[3] + 1),
                )
            cur.append(best)
        prev = cur
    _, s, d, n_ins = prev[-1]
    return WerResult(s, d, n_ins, len(ref))


def wer(reference: str, hypothesis: str) -> WerResult:
    """Score ``hypothesis`` against ``reference`` after normalising both the same way."""
    return edit_counts(normalise(reference), normalise(hypothesis))
