"""Smart cleanup: builders that turn "remove the ums" into ordinary ops.

Each returns one ``Compound`` of plain ``Delete`` / ``SetPause`` ops, so a cleanup is reviewed,
synced, rebased and undone exactly like a hand edit, and a co-host's client needs no cleanup code
to replay it. Builders only read the document; nothing changes until the compound is applied.
A compound with no ops (nothing to clean) is valid and changes nothing but the version.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sync.document import Document, id_runs
from sync.errors import InvalidRange
from sync.ops import LEAD, Compound, Delete, Op, SetPause


def _runs(doc: Document, selected: set[str]) -> list[tuple[str, str]]:
    """Maximal runs of ``selected`` kept words that are adjacent in program order."""
    deleted = doc.deleted
    # Struck words neither start nor break a run: deleting across them changes nothing.
    return id_runs((w.id for w in doc.words), lambda i: None if i in deleted else i in selected)


def remove_fillers(doc: Document, word_ids: Iterable[str] | None = None) -> Compound:
    """Delete the kept filler words (or just ``word_ids``, a reviewed subset) as one action."""
    if word_ids is None:
        selected = {w.id for w in doc.words if w.filler}
    else:
        selected = set(word_ids)
        for i in selected:
            doc.word(i)  # UnknownTarget for an id that is not there
    ops: tuple[Op, ...] = tuple(Delete(a, b) for a, b in _runs(doc, selected))
    return Compound("Remove fillers", ops)


def shorten_pauses(doc: Document, longer_than: float, to: float) -> Compound:
    """Keep ``to`` seconds of every silence between kept words longer than ``longer_than``.

    Silence is measured from the latest end of any earlier word (overlapping speakers do not
    count as silence). Gaps already edited to ``to`` or shorter are left alone.
    """
    if not (0 <= to < longer_than):
        raise InvalidRange(f"shorten pauses: need 0 <= to ({to}) < longer_than ({longer_than})")
    order = doc.source_order
    max_ends = doc.running_max_ends()
    deleted, pauses = doc.deleted, doc.pauses
    ops: list[Op] = []
    for i in range(len(order) - 1):
        wid, nxt = order[i], order[i + 1]
        if wid in deleted or nxt in deleted:
            continue
        gap = doc.word(nxt).start - max_ends[i]
        current = pauses.get(wid)
        if gap > longer_than and (current is None or current > to):
            ops.append(SetPause(wid, to))
    return Compound(f"Shorten pauses over {longer_than:g} s to {to:g} s", tuple(ops))


def trim_silence(doc: Document, keep: float = 0.25) -> Compound:
    """Keep ``keep`` seconds of silence before the first word and after the last one.

    The trailing silence is only known when the tracks' durations are.
    """
    if keep < 0:
        raise InvalidRange(f"trim silence: keep must be >= 0 seconds, not {keep}")
    ops: list[Op] = []
    order = doc.source_order
    if order:
        pauses = doc.pauses
        for target in (LEAD, order[-1]):
            a, b = doc.gap_after(target)
            if b - a > keep and pauses.get(target) != keep:
                ops.append(SetPause(target, keep))
    return Compound("Trim silence", tuple(ops))


def normalise(text: str) -> str:
    """A word as search sees it: case-folded, accents kept, punctuation and symbols dropped."""
    return "".join(
        c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum() or c == "'"
    ).strip("'")


def find_matches(doc: Document, phrase: str) -> list[tuple[str, str]]:
    """Every occurrence of ``phrase`` in the kept transcript as ``(start_word, end_word)``.

    Matching is by whole words, ignoring case and punctuation, over the shown text (corrections
    included) in program order; struck-out words are skipped, matches do not overlap.
    """
    needle = [t for t in (normalise(p) for p in phrase.split()) if t]
    if not needle:
        raise InvalidRange(f"nothing to search for in {phrase!r}")
    hay: list[tuple[str, str]] = [
        (wid, norm) for wid, text, gone in doc.tokens() if not gone and (norm := normalise(text))
    ]
    out: list[tuple[str, str]] = []
    n, i = len(needle), 0
    while i + n <= len(hay):
        if all(hay[i + k][1] == needle[k] for k in range(n)):
            out.append((hay[i][0], hay[i + n - 1][0]))
            i += n
        else:
            i += 1
    return out


def cut_matches(doc: Document, phrase: str) -> Compound:
    """Delete every occurrence of ``phrase`` (see ``find_matches``) as one action."""
    ops: tuple[Op, ...] = tuple(Delete(a, b) for a, b in find_matches(doc, phrase))
    return Compound(f"Cut {phrase!r}", ops)
