"""Output commands: ``transcript`` (text, JSON, SRT, WebVTT, Audacity labels, Podcasting 2.0
JSON, all in the edited program's time), ``edl`` (the derived EDL as JSON) and ``export``."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from editor.cli.common import ProgressBar, ctrl_c_cancels, print_json
from editor.cli.export_args import add_export_options, options_from_args, report_result
from editor.cli.project_support import add_project, project_from
from editor.overdub.marking import generated_rows, podcast_json
from editor.project import OpenProject
from render import edl as edl_mod
from render.atomic import same_file, write_text
from render.errors import WriteError
from sync import captions
from sync.ops import LEAD


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("transcript", help="print the edited transcript, subtitles or labels")
    add_project(p)
    p.add_argument("--format", choices=captions.FORMATS, default="text")
    p.add_argument(
        "--numbers",
        action="store_true",
        help="text: every word with its index (struck-out words in ~tildes~)",
    )
    p.add_argument("--output", "-o", type=Path, help="write to a file instead of stdout")
    p.set_defaults(handler=cmd_transcript)

    p = sub.add_parser("edl", help="print the project's edit decision list (JSON)")
    add_project(p)
    p.add_argument("--output", "-o", type=Path, help="write to a file instead of stdout")
    p.set_defaults(handler=cmd_edl)

    _register_export(sub)


def _register_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``export PROJECT OUT``: the same encoding flags as ``wordcut render``
    (:mod:`editor.cli.export_args`), chapters from the project's sections."""
    p = sub.add_parser(
        "export",
        help="render the edited episode (chapters from sections; a render record is kept)",
        description="Render PROJECT's edited program to OUT (format from OUT's extension), with "
        "OUT.chapters.json (Podcasting 2.0) beside it when the project has sections.",
    )
    add_project(p)
    p.add_argument("out", metavar="OUT", type=Path, help="OUT.mp3, OUT.wav, OUT.flac or OUT.m4a")
    add_export_options(p)
    p.set_defaults(handler=cmd_export)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        write_text(output, text)


def _refuse_recordings(project: OpenProject, output: Path | None) -> None:
    """A text file written over a track's recording would destroy it: refuse, naming both."""
    if output is None:
        return
    for track in project.tracks:
        if same_file(output, track.record.media_path):
            raise WriteError(
                output, f"is the recording of track {track.label!r}; choose another name"
            )


def numbered_text(project: OpenProject) -> str:
    """Every word with the index the editing commands take; struck-out words in ``~tildes~``."""
    doc = project.document
    lines: list[str] = []
    line: list[str] = []
    speaker: str | None = None
    for i, w in enumerate(doc.words):
        if line and w.speaker != speaker:
            lines.append(" ".join(line))
            line = []
        if not line and w.speaker:
            line.append(f"{w.speaker}:")
        speaker = w.speaker
        text = doc.text_of(w.id)
        line.append(f"~{i}:{text}~" if doc.is_deleted(w.id) else f"{i}:{text}")
    if line:
        lines.append(" ".join(line))
    return "\n".join(lines) + ("\n" if lines else "")


def word_rows(project: OpenProject) -> list[dict[str, Any]]:
    """All words (kept and struck) with index, id, source and program times, for scripts.

    Generated (overdub) words are listed too, right after the word their overdub follows, as
    rows with ``"generated": true``, the ``overdub`` and ``voice`` ids, program times only and
    no index (they are not document words, so no editing command takes them); every recorded
    word's row has ``"generated": false``. See docs/overdub.md."""
    doc = project.document
    edl = project.edl()
    spans = {wid: (a, b) for wid, a, b in project.program_map(edl).spans()}
    extra = generated_rows(project, edl)
    rows = list(extra.pop(LEAD, []))
    for i, w in enumerate(doc.words):
        span = spans.get(w.id)
        rows.append(
            {
                "index": i,
                "id": w.id,
                "text": doc.text_of(w.id),
                "speaker": w.speaker,
                "deleted": doc.is_deleted(w.id),
                "filler": w.filler,
                "generated": False,
                "start": round(w.start, 3),
                "end": round(w.end, 3),
                "program_start": None if span is None else round(span[0], 3),
                "program_end": None if span is None else round(span[1], 3),
            }
        )
        rows.extend(extra.pop(w.id, []))
    for left in extra.values():  # anchored to a word the document no longer has: still listed
        rows.extend(left)
    return rows


def cmd_transcript(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        _refuse_recordings(project, args.output)
        if args.format == "text" and args.numbers:
            text = numbered_text(project)
        elif args.format == "json":
            text = json.dumps(word_rows(project), ensure_ascii=False, indent=1) + "\n"
        elif args.format == "podcast-json":
            text = podcast_json(project.caption_words())
        else:
            text = captions.render(project.caption_words(), args.format)
    _emit(text, args.output)
    return 0


def cmd_edl(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        _refuse_recordings(project, args.output)
        edl = project.edl()
    data = edl_mod.to_dict(edl)
    if args.output is None:
        print_json(data)
    else:
        edl_mod.save(edl, args.output)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """The CLI face of :func:`editor.export_service.export_project`: flags in, summary out."""
    from editor.cli.media_cmds import native_stderr_silenced, quiet_ffmpeg
    from editor.export_service import prepare_export

    out: Path = args.out
    options = options_from_args(args, out)
    quiet_ffmpeg()
    with project_from(args) as project:
        job = prepare_export(project, out, options, crossfade_ms=args.crossfade_ms)
        guard = contextlib.nullcontext(sys.stderr) if args.verbose else native_stderr_silenced()
        with guard as stderr, ctrl_c_cancels() as cancel:
            bar = ProgressBar("exporting", quiet=args.quiet or args.json, stream=stderr)
            try:
                done = job.run(bar, cancel)
            finally:
                bar.close()
    report_result(args, done.result, out)
    if not (args.quiet or args.json):
        if done.chapters_path is not None:
            print(f"wrote {done.chapters_path}", file=sys.stderr)
        print(
            f"render {done.render_id} recorded ({len(done.chapters)} chapter(s))", file=sys.stderr
        )
    return 0
