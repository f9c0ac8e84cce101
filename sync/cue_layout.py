"""Caption layout by broadcast norms: which words share a cue, and where its line breaks.

Norms (the limits of Netflix's English timed-text style guide; the line-breaking rules of
common broadcast practice): at most two lines of at most 42 characters; at most 7 s on
screen; a new cue at every speaker turn; lines and cues broken at clause boundaries (after
punctuation, or before a conjunction or preposition), never after an article or preposition
when another break fits; and no single word alone on the last line — an
orphan reads as a mistake ("…I thought,\\nI").

Pure functions over words' text and times (``sync.captions`` owns the formats). The grouping
is greedy with one look-back: when the next word no longer fits, the cue ends at the best
boundary among its later words, and the words after that boundary start the next cue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

_SENTENCE_END = re.compile(r"[.!?…]['\"”’)\]]*$")
_CLAUSE_END = re.compile(r"[,;:—–]['\"”’)\]]*$")
_LEADS = frozenset(
    [
        "and",
        "but",
        "or",
        "nor",
        "so",
        "because",
        "although",
        "though",
        "that",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "while",
        "if",
        "unless",
        "until",
        "then",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "without",
        "as",
        "at",
        "from",
        "about",
        "like",
        "than",
        "into",
        "after",
        "before",
    ]
)
"""Words a new line (or cue) may start with: the clause or phrase they open stays whole."""
_WEAK_ENDS = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "and",
        "or",
        "but",
        "i",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "its",
        "this",
        "that",
    ]
)
"""Words a line (or cue) should not end with: they belong to what follows."""


class Timed(Protocol):
    """What grouping needs of a word."""

    @property
    def text(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def speaker(self) -> str | None: ...


W = TypeVar("W", bound=Timed)


def _bare(token: str) -> str:
    return re.sub(r"[^\w']", "", token.lower())


def boundary_score(before: str, after: str | None) -> float:
    """How good a break between ``before`` and ``after`` is (higher is better)."""
    if _SENTENCE_END.search(before):
        return 3.0
    if _CLAUSE_END.search(before):
        return 2.0
    score = 1.0 if after is not None and _bare(after) in _LEADS else 0.0
    return score - 2.0 if _bare(before) in _WEAK_ENDS else score


def _two_lines(tokens: Sequence[str], width: int) -> tuple[str, str] | None:
    """The best break of ``tokens`` into two lines that fit, the last holding ≥ 2 words."""
    best: tuple[float, int] | None = None
    lengths = [len(t) for t in tokens]
    total = sum(lengths) + len(tokens) - 1
    first = -1
    for k in range(1, len(tokens) - 1):  # line 1 = tokens[:k]; line 2 keeps >= 2 words
        first += lengths[k - 1] + 1
        second = total - first - 1
        if first > width:
            break
        if second > width:
            continue
        score = boundary_score(tokens[k - 1], tokens[k]) - abs(first - second) / width
        if best is None or score > best[0]:
            best = (score, k)
    if best is None:
        return None
    k = best[1]
    return " ".join(tokens[:k]), " ".join(tokens[k:])


def fits(tokens: Sequence[str], width: int) -> bool:
    """Whether ``tokens`` can be shown in one line, or two without an orphan last line."""
    if sum(len(t) for t in tokens) + len(tokens) - 1 <= width:
        return True
    return _two_lines(tokens, width) is not None


def lay_out(tokens: Sequence[str], width: int) -> tuple[str, ...]:
    """The cue's lines: one if it fits, else the best two; a word longer than a line stands
    alone (it cannot be broken)."""
    one = " ".join(tokens)
    if len(one) <= width or len(tokens) < 2:
        return (one,)
    two = _two_lines(tokens, width)
    return two if two is not None else (one,)


def group_words(
    words: Sequence[W],
    *,
    max_seconds: float,
    max_gap: float,
    width: int,
    label: Callable[[str], str] | None = None,
) -> list[tuple[list[W], str | None]]:
    """Consecutive words grouped into cues, each with the label shown before it (or None)."""
    groups: list[tuple[list[W], str | None]] = []
    cur: list[W] = []

    def prefix_for(speaker: str | None) -> str | None:
        opens_turn = not groups or groups[-1][0][0].speaker != speaker
        return label(speaker) if label is not None and speaker and opens_turn else None

    def ok(ws: Sequence[W]) -> bool:
        if len(ws) > 1 and ws[-1].end - ws[0].start > max_seconds:
            return False
        prefix = prefix_for(ws[0].speaker)
        return fits(([prefix] if prefix else []) + [w.text for w in ws], width)

    def close(ws: list[W]) -> None:
        if ws:
            groups.append((ws, prefix_for(ws[0].speaker)))

    for w in words:
        if cur and (w.speaker != cur[0].speaker or w.start - cur[-1].end > max_gap):
            close(cur)
            cur = []
        if cur and not ok([*cur, w]):
            j = _cue_end(cur, w, ok)
            close(cur[:j])
            cur = cur[j:]
            if cur and not ok([*cur, w]):
                close(cur)
                cur = []
        cur.append(w)
    close(cur)
    return groups


def _cue_end(cur: list[W], nxt: W, ok: Callable[[Sequence[W]], bool]) -> int:
    """How many of ``cur``'s words the closing cue keeps: the best boundary in its second half
    whose tail still fits with ``nxt`` (all of them when no boundary is better)."""
    best_j, best = len(cur), boundary_score(cur[-1].text, nxt.text)
    for j in range(len(cur) - 1, max(1, (len(cur) + 1) // 2) - 1, -1):
        # Each word carried over costs a little: fuller cues are easier to read.
        score = boundary_score(cur[j - 1].text, cur[j].text) - 0.25 * (len(cur) - j)
        if score > best and ok(cur[:j]) and ok([*cur[j:], nxt]):
            best_j, best = j, score
    return best_j
