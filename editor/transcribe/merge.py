"""Joining per-track transcripts into one time-ordered list, resolving microphone bleed.

Each host's microphone also picks up the other host, a little quieter. Whisper happily
transcribes that bleed, so the same words appear on two tracks at the same time. For each such
pair we keep the copy on the track where the words are loudest (measured on both tracks over the
same time span) and drop the other — but only when the difference is clear (``min_db``), so two
people genuinely saying "yeah" together both keep their word.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from editor.transcribe.wer import normalise
from editor.transcribe.words import TimedWord

LevelFn = Callable[[str, float, float], float]
"""(track label, start s, end s) -> level in dB of that track over that span."""


@dataclass(frozen=True, slots=True)
class TrackWord:
    track: str
    word: TimedWord


def _key(w: TimedWord) -> str:
    return " ".join(normalise(w.text))


def _overlap(a: TimedWord, b: TimedWord) -> float:
    """Shared time as a fraction of the shorter word (1.0 when one holds the other)."""
    shared = min(a.end, b.end) - max(a.start, b.start)
    shorter = max(min(a.end - a.start, b.end - b.start), 1e-3)
    return shared / shorter


def resolve_bleed(
    per_track: Mapping[str, Sequence[TimedWord]],
    level: LevelFn,
    *,
    min_overlap: float = 0.5,
    min_db: float = 6.0,
) -> dict[str, list[TimedWord]]:
    """Drop the quieter copy of every word heard on two tracks at the same time."""
    labels = list(per_track)
    tracks = {t: sorted(per_track[t], key=lambda w: w.start) for t in labels}
    dropped: dict[str, set[int]] = {t: set() for t in labels}
    for ai, a_label in enumerate(labels):
        for b_label in labels[ai + 1 :]:
            a_words, b_words = tracks[a_label], tracks[b_label]
            j0 = 0
            for i, a in enumerate(a_words):
                while j0 < len(b_words) and b_words[j0].end <= a.start:
                    j0 += 1
                j = j0
                while j < len(b_words) and b_words[j].start < a.end:
                    b = b_words[j]
                    if _overlap(a, b) >= min_overlap and _key(a) == _key(b) and _key(a):
                        lo, hi = min(a.start, b.start), max(a.end, b.end)
                        la, lb = level(a_label, lo, hi), level(b_label, lo, hi)
                        if la - lb >= min_db:
                            dropped[b_label].add(j)
                        elif lb - la >= min_db:
                            dropped[a_label].add(i)
                    j += 1
    return {t: [w for k, w in enumerate(tracks[t]) if k not in dropped[t]] for t in labels}


def merge_by_time(per_track: Mapping[str, Sequence[TimedWord]]) -> list[TrackWord]:
    """All words of all tracks in time order (ties keep the tracks' given order)."""
    order = {t: i for i, t in enumerate(per_track)}
    out = [TrackWord(t, w) for t, words in per_track.items() for w in words]
    out.sort(key=lambda tw: (tw.word.start, tw.word.end, order[tw.track]))
    return out
