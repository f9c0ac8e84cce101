"""Find in the transcript, fast enough to run on every keystroke.

The same matches as ``sync.cleanup.find_matches`` (whole words in program order, case and
punctuation ignored through the same ``normalise``, struck words skipped, no overlaps) — a test
holds the two equal — but over the model's tokens with each distinct text normalised once:
normalising 15,000 words for every keystroke took ~150 ms; a cached pass takes a few.
"""

from __future__ import annotations

from editor.viewmodel.tokens import Style, Token
from sync.cleanup import normalise

_CACHE_LIMIT = 200_000


class Finder:
    """Matches a phrase against word tokens; remembers the normal form of each text seen."""

    def __init__(self) -> None:
        self._norms: dict[str, str] = {}

    def find(self, words: list[Token], phrase: str) -> list[tuple[str, str]]:
        needle = [t for t in (normalise(p) for p in phrase.split()) if t]
        if not needle:
            return []
        norms = self._norms
        if len(norms) > _CACHE_LIMIT:
            norms.clear()
        keys: list[str] = []
        hay: list[str] = []
        for tok in words:
            if tok.style & Style.DELETED:
                continue
            norm = norms.get(tok.text)
            if norm is None:
                norm = norms[tok.text] = normalise(tok.text)
            if norm:
                keys.append(tok.key)
                hay.append(norm)
        out: list[tuple[str, str]] = []
        n, first = len(needle), needle[0]
        i, end = 0, len(hay) - n
        while i <= end:
            if hay[i] == first and hay[i : i + n] == needle:
                out.append((keys[i], keys[i + n - 1]))
                i += n
            else:
                i += 1
        return out
