"""Finding the words smart cleanup may cut: fillers, repeats, false starts, filler phrases.

Pure text-and-timing rules, no model. A word is marked (``TimedWord.filler``), never removed:
the user reviews the list and ``sync.cleanup.remove_fillers`` turns it into one undoable edit.

Rules, in order:
* **filler tokens**: um, uh, er, erm, ah, hmm, mm and their spellings;
* **repeated words**: "the the" — every copy but the last is marked. Not a disfluency, and
  left alone: a few words English legitimately doubles ("that that", "had had"); greetings,
  answers and intensifiers people say twice on purpose ("hello hello", "no, no", "yeah
  yeah", "very very"); and any repeat across sentence-final punctuation ("Hello? Hello?" is
  two calls, not a stutter — smart cleanup must not cut a show's first word);
* **false starts**: a fragment the recogniser writes with a trailing hyphen ("wh-"), or a short
  non-word that is the beginning of the next word ("th the"), never across a sentence end;
* **filler phrases by position**: "you know", "I mean" (also "like I said"-free cases are not
  touched) only when set off from the sentence — followed by a comma, full stop, a pause or the
  end of speech — and not when they are the verb of the sentence ("do you know?", "what I mean").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from editor.transcribe.words import TimedWord

FILLER_TOKENS = frozenset(
    ["um", "umm", "uhm", "uh", "uhh", "er", "erm", "ah", "ahh", "eh", "hmm", "hm", "mm", "mhm"]
)
LEGIT_DOUBLES = frozenset({"that", "had", "is"})
SAID_TWICE = frozenset(
    [
        # greetings and farewells
        "hello",
        "hi",
        "hey",
        "bye",
        "goodbye",
        # answers and acknowledgements
        "no",
        "yes",
        "yeah",
        "yep",
        "yup",
        "nope",
        "nah",
        "okay",
        "ok",
        "right",
        "sure",
        "thanks",
        "please",
        "wait",
        "oh",
        # intensifiers
        "very",
        "really",
    ]
)
"""Words people say twice on purpose: a greeting or answer repeated is emphasis, not a stutter."""
_COMMON_SHORT = frozenset(
    [
        "a",
        "an",
        "i",
        "in",
        "to",
        "the",
        "he",
        "we",
        "be",
        "so",
        "no",
        "on",
        "at",
        "it",
        "is",
        "as",
        "of",
        "or",
        "do",
        "go",
        "me",
        "my",
        "by",
        "up",
        "us",
        "if",
        "and",
        "for",
        "not",
        "you",
        "all",
        "can",
        "her",
        "was",
        "one",
        "our",
        "out",
        "his",
        "has",
        "had",
        "how",
        "man",
        "new",
        "now",
        "old",
        "see",
        "two",
        "way",
        "who",
        "boy",
        "did",
        "its",
        "let",
        "put",
        "say",
        "she",
        "too",
        "use",
        "any",
        "are",
        "but",
        "day",
        "get",
        "him",
    ]
)
_PHRASES: tuple[tuple[str, ...], ...] = (("you", "know"), ("i", "mean"))
_PHRASE_BLOCKERS = frozenset(
    [
        "do",
        "did",
        "does",
        "dont",
        "didnt",
        "doesnt",
        "if",
        "whether",
        "to",
        "what",
        "whatever",
        "that",
        "how",
        "you",
        "we",
        "they",
    ]
)
PAUSE = 0.3
"""Seconds of silence that set a phrase off as firmly as a comma does."""


@dataclass(frozen=True, slots=True)
class FillerMark:
    index: int
    kind: str  # "filler" | "repeat" | "false_start" | "phrase"


def _key(text: str) -> str:
    return re.sub(r"[^\w']", "", text.lower()).replace("'", "")


def _ends_clause(text: str) -> bool:
    return bool(re.search(r"[,.;:!?…—]\s*$", text.strip()))


def _ends_sentence(text: str) -> bool:
    """A full stop, question or exclamation mark (or an ellipsis) closes the word."""
    return bool(re.search(r"[.!?…]['\"”’)\]]*\s*$", text.strip()))


def detect_fillers(words: Sequence[TimedWord], *, pause: float = PAUSE) -> list[FillerMark]:
    """Every word smart cleanup may remove, with the rule that found it."""
    keys = [_key(w.text) for w in words]
    marks: dict[int, str] = {}
    n = len(words)
    for i, (w, k) in enumerate(zip(words, keys, strict=True)):
        # Nothing joins a word to the next one across a sentence end.
        nxt = keys[i + 1] if i + 1 < n and not _ends_sentence(w.text) else ""
        if k in FILLER_TOKENS:
            marks[i] = "filler"
        elif w.text.strip().endswith(("-", "—", "–")) and i + 1 < n:
            marks[i] = "false_start"
        elif k and k == nxt and k not in LEGIT_DOUBLES and k not in SAID_TWICE:
            marks[i] = "repeat"
        elif 0 < len(k) <= 3 and k not in _COMMON_SHORT and len(nxt) > len(k) and nxt.startswith(k):
            marks[i] = "false_start"
    for phrase in _PHRASES:
        m = len(phrase)
        for i in range(n - m + 1):
            if tuple(keys[i : i + m]) != phrase:
                continue
            last = i + m - 1
            after_gap = words[last + 1].start - words[last].end if last + 1 < n else pause
            set_off_after = (
                (
                    _ends_clause(words[last].text)
                    or after_gap >= pause
                    or keys[last + 1] in FILLER_TOKENS
                )
                if last + 1 < n
                else True
            )
            prev = keys[i - 1] if i > 0 else ""
            before_gap = words[i].start - words[i - 1].end if i > 0 else pause
            set_off_before = i == 0 or _ends_clause(words[i - 1].text) or before_gap >= pause
            if set_off_after and (set_off_before or prev not in _PHRASE_BLOCKERS):
                for j in range(i, last + 1):
                    marks.setdefault(j, "phrase")
    return [FillerMark(i, kind) for i, kind in sorted(marks.items())]


def mark_fillers(words: Sequence[TimedWord]) -> list[TimedWord]:
    """The same words with ``filler`` set where :func:`detect_fillers` found one."""
    marked = {m.index for m in detect_fillers(words)}
    return [replace(w, filler=i in marked) for i, w in enumerate(words)]


VERBATIM_PROMPT = "Um, uh, hmm, er, ah. So, you know, I- I mean, uh, yeah."
"""A short disfluent prompt: it shows the model that fillers are written down. Kept short on
purpose; long prompts make Whisper loop."""
