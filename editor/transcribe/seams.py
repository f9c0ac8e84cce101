"""Joining the words of neighbouring chunks so that no word at a seam is lost or doubled.

Each chunk is decoded with ``overlap`` seconds of context either side of its own range, so the
words around a cut are heard by both neighbours. Deciding which copy to keep *by time alone*
(say, by the word's midpoint) is not safe: Whisper's timestamps are least reliable at the
edges of its window — the first word of a window is routinely stretched back to the window's
start, the last one squeezed into what audio is left. On real read speech that put one word's
midpoint before the cut in the later chunk and after it in the earlier chunk, and the word
vanished from both.

So seams are joined by **text**: the words each side could both have heard are aligned
(normalised tokens, in order, within ``MATCH_TOLERANCE`` seconds of each other), and the join
is made at the matched word nearest the cut — the earlier chunk's words before it, the later
chunk's from it on. Words both heard are therefore kept once, and where the two decodings
disagree one chunk's version is kept whole. Of the matched word's two copies, the one further
from its window's edge keeps its times (those are the trustworthy ones).

When nothing matches (one side heard only a fragment, or the two decodings differ throughout),
the midpoint rule decides, with one guard against loss: a word the rule would drop is kept when
the other chunk kept nothing at that time.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from editor.transcribe.chunking import Chunk
from editor.transcribe.wer import normalise
from editor.transcribe.words import TimedWord

MATCH_TOLERANCE = 1.0
"""Seconds two copies of a word may disagree on where it is and still be the same word."""

COVERED = 0.5
"""A word counts as already heard by the other chunk when this share of it overlaps a word
the other chunk kept."""


@dataclass(frozen=True, slots=True)
class Heard:
    """One chunk's words in track time, everything it heard in its fed range ``lo``–``hi``."""

    chunk: Chunk
    lo: float
    hi: float
    words: Sequence[TimedWord] | None
    """None when the chunk has no words to offer (a gap, or not transcribed)."""


@dataclass(slots=True)
class _Seam:
    """What one seam removes from the chunks on either side of it."""

    drop_a: set[int] = field(default_factory=set)
    """Indices of the earlier chunk's words to leave out."""
    drop_b: set[int] = field(default_factory=set)
    """Indices of the later chunk's words to leave out."""
    replace_b: dict[int, TimedWord] = field(default_factory=dict)
    """The later chunk's words to keep with the earlier chunk's (better-timed) copy."""


def stitch(parts: Sequence[Heard]) -> list[TimedWord]:
    """The track's words from its chunks in order; gaps contribute nothing."""
    seams = [_seam(a, b) for a, b in itertools.pairwise(parts)]
    out: list[TimedWord] = []
    for k, part in enumerate(parts):
        if part.words is None:
            continue
        before = seams[k - 1] if k > 0 else _Seam()
        after = seams[k] if k < len(seams) else _Seam()
        for i, w in enumerate(part.words):
            if i in before.drop_b or i in after.drop_a:
                continue
            out.append(before.replace_b.get(i, w))
    return out


def _seam(a: Heard, b: Heard) -> _Seam:
    cut = a.chunk.end
    if a.words is None or b.words is None:
        # Beside a gap the midpoint rule alone decides, so the gap stays clean.
        return _Seam(
            {i for i, w in enumerate(a.words or ()) if w.mid >= cut},
            {j for j, w in enumerate(b.words or ()) if w.mid < cut},
        )
    return _matched(a.words, b.words, a, b) or _unmatched(a.words, b.words, cut)


def _matched(
    words_a: Sequence[TimedWord], words_b: Sequence[TimedWord], a: Heard, b: Heard
) -> _Seam | None:
    """Join at the word both chunks heard nearest the cut, or None when none matches."""
    cut = a.chunk.end
    # Words the other side could have heard at least part of.
    ia = [i for i, w in enumerate(words_a) if w.end > b.lo]
    jb = [j for j, w in enumerate(words_b) if w.start < a.hi]
    keys_a = [_key(words_a[i]) for i in ia]
    keys_b = [_key(words_b[j]) for j in jb]
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    best: tuple[float, int, int] | None = None
    for block in matcher.get_matching_blocks():
        for n in range(block.size):
            i, j = ia[block.a + n], jb[block.b + n]
            wa, wb = words_a[i], words_b[j]
            if not keys_a[block.a + n] or abs(wa.mid - wb.mid) > MATCH_TOLERANCE:
                continue
            distance = abs((wa.mid + wb.mid) / 2.0 - cut)
            if best is None or distance < best[0]:
                best = (distance, i, j)
    if best is None:
        return None
    _, i, j = best
    wa, wb = words_a[i], words_b[j]
    seam = _Seam(set(range(i, len(words_a))), set(range(j)))
    if a.hi - wa.end > wb.start - b.lo:  # the copy further inside its window is better timed
        seam.replace_b[j] = wa
    return seam


def _unmatched(words_a: Sequence[TimedWord], words_b: Sequence[TimedWord], cut: float) -> _Seam:
    """Midpoint ownership, except that a word nobody else kept at its time is not dropped."""
    kept_a = [w for w in words_a if w.mid < cut]
    kept_b = [w for w in words_b if w.mid >= cut]
    drop_a = set()
    for i, w in enumerate(words_a):
        if w.mid >= cut:
            if _covered(w, kept_b):
                drop_a.add(i)
            else:
                kept_a.append(w)
    drop_b = {j for j, w in enumerate(words_b) if w.mid < cut and _covered(w, kept_a)}
    return _Seam(drop_a, drop_b)


def _covered(word: TimedWord, kept: Sequence[TimedWord]) -> bool:
    length = max(word.end - word.start, 1e-3)
    for k in kept:
        shared = min(word.end, k.end) - max(word.start, k.start)
        if shared >= COVERED * min(length, max(k.end - k.start, 1e-3)):
            return True
    return False


def _key(word: TimedWord) -> str:
    return " ".join(normalise(word.text))
