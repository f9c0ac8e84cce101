"""The speaker's side of an overdub, read from an open project: who says the replaced words,
their recorded words with room around each, and their track's audio.

A range must be one speaker's words (one track, one speaker label): an overdub speaks in one
voice, and splicing across two people would put one's words in the other's mouth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from editor.errors import OverdubError
from editor.overdub.backend import RecordedWord, Samples, VoiceContext
from editor.overdub.text import spoken_tokens


@dataclass(frozen=True, slots=True)
class LineRange:
    """The words being replaced and where the new clip is anchored."""

    first: str
    last: str
    ids: tuple[str, ...]
    anchor: str
    """The word the clip plays after: the one before the range (the range's last word when the
    range starts the program, so the clip plays where the cut is)."""
    track_id: str
    speaker: str


def line_range(doc: Any, first: str, last: str) -> LineRange:
    """Check that ``first..last`` is one speaker's words and find the anchor."""
    ids = [w.id for w in doc.words]
    position = {wid: k for k, wid in enumerate(ids)}
    a, b = position[first], position[last]
    if b < a:
        raise OverdubError("the word range is inverted: its end comes before its start")
    chosen = ids[a : b + 1]
    by_id = doc.words_by_id()
    labels = {t.id: t.label for t in doc.tracks}
    speakers = {
        (by_id[w].track, by_id[w].speaker or labels.get(by_id[w].track, "")) for w in chosen
    }
    if len(speakers) > 1:
        names = ", ".join(sorted({s for _, s in speakers}))
        raise OverdubError(
            f"words {a}-{b} are said by more than one speaker ({names}); "
            "overdub one speaker's words at a time"
        )
    ((track_id, speaker),) = speakers
    anchor = ids[a - 1] if a > 0 else last
    return LineRange(first, last, tuple(chosen), anchor, track_id, speaker)


def speaker_context(project: Any, rng: LineRange) -> VoiceContext:
    """The :class:`VoiceContext` for a range of an open project (``editor.project``)."""
    doc = project.document
    state = next((t for t in project.tracks if t.id == rng.track_id), None)
    if state is None:
        raise OverdubError(f"the project has no track {rng.track_id!r}")
    cache = state.cache()
    if cache is None:
        raise OverdubError(
            f"track {state.label!r} has no readable audio cache; re-import its recording "
            "before overdubbing"
        )
    rate, channels = int(cache.sample_rate), int(cache.channels)
    offset = float(state.record.clock_offset)
    duration = cache.frames / rate + offset

    def audio(start: float, end: float) -> Samples:
        first = round((start - offset) * rate)
        count = max(0, round((end - offset) * rate) - first)
        return cache.read(first, count)  # type: ignore[no-any-return]

    track_words = sorted((w for w in doc.words if w.track == rng.track_id), key=lambda w: w.start)
    labels = {t.id: t.label for t in doc.tracks}
    recorded: list[RecordedWord] = []
    for k, w in enumerate(track_words):
        if w.filler or (w.speaker or labels.get(w.track, "")) != rng.speaker:
            continue
        tokens = tuple(spoken_tokens(doc.text_of(w.id)))
        if not tokens:
            continue
        prev_end = track_words[k - 1].end if k > 0 else offset
        next_start = track_words[k + 1].start if k + 1 < len(track_words) else duration
        recorded.append(
            RecordedWord(
                w.id,
                tokens,
                w.start,
                w.end,
                max(0.0, w.start - prev_end),
                max(0.0, next_start - w.end),
                doc.is_deleted(w.id),
            )
        )
    by_id = doc.words_by_id()
    line_start = min(by_id[i].start for i in rng.ids)
    line_end = max(by_id[i].end for i in rng.ids)
    return VoiceContext(
        speaker=rng.speaker or "the speaker",
        sample_rate=rate,
        channels=channels,
        words=tuple(recorded),
        audio=audio,
        line_start=line_start,
        line_end=line_end,
        words_per_minute=_rate_around(recorded, line_start),
    )


def _rate_around(words: list[RecordedWord], at: float, window: float = 60.0) -> float:
    """Words per minute of speaking (pauses over half a second left out) near ``at``."""
    near = [w for w in words if abs(w.start - at) <= window]
    if len(near) < 5:
        return 160.0
    talking = sum(w.duration + min(w.room_after, 0.5) for w in near)
    return 60.0 * sum(len(w.tokens) for w in near) / max(talking, 1e-3)
