"""Transcribing a whole project: every track, bleed resolved, into the document and the store.

Each track is its own :class:`~editor.transcribe.job.TranscriptionJob` (its own checkpoints),
read from the track's decoded cache. When all asked-for tracks are done, words heard on two
microphones at once are kept only on the louder one, and each track's words go into the
document as one ``AddTranscript`` (replacing an earlier transcript of that track) with
speaker = track label and the filler flags set; the document orders all words by time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from editor.errors import TranscribeCancelled, TranscribeError
from editor.transcribe.audio import CacheSource
from editor.transcribe.envelope import Envelope
from editor.transcribe.fillers import mark_fillers
from editor.transcribe.job import JobConfig, Progress, TrackTranscript, TranscriptionJob
from editor.transcribe.merge import resolve_bleed


@dataclass(frozen=True, slots=True)
class TrackResult:
    label: str
    transcript: TrackTranscript
    words_kept: int


def track_source(track: Any) -> CacheSource:
    """The track's project cache as 16 kHz mono; a clear error if it is missing or damaged."""
    cache = track.cache()
    if cache is None:
        raise TranscribeError(
            f"track {track.label!r} has no usable audio cache; re-import it "
            "(wordcut import) and try again"
        )
    return CacheSource(cache, ident=f"sha256:{track.record.sha256}:{cache.frames}")


def _labelled(fn: Callable[[str, Progress], None], label: str) -> Callable[[Progress], None]:
    return lambda p: fn(label, p)


def transcribe_tracks(
    project: Any,
    tracks: Sequence[Any],
    config: JobConfig,
    *,
    progress: Callable[[str, Progress], None],
    cancel: Callable[[], bool],
) -> list[TrackResult]:
    """Run every track's job, then resolve bleed and submit the words to the document."""
    results: dict[str, TrackTranscript] = {}
    envelopes: dict[str, Envelope] = {}
    for track in tracks:
        source = track_source(track)
        project.store.update_track(track.id, transcription_status="in_progress")
        job = TranscriptionJob(
            source,
            project.store.connect,
            project.id,
            track.id,
            config,
            progress=_labelled(progress, track.label),
            cancel=cancel,
        )
        try:
            with job:
                results[track.label] = job.run()
                envelopes[track.label] = job.envelope
        except BaseException as exc:
            # Cancelled or interrupted: finished chunks are kept and the next run resumes.
            stopped = isinstance(exc, TranscribeCancelled | KeyboardInterrupt)
            status = "pending" if stopped else "failed"
            project.store.update_track(track.id, transcription_status=status)
            raise

    def level(label: str, start: float, end: float) -> float:
        return envelopes[label].level(start, end)

    kept = resolve_bleed({label: r.words for label, r in results.items()}, level)
    out = []
    for track in tracks:
        words = mark_fillers(kept[track.label])
        project.submit_words(track, words)
        status = "completed" if not results[track.label].gaps else "failed"
        project.store.update_track(track.id, transcription_status=status)
        out.append(TrackResult(track.label, results[track.label], len(words)))
    return out
