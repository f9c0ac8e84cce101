"""Random documents and random ops for the sync tests (seeded, so hypothesis can replay them)."""

from __future__ import annotations

import random
from itertools import count

from sync import cleanup
from sync.document import Document
from sync.model import Overdub, TrackRef, Word
from sync.ops import (
    LEAD,
    AddTranscript,
    Compound,
    Correct,
    Delete,
    InsertOverdub,
    MergeSection,
    Op,
    RemoveOverdub,
    RemoveTranscript,
    RenameSection,
    ReorderSection,
    Restore,
    SetPause,
    SplitSection,
)

FILLERS = ("um", "uh", "you", "know")
VOCAB = ("the", "show", "is", "back", "and", "today", "we", "talk", "about", "audio", "edits")


def make_words(
    rnd: random.Random,
    n: int,
    tracks: tuple[str, ...],
    *,
    prefix: str = "w",
    overlap: bool = False,
    t0: float = 0.0,
) -> list[Word]:
    """``n`` words over ``tracks`` in turns; with ``overlap`` a track may talk over another."""
    words: list[Word] = []
    t = t0 + rnd.uniform(0.05, 1.0)
    for i in range(n):
        track = tracks[rnd.randrange(len(tracks))] if len(tracks) > 1 else tracks[0]
        dur = rnd.uniform(0.1, 0.6)
        filler = rnd.random() < 0.15
        text = rnd.choice(FILLERS) if filler else rnd.choice(VOCAB)
        words.append(Word(f"{prefix}{i}", track, text, t, t + dur, 0.9, track, filler))
        gap = rnd.uniform(0.05, 1.5)
        if overlap and rnd.random() < 0.2:
            gap = -rnd.uniform(0.0, dur * 0.8)
        t = max(t0, t + dur + gap)
    return words


def make_doc(
    rnd: random.Random, n: int = 40, n_tracks: int = 2, *, overlap: bool = False
) -> Document:
    """A document with ``n_tracks`` transcribed tracks (words in turns) and known durations."""
    doc = Document()
    names = tuple(f"T{k}" for k in range(n_tracks))
    words = make_words(rnd, n, names, overlap=overlap)
    end = max((w.end for w in words), default=0.0) + rnd.uniform(0.0, 2.0)
    for name in names:
        mine = tuple(w for w in words if w.track == name)
        doc.apply(AddTranscript(TrackRef(name, f"Host {name}", end), mine))
    return doc


class OpMaker:
    """Builds plausible ops of a given kind for a document; ``None`` when none fits."""

    KINDS = (
        "delete",
        "restore",
        "correct",
        "insert_overdub",
        "remove_overdub",
        "reorder_section",
        "split_section",
        "merge_section",
        "rename_section",
        "set_pause",
        "add_transcript",
        "remove_transcript",
        "compound",
    )

    def __init__(self, rnd: random.Random, tag: str = "x") -> None:
        self.rnd = rnd
        self.tag = tag
        self.ids = count()

    def fresh(self, kind: str) -> str:
        return f"{self.tag}-{kind}{next(self.ids)}"

    def make(self, doc: Document, kind: str) -> Op | None:
        rnd = self.rnd
        words = doc.words
        if kind in ("delete", "restore", "correct", "split_section", "set_pause") and not words:
            return None
        match kind:
            case "delete":
                i = rnd.randrange(len(words))
                j = min(len(words) - 1, i + rnd.randrange(8))
                return Delete(words[i].id, words[j].id)
            case "restore":
                gone = [k for k, w in enumerate(words) if w.id in doc.deleted]
                if not gone:
                    return None
                i = rnd.choice(gone)
                j = min(len(words) - 1, i + rnd.randrange(8))
                return Restore(words[i].id, words[j].id)
            case "correct":
                w = rnd.choice(words)
                return Correct(w.id, rnd.choice(("fixed", "right", w.text, "Word")))
            case "insert_overdub":
                if not words:
                    return None
                w = rnd.choice(words)
                oid = self.fresh("o")
                return InsertOverdub(
                    Overdub(oid, w.id, f"{oid}.wav", "new line", rnd.uniform(0.2, 2.0))
                )
            case "remove_overdub":
                if not doc.overdubs:
                    return None
                return RemoveOverdub(rnd.choice(doc.overdubs).id)
            case "reorder_section":
                sec = rnd.choice(doc.sections)
                return ReorderSection(sec.id, rnd.randrange(len(doc.sections)))
            case "split_section":
                return SplitSection(rnd.choice(words).id, "Part", self.fresh("s"))
            case "merge_section":
                if len(doc.sections) < 2:
                    return None
                return MergeSection(rnd.choice(doc.sections).id)
            case "rename_section":
                return RenameSection(rnd.choice(doc.sections).id, rnd.choice(("Intro", "News")))
            case "set_pause":
                target = LEAD if rnd.random() < 0.1 else rnd.choice(words).id
                if target in doc.pauses and rnd.random() < 0.3:
                    return SetPause(target, None)
                a, b = doc.gap_after(target)
                if b - a <= 0.01:
                    return None
                return SetPause(target, round(rnd.uniform(0.0, (b - a) * 0.9), 3))
            case "add_transcript":
                tid = self.fresh("track")
                # After everything else, so documents stay free of overlapping speech (the
                # duration oracle needs that; overlap has its own derivation test).
                after = max((w.end for w in words), default=0.0)
                new = make_words(rnd, rnd.randrange(1, 6), (tid,), prefix=f"{tid}-w", t0=after)
                end = max(w.end for w in new)
                return AddTranscript(TrackRef(tid, "Guest", end), tuple(new))
            case "remove_transcript":
                if not doc.tracks:
                    return None
                return RemoveTranscript(rnd.choice(doc.tracks).id)
            case "compound":
                which = rnd.randrange(5)
                if which == 0:
                    return cleanup.remove_fillers(doc)
                if which == 1:
                    return cleanup.shorten_pauses(doc, 0.8, 0.3)
                if which == 2:
                    return cleanup.trim_silence(doc, 0.2)
                if which == 3:
                    return cleanup.cut_matches(doc, rnd.choice(VOCAB))
                parts = [self.make(doc, rnd.choice(("delete", "correct", "rename_section")))]
                return Compound("several", tuple(p for p in parts if p is not None))
        raise AssertionError(kind)
