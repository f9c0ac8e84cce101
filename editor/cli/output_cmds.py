"""Output commands: ``transcript`` (text, JSON, SRT, WebVTT, Audacity labels, Podcasting 2.0
JSON, all in the edited program's time), ``edl`` (the derived EDL as JSON) and ``export``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from editor import paths
from editor.cli.common import CliError, print_json
from editor.cli.project_support import add_project, project_from
from editor.project import OpenProject
from render import edl as edl_mod
from render.atomic import write_text
from sync import captions


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


_NOT_COPIED = {"help", "chapters"}
"""``render`` options ``export`` does not take: chapters come from the project's sections."""


def _register_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``export PROJECT OUT`` with every option of ``wordcut render`` (shared, not duplicated).

    The render command (``editor.cli.media_cmds``) owns the export options and their mapping to
    ``ExportOptions``; its optional arguments are attached to this parser as they are, and the
    export runs through its handler on the project's derived EDL.
    """
    p = sub.add_parser(
        "export",
        help="render the edited episode (chapters from sections; a render record is kept)",
        description="Render PROJECT's edited program to OUT (format from OUT's extension); "
        "takes every option of `wordcut render`.",
    )
    add_project(p)
    p.add_argument("out", metavar="OUT", type=Path, help="OUT.mp3, OUT.wav, OUT.flac or OUT.m4a")
    render_parser = sub.choices.get("render")
    if render_parser is not None:
        for action in render_parser._actions:
            if action.option_strings and action.dest not in _NOT_COPIED:
                p._add_action(action)
    p.set_defaults(handler=cmd_export)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        write_text(output, text)


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
    """All words (kept and struck) with index, id, source and program times, for scripts."""
    doc = project.document
    spans = {wid: (a, b) for wid, a, b in project.program_map().spans()}
    rows = []
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
                "start": round(w.start, 3),
                "end": round(w.end, 3),
                "program_start": None if span is None else round(span[0], 3),
                "program_end": None if span is None else round(span[1], 3),
            }
        )
    return rows


def cmd_transcript(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        if args.format == "text" and args.numbers:
            text = numbered_text(project)
        elif args.format == "json":
            text = json.dumps(word_rows(project), ensure_ascii=False, indent=1) + "\n"
        else:
            text = captions.render(project.caption_words(), args.format)
    _emit(text, args.output)
    return 0


def cmd_edl(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        edl = project.edl()
    data = edl_mod.to_dict(edl)
    if args.output is None:
        print_json(data)
    else:
        edl_mod.save(edl, args.output)
    return 0


def chapters_json(project: OpenProject, edl: Any) -> str | None:
    """Podcasting 2.0 chapters from the sections' program starts (``None`` for one section)."""
    starts = project.program_map(edl).section_starts()
    if len(starts) < 2:
        return None
    chapters = [{"startTime": round(t, 3), "title": name} for name, t in starts]
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False) + "\n"


def cmd_export(args: argparse.Namespace) -> int:
    from editor.cli import media_cmds
    from render.errors import Cancelled
    from render.export import format_for_path

    fmt = format_for_path(args.out)
    with project_from(args) as project:
        missing = project.missing
        if missing:
            raise CliError(missing[0].locate_hint(project.name) or "a track's media is missing")
        edl = project.edl()
        folder = paths.renders_dir(project.store.home, project.id)
        folder.mkdir(parents=True, exist_ok=True)
        options = {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k not in ("handler", "project", "out", "command")
        }
        record = project.store.start_render(
            project.id,
            format=fmt,
            path=args.out.expanduser().resolve(),
            edl_json=json.dumps(edl_mod.to_dict(edl)),
            options=options,
            doc_version=project.session.version,
        )
        edl_path = folder / f"{record.id}.edl.json"
        edl_mod.save(edl, edl_path)
        chapters = chapters_json(project, edl)
        chapters_path: Path | None = None
        if chapters is not None:
            chapters_path = folder / f"{record.id}.chapters.json"
            write_text(chapters_path, chapters)
        render_args = argparse.Namespace(
            **{**vars(args), "edl": edl_path, "chapters": chapters_path}
        )
        try:
            code = media_cmds.cmd_render(render_args)
        except (Cancelled, KeyboardInterrupt):
            project.store.finish_render(record.id, "cancelled", "cancelled by the user")
            raise
        except BaseException as exc:
            project.store.finish_render(record.id, "failed", str(exc) or type(exc).__name__)
            raise
        project.store.finish_render(record.id, "completed" if code == 0 else "failed")
        if code == 0 and chapters is not None:
            # The Podcasting 2.0 chapters file is a deliverable of its own: it goes beside the
            # episode, where a podcast host's upload form will look for it.
            sidecar = args.out.expanduser().resolve().with_suffix(".chapters.json")
            write_text(sidecar, chapters)
            if not getattr(args, "json", False):
                print(f"wrote {sidecar}", file=sys.stderr)
    if not getattr(args, "json", False):
        print(
            f"render {record.id} recorded ({len(project.document.sections)} chapter(s))",
            file=sys.stderr,
        )
    return code
