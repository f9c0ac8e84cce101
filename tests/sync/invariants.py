"""Document invariants and an independent count of the program's length.

``expected_duration`` is written per gap (how much of each silence survives), not per segment
like ``sync.derive``, so the two agreeing is evidence rather than a tautology. It assumes no two
words overlap in time (the generator's default) and the default midpoint cut points.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from render.edl import ClipInsert, Edl, EdlTrack, SourceRange
from sync.derive import derive_edl
from sync.document import Document
from sync.ops import LEAD


def media(doc: Document) -> dict[str, EdlTrack]:
    return {t.id: EdlTrack(Path(f"{t.id}.wav")) for t in doc.tracks}


def check_structure(doc: Document) -> None:
    ids = list(doc.source_order)
    assert len(ids) == len(set(ids)), "duplicate word ids"
    program = [w.id for w in doc.words]
    assert sorted(program) == sorted(ids), "program order lost or duplicated words"
    in_sections = [i for s in doc.sections for i in doc.section_words(s.id)]
    assert sorted(in_sections) == sorted(ids), "a word is not in exactly one section"
    assert len({s.id for s in doc.sections}) == len(doc.sections)
    assert min(s.start for s in doc.sections) == 0.0
    for o in doc.overdubs:
        assert o.after_word in doc, f"overdub {o.id} anchored to missing {o.after_word}"
    assert doc.deleted <= set(ids)
    assert set(doc.corrections) <= set(ids)
    assert set(doc.pauses) <= set(ids) | {LEAD}


def edl_seconds(edl: Edl, doc: Document) -> float:
    rate = edl.sample_rate
    clip_len = {Path(o.clip): o.duration for o in doc.overdubs}
    total = 0.0
    for seg in edl.segments:
        if isinstance(seg, SourceRange):
            a, b = seg.frames(rate)
            total += (b - a) / rate
        else:
            assert isinstance(seg, ClipInsert)
            total += clip_len[seg.path]
    return total


def expected_duration(doc: Document) -> float:
    """Kept speech + kept gaps + clips, counted gap by gap."""
    total = sum(o.duration for o in doc.overdubs)
    order = doc.source_order
    if not order:
        return total + (doc.media_end() or 0.0)
    words = [doc.word(i) for i in order]
    kept = [i not in doc.deleted for i in order]
    sec = [doc.section_of(i).id for i in order]
    pauses = doc.pauses
    total += sum(w.end - w.start for w, k in zip(words, kept, strict=True) if k)
    if kept[0]:
        lead = pauses.get(LEAD)
        first = words[0].start
        total += lead if lead is not None and first > lead else first
    for i in range(len(order) - 1):
        a, b = words[i].end, words[i + 1].start
        gap, mid = b - a, (a + b) / 2
        d = pauses.get(order[i])
        shortened = d is not None and gap > d
        if sec[i] == sec[i + 1]:
            if kept[i] and kept[i + 1]:
                total += d if shortened and d is not None else gap
            elif kept[i] or kept[i + 1]:
                total += gap / 2
        else:
            x, y = (a + d / 2, b - d / 2) if shortened and d is not None else (mid, mid)
            total += (x - a if kept[i] else 0.0) + (b - y if kept[i + 1] else 0.0)
    if kept[-1]:
        a = words[-1].end
        end = doc.media_end()
        if end is not None and end > a:
            d = pauses.get(order[-1])
            total += d if d is not None and end - a > d else end - a
    return total


def _covered(spans: list[tuple[float, float]], a: float, b: float) -> bool:
    """Whether sorted source ``spans`` play all of ``a..b`` (abutting spans join: crosstalk can
    put an overdub clip in the middle of a word, but none of the word's audio is lost)."""
    for s, e in spans:
        if s - 1e-9 <= a < e + 1e-9:
            a = e
            if a >= b - 1e-9:
                return True
    return a >= b - 1e-9


def check_derivation(doc: Document, *, overlap_free: bool = True) -> Edl:
    edl = derive_edl(doc, media(doc))
    ranges = [s for s in edl.segments if isinstance(s, SourceRange)]
    spans = sorted((r.start, r.end) for r in ranges)
    if overlap_free:  # crosstalk across a section boundary may replay a few ms, by design
        for (_, e1), (s2, _) in itertools.pairwise(spans):
            assert e1 <= s2 + 1e-9, "two ranges play the same source audio"
    for wid in doc.source_order:
        w = doc.word(wid)
        inside = _covered(spans, w.start, w.end)
        if wid not in doc.deleted:
            # The one documented exception: crosstalk over a section boundary (the later
            # section starts at its first word).
            later = [s.start for s in doc.sections if s.start > w.start]
            crosses = bool(later) and w.end > min(later)
            assert inside or crosses, f"kept word {wid} {w.start}..{w.end} is clipped"
        elif overlap_free:
            mid = (w.start + w.end) / 2
            assert not any(r.start < mid < r.end for r in ranges), f"deleted {wid} plays"
    if overlap_free:
        tolerance = (len(doc.source_order) + len(edl.segments) + 2) / edl.sample_rate
        got, want = edl_seconds(edl, doc), expected_duration(doc)
        assert abs(got - want) <= tolerance, (got, want)
    return edl
