"""Generated words in transcript outputs: where each overdub's words play, marked as generated.

Every transcript format is built from caption words (text, program start and end, speaker), so
marking happens there, once: the words of a generated clip are added at their program times
(from the clip's record, or spread over the clip when the record is gone) and each run of them
is bracketed ``[generated: …]``. Text, SRT, WebVTT, Audacity labels and Podcasting 2.0 JSON all
show the marker without each writer having to know about overdubs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from editor.overdub.clipstore import load_record
from render.edl import ClipInsert, Edl
from sync.captions import CaptionWord
from sync.model import Overdub

OPEN = "[generated: "
CLOSE = "]"
GENERATED_ID = "generated:"
"""Generated caption words carry ``word_id`` = this + the overdub's id (recorded words carry
their document word id), so a writer can tell them apart without a second list."""


def has_generated(doc: Any) -> bool:
    """Whether the program plays any generated clip (every overdub plays)."""
    return any(o.generated for o in doc.overdubs)


def overdub_spans(doc: Any, edl: Edl) -> Iterator[tuple[Overdub, float, float]]:
    """Each overdub with its program start and end, in the order the EDL plays them (the order
    :func:`sync.derive.derive_edl` emits clips: anchors in program order, then by id)."""
    rate = edl.sample_rate
    clips = iter(sorted(doc.overdubs, key=lambda o: (doc.program_position(o.after_word), o.id)))
    t = 0.0
    for seg in edl.segments:
        if isinstance(seg, ClipInsert):
            o = next(clips, None)
            if o is not None:
                yield o, t, t + o.duration
                t += o.duration
            continue
        a, b = seg.frames(rate)
        t += (b - a) / rate


def generated_words(project: Any, edl: Edl) -> list[CaptionWord]:
    """The generated words of every generated overdub, at program times, marked."""
    doc = project.document
    out: list[CaptionWord] = []
    for o, start, _end in overdub_spans(doc, edl):
        if not o.generated:
            continue
        record = load_record(project.clip_path(o.clip))
        speaker = _speaker(doc, o, record)
        timed = _timed(o, record)
        words = [
            CaptionWord(
                text,
                start + min(a, o.duration),
                start + min(b, o.duration),
                speaker,
                GENERATED_ID + o.id,
            )
            for text, a, b in timed
        ]
        out.extend(_bracketed(words))
    return out


def _speaker(doc: Any, o: Overdub, record: dict[str, Any] | None) -> str | None:
    if record is not None and isinstance(record.get("speaker"), str):
        return str(record["speaker"])
    try:
        return doc.word(o.after_word).speaker  # type: ignore[no-any-return]
    except Exception:  # an anchor the document no longer has: show the words unlabelled
        return None


def _timed(o: Overdub, record: dict[str, Any] | None) -> list[tuple[str, float, float]]:
    rows = record.get("words") if record is not None else None
    if isinstance(rows, list) and rows:
        try:
            return [(str(r["text"]), float(r["start"]), float(r["end"])) for r in rows]
        except (KeyError, TypeError, ValueError):
            pass
    texts = o.text.split() or ["(generated)"]
    step = o.duration / len(texts)
    return [(t, k * step, (k + 1) * step) for k, t in enumerate(texts)]


def _bracketed(words: list[CaptionWord]) -> list[CaptionWord]:
    if not words:
        return words
    first = words[0]
    out = list(words)
    out[0] = CaptionWord(OPEN + first.text, first.start, first.end, first.speaker, first.word_id)
    tail = out[-1]
    out[-1] = CaptionWord(tail.text + CLOSE, tail.start, tail.end, tail.speaker, tail.word_id)
    return out


def is_generated(word: CaptionWord) -> bool:
    """Whether a caption word is a generated (overdub) word rather than a recorded one."""
    return word.word_id is not None and word.word_id.startswith(GENERATED_ID)


def bare_text(word: CaptionWord) -> str:
    """A generated word's text without the ``[generated: …]`` brackets of its run."""
    text = word.text
    if is_generated(word):
        text = text.removeprefix(OPEN)
        if text.endswith(CLOSE):
            text = text[: -len(CLOSE)]
    return text


def podcast_json(words: list[CaptionWord]) -> str:
    """The Podcasting 2.0 JSON transcript with generated words marked twice: the body keeps
    the ``[generated: …]`` brackets (what a player that knows no extra fields shows), and each
    generated segment carries ``"generated": true`` (what a script or a player can test). The
    spec's readers ignore fields they do not know, so the file stays valid."""
    import json

    from sync.captions import to_podcast_json

    data = json.loads(to_podcast_json(words))
    for seg, w in zip(data["segments"], words, strict=True):
        if is_generated(w):
            seg["generated"] = True
    return json.dumps(data, ensure_ascii=False) + "\n"


def generated_rows(project: Any, edl: Edl) -> dict[str, list[dict[str, Any]]]:
    """The generated words as ``wordcut transcript --format json`` rows, keyed by the document
    word each overdub follows (its anchor), so they are listed where they play."""
    doc = project.document
    by_overdub = {o.id: o for o in doc.overdubs}
    out: dict[str, list[dict[str, Any]]] = {}
    for w in generated_words(project, edl):
        assert w.word_id is not None
        o = by_overdub[w.word_id.removeprefix(GENERATED_ID)]
        out.setdefault(o.after_word, []).append(
            {
                "index": None,
                "id": None,
                "text": bare_text(w),
                "speaker": w.speaker,
                "deleted": False,
                "filler": False,
                "generated": True,
                "overdub": o.id,
                "voice": o.voice,
                "start": None,
                "end": None,
                "program_start": round(w.start, 3),
                "program_end": round(w.end, 3),
            }
        )
    return out


def with_generated(project: Any, words: list[CaptionWord], edl: Edl) -> list[CaptionWord]:
    """``words`` (the kept recorded words) with the generated ones merged in by time."""
    extra = generated_words(project, edl)
    if not extra:
        return words
    return sorted([*words, *extra], key=lambda w: w.start)
