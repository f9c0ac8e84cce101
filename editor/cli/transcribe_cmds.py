"""``wordcut transcribe`` and ``wordcut align``: words for a project's tracks.

``transcribe`` runs the checkpointed job for each track (all, or ``--track``) with a progress
bar and ETA; Ctrl+C stops it at once and keeps finished chunks, and running the same command
again resumes. ``align`` takes a transcript the user already has (SRT, WebVTT, text) and gives
its words times from the recognised audio.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from editor.cli.common import ProgressBar, fail
from editor.cli.project_support import add_json, add_project, project_from, report

if TYPE_CHECKING:
    from editor.transcribe.job import JobConfig, Progress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("transcribe", help="transcribe the project's tracks (resumable)")
    add_project(p)
    p.add_argument("--track", metavar="LABEL", help="only this track (label, id or number)")
    p.add_argument(
        "--model",
        metavar="NAME|PATH",
        help="a faster-whisper model name or folder (default: the bundled offline tiny.en)",
    )
    p.add_argument(
        "--verbatim",
        action="store_true",
        help="keep fillers (um, uh) where the model can be made to",
    )
    p.add_argument("--language", metavar="CODE", default="en", help="spoken language (en)")
    p.add_argument("--retry-gaps", action="store_true", help="retry chunks that failed before")
    add_json(p)
    p.set_defaults(handler=cmd_transcribe)

    p = sub.add_parser("align", help="align an existing transcript (SRT/VTT/text) to a track")
    add_project(p)
    p.add_argument("--track", metavar="LABEL", required=True)
    p.add_argument("file", metavar="TRANSCRIPT_FILE", type=Path)
    p.add_argument("--model", metavar="NAME|PATH")
    add_json(p)
    p.set_defaults(handler=cmd_align)


def _config(args: argparse.Namespace, verbatim: bool, language: str | None) -> JobConfig:
    from editor.transcribe.engine import DecodeOptions
    from editor.transcribe.job import JobConfig
    from editor.transcribe.model import default_threads, resolve_model

    return JobConfig(
        resolve_model(args.model),
        DecodeOptions(language=language, verbatim=verbatim),
        threads=default_threads(),
        retry_gaps=getattr(args, "retry_gaps", False),
    )


def _advance(bar: ProgressBar, p: Progress) -> None:
    """Show a job's progress on ``bar`` in milliseconds of audio (short tracks move smoothly)."""
    bar(int(p.done_seconds * 1000), int(p.total_seconds * 1000))


def cmd_transcribe(args: argparse.Namespace) -> int:
    from editor.transcribe.project import transcribe_tracks

    config = _config(args, args.verbatim, args.language)
    with project_from(args) as project:
        tracks = [project.track(args.track)] if args.track else list(project.tracks)
        if not tracks:
            raise fail(f"project {project.name!r} has no tracks; add one with wordcut import")
        bars: dict[str, ProgressBar] = {}

        def progress(label: str, p: Progress) -> None:
            _advance(bars.setdefault(label, ProgressBar(f"transcribe {label}", quiet=args.json)), p)

        try:
            results = transcribe_tracks(
                project,
                tracks,
                config,
                progress=progress,
                cancel=lambda: False,
            )
        finally:
            for bar in bars.values():
                bar.close()
        gaps = sum(len(r.transcript.gaps) for r in results)
        words = sum(r.words_kept for r in results)
        for r in results:
            for g in r.transcript.gaps:
                print(
                    f"wordcut: {r.label}: transcription unavailable {g.start:.1f}-{g.end:.1f} s "
                    f"({g.error}); run again with --retry-gaps",
                    file=sys.stderr,
                )
        message = f"transcribed {len(results)} track(s): {words} words" + (
            f", {gaps} gap(s)" if gaps else ""
        )
        return report(args, message, project.session.version, words=words, gaps=gaps)


def cmd_align(args: argparse.Namespace) -> int:
    from editor.transcribe.align import align_transcript, read_transcript
    from editor.transcribe.job import TranscriptionJob
    from editor.transcribe.project import track_source
    from editor.transcribe.timing import finalise_times

    cues = read_transcript(args.file)
    config = _config(args, False, "en")
    with project_from(args) as project:
        track = project.track(args.track)
        source = track_source(track)
        bar = ProgressBar(f"recognise {track.label}", quiet=args.json)
        job = TranscriptionJob(
            source,
            project.store.connect,
            project.id,
            track.id,
            config,
            progress=lambda p: _advance(bar, p),
        )
        try:
            with job:
                recognised = job.run()
        finally:
            bar.close()
        from editor.transcribe.fillers import mark_fillers

        words = mark_fillers(
            finalise_times(
                align_transcript(cues, recognised.words, source.duration),
                job.envelope,
                source.duration,
            )
        )
        project.submit_words(track, words)
        return report(
            args,
            f"aligned {len(words)} words to {track.label!r}",
            project.session.version,
            words=len(words),
        )
