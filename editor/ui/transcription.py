"""Transcription from the window: progress with ETA in the status bar, Cancel, resume.

The job runs ``editor.transcribe.project.transcribe_tracks`` — faster-whisper in its spawned
child process, checkpointed per chunk — from a job thread that opens its own store connection
(sqlite connections belong to their thread). The words it submits are committed by that
connection; when it finishes, the window's session picks them up (``EditController.reload``)
and the transcript appears. Cancel (or closing the window) stops the child at once; finished
chunks stay checkpointed, and the project is marked so that reopening it resumes the job.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from editor.errors import TranscribeCancelled
from editor.ui.jobs import Job, JobCancelled, JobContext

if TYPE_CHECKING:
    from editor.ui.main_window import EditorWindow

log = logging.getLogger(__name__)

INTERRUPTED_KEY = "transcription/interrupted"


def pending_tracks(w: EditorWindow) -> list[Any]:
    """Tracks with media whose transcription is not complete."""
    return [
        t
        for t in w.project.tracks
        if not t.missing and t.record.transcription_status != "completed"
    ]


def start_transcription(w: EditorWindow, tracks: list[Any] | None = None) -> Job | None:
    """Transcribe ``tracks`` (default: every unfinished one, else all) in the background."""
    if any(getattr(j, "name", "") == "transcribe" for j in w.jobs.running()):
        w.show_message("Transcription is already running")
        return None
    chosen = tracks if tracks is not None else (pending_tracks(w) or list(w.project.tracks))
    chosen = [t for t in chosen if not t.missing]
    if not chosen:
        w.show_message("Nothing to transcribe: add a recording first")
        return None
    try:
        config = _config(w)
    except Exception as exc:  # a missing or damaged model
        w.ctx.report(exc)
        return None
    home = w.project.store.home
    project_id = w.project.id
    track_ids = [t.id for t in chosen]
    labels = ", ".join(t.label for t in chosen)
    _mark_interrupted(w, True)

    def run(ctx: JobContext) -> int:
        from editor.project import OpenProject
        from editor.store import open_store
        from editor.transcribe.project import transcribe_tracks

        with open_store(home) as store, OpenProject(store, project_id) as project:
            todo = [t for t in project.tracks if t.id in track_ids]
            results = transcribe_tracks(
                project,
                todo,
                config,
                progress=lambda label, p: ctx.progress(p.done_seconds, p.total_seconds, p.eta),
                cancel=ctx.cancelled,
            )
        return sum(r.words_kept for r in results)

    job = w.ctx.jobs.submit(
        "transcribe",
        run,
        on_done=lambda words: _done(w, job, words),
        on_error=lambda exc: _failed(w, job, exc),
        on_progress=lambda done, total: w.jobs.update_job(
            job, done / total if total else 0.0, job.eta
        ),
    )
    w.jobs.track(job, f"Transcribing {labels}")
    return job


def _config(w: EditorWindow) -> Any:
    from editor.transcribe.engine import DecodeOptions
    from editor.transcribe.job import JobConfig
    from editor.transcribe.model import default_threads, resolve_model
    from editor.transcribe.worker import DEFAULT_FACTORY

    settings = w.ctx.settings
    return JobConfig(
        resolve_model(settings.model() or None),
        DecodeOptions(language="en", verbatim=True),
        threads=settings.threads() or default_threads(),
        factory=w.ctx.transcribe_factory or DEFAULT_FACTORY,
    )


def _done(w: EditorWindow, job: Job, words: int) -> None:
    w.jobs.finish(job)
    _mark_interrupted(w, False)
    _reload(w)
    w.show_message(f"Transcribed: {words} words")


def _failed(w: EditorWindow, job: Job, exc: BaseException) -> None:
    w.jobs.finish(job)
    cancelled = isinstance(exc, TranscribeCancelled | JobCancelled)
    if not w.is_closing:
        _mark_interrupted(w, False)
        _reload(w)
    if cancelled:
        if not w.is_closing:
            w.show_message("Transcription cancelled; finished parts are kept for next time")
        return
    w.ctx.report(exc)


def _reload(w: EditorWindow) -> None:
    """Tracks' states and the document changed in another connection: read them again."""
    store = w.project.store
    records = {r.id: r for r in store.tracks(w.project.id)}
    for t in w.project.tracks:
        if t.id in records:
            t.record = records[t.id]
    w.controller.reload()
    w.controller.invalidate()


def _mark_interrupted(w: EditorWindow, on: bool) -> None:
    """Remember a running transcription, so reopening a project closed mid-job resumes it."""
    s = w.ctx.settings._s
    value = s.value(INTERRUPTED_KEY, [])
    ids = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v]
    ids = [i for i in ids if i != w.project.id] + ([w.project.id] if on else [])
    s.setValue(INTERRUPTED_KEY, ids)


def resume_if_interrupted(w: EditorWindow) -> Job | None:
    """On open: continue a transcription that the last session did not finish."""
    value = w.ctx.settings._s.value(INTERRUPTED_KEY, [])
    ids = value if isinstance(value, list) else [value]
    stale = any(t.record.transcription_status == "in_progress" for t in w.project.tracks)
    if (w.project.id in ids or stale) and pending_tracks(w):
        w.show_message("Resuming the transcription from where it stopped")
        return start_transcription(w)
    return None
