"""A real programme for the end-to-end playback checks: recorded speech with ~20 cuts, a
shortened pause and an overdub clip, derived from a document exactly as a project would be."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from render.edl import Edl, EdlTrack
from sync.derive import ProgramMap, derive_edl
from sync.document import Document
from sync.model import Overdub, TrackRef, Word
from sync.ops import AddTranscript, Delete, InsertOverdub, SetPause

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "speech"
SPEECH = DATA / "sonnets" / "sonnet_p001.mp3"
CLIP = DATA / "digits" / "english.wav"
LONG_SPEECH = DATA / "sonnets" / "sonnets_I-III_concat.16k.wav"
"""2:40 of speech, for the benchmark's minute-long programme."""


def available() -> bool:
    return SPEECH.is_file() and CLIP.is_file()


def build(
    seconds: float, cuts: int = 20, speech: Path = SPEECH, clip: Path = CLIP
) -> tuple[Document, Edl]:
    """Words of 0.3 s with 0.1 s gaps over ``seconds`` of the recording (one 1.5 s gap, whose
    pause is shortened to 0.3 s), ``cuts`` single words struck, and an overdub after word 12."""
    words = []
    t = 0.5
    i = 0
    while t + 0.3 < seconds:
        words.append(Word(f"w{i}", "t1", f"word{i}", round(t, 3), round(t + 0.3, 3)))
        t += 0.4 if i != 8 else 1.8
        i += 1
    doc = Document()
    doc.apply(AddTranscript(TrackRef("t1", "Host"), tuple(words)))
    step = max(2, (len(words) - 2) // cuts)
    for k in range(cuts):
        w = words[1 + k * step]
        if w.id != "w8" and w.id != "w12":
            doc.apply(Delete(w.id, w.id))
    doc.apply(SetPause("w8", 0.3))
    doc.apply(InsertOverdub(Overdub("o1", "w12", str(clip), "one two three", 2.7)))
    return doc, edl_of(doc, speech)


def edl_of(doc: Document, speech: Path = SPEECH) -> Edl:
    track = EdlTrack(speech, label="Host")
    return derive_edl(doc, {"t1": track}, sample_rate=48_000, clip_path=Path)


def words_of(doc: Document, edl: Edl) -> ProgramMap:
    return ProgramMap.build(doc, edl)


def with_early_cut(doc: Document) -> Document:
    """The same document with one more word struck near the start (an edit behind the
    playhead once playback is a few seconds in)."""
    edited = Document.from_snapshot(doc.snapshot())
    kept = [w.id for w in edited.words if not edited.is_deleted(w.id)]
    edited.apply(Delete(kept[2], kept[2]))
    return edited


def at_project_rate(source: Path, target: Path, rate: int = 48_000) -> Path:
    """``source`` decoded to a float WAV at ``rate``, as an import cache holds it (exact seeks,
    no decoding at play time)."""
    import soundfile as sf

    from render.sources import open_source

    opened = open_source(source, rate)
    try:
        sf.write(target, opened.read(0, opened.frames), rate, subtype="FLOAT")
    finally:
        opened.close()
    return target


__all__ = [
    "at_project_rate",
    "available",
    "build",
    "edl_of",
    "replace",
    "with_early_cut",
    "words_of",
]
