"""Editing commands: transcript-import, cut, restore, correct, section, fillers, pauses, undo,
redo. Each submits ordinary ops through the project's session, so every change is validated,
persisted before it is reported, and undoable."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from editor.cli.common import CliError, print_json
from editor.cli.project_support import (
    add_json,
    add_project,
    project_from,
    report,
    resolve_range,
    resolve_section,
    resolve_word,
)
from editor.project import OpenProject
from editor.store.db import new_id
from editor.transcribe.fillers import mark_fillers
from editor.transcribe.words import TimedWord
from editor.transcript_file import read_words
from sync.ops import (
    Correct,
    Delete,
    Op,
    RenameSection,
    ReorderSection,
    Restore,
    SplitSection,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("transcript-import", help="add a word-level transcript JSON to a track")
    add_project(p)
    p.add_argument("--track", required=True, metavar="LABEL", help="the track it transcribes")
    p.add_argument("file", metavar="FILE.json", type=Path)
    add_json(p)
    p.set_defaults(handler=cmd_transcript_import)

    p = sub.add_parser("cut", help="strike out words (their audio is cut)")
    add_project(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--words", metavar="A-B", help="word indices or ids, inclusive")
    which.add_argument("--match", metavar="PHRASE", help="every occurrence of a phrase")
    add_json(p)
    p.set_defaults(handler=cmd_cut)

    p = sub.add_parser("restore", help="bring back struck-out words")
    add_project(p)
    p.add_argument("--words", metavar="A-B", required=True, help="word indices or ids")
    add_json(p)
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("correct", help="fix a word's text (the audio is unchanged)")
    add_project(p)
    p.add_argument("word", metavar="WORD", help="word index or id")
    p.add_argument("text", metavar="TEXT")
    add_json(p)
    p.set_defaults(handler=cmd_correct)

    section = sub.add_parser("section", help="list, add, rename or move sections (chapters)")
    ss = section.add_subparsers(dest="section_command", metavar="ACTION")
    ss.required = True
    p = ss.add_parser("list", help="sections in program order")
    add_project(p)
    add_json(p)
    p.set_defaults(handler=cmd_section_list)
    p = ss.add_parser("add", help="start a new section at a word")
    add_project(p)
    p.add_argument("word", metavar="WORD", help="first word of the new section")
    p.add_argument("name", metavar="NAME")
    add_json(p)
    p.set_defaults(handler=cmd_section_add)
    p = ss.add_parser("rename", help="rename a section")
    add_project(p)
    p.add_argument("section", metavar="SECTION", help="section index, name or id")
    p.add_argument("name", metavar="NAME")
    add_json(p)
    p.set_defaults(handler=cmd_section_rename)
    p = ss.add_parser("move", help="move a section to another position (0 = first)")
    add_project(p)
    p.add_argument("section", metavar="SECTION", help="section index, name or id")
    p.add_argument("index", metavar="INDEX", type=int)
    add_json(p)
    p.set_defaults(handler=cmd_section_move)

    p = sub.add_parser("fillers", help="list filler words; --remove cuts them all (one undo)")
    add_project(p)
    p.add_argument("--remove", action="store_true")
    add_json(p)
    p.set_defaults(handler=cmd_fillers)

    p = sub.add_parser("pauses", help="shorten every pause longer than X to Y seconds")
    add_project(p)
    p.add_argument("--longer-than", type=float, required=True, metavar="SECONDS")
    p.add_argument("--to", type=float, required=True, metavar="SECONDS")
    add_json(p)
    p.set_defaults(handler=cmd_pauses)

    for name in ("undo", "redo"):
        p = sub.add_parser(name, help=f"{name} your latest edit")
        add_project(p)
        add_json(p)
        p.set_defaults(handler=cmd_undo if name == "undo" else cmd_redo)


def _submit(args: argparse.Namespace, project: OpenProject, op: Op, message: str) -> int:
    version = project.session.submit(op)
    return report(args, message, version)


def cmd_transcript_import(args: argparse.Namespace) -> int:
    words = read_words(args.file)
    with project_from(args) as project:
        track = project.track(args.track)
        timed = mark_fillers([TimedWord(w.text, w.start, w.end, w.confidence) for w in words])
        version = project.submit_words(
            track, timed, speakers=[w.speaker for w in words], action="re-import"
        )
        project.store.update_track(track.record.id, transcription_status="completed")
    fillers = sum(w.filler for w in timed)
    return report(
        args,
        f"imported {len(timed)} words for {track.record.label!r} ({fillers} fillers found)",
        version,
        words=len(timed),
        fillers=fillers,
    )


def cmd_cut(args: argparse.Namespace) -> int:
    import sync.cleanup as cleanup

    with project_from(args) as project:
        if args.words is not None:
            first, last = resolve_range(project, args.words)
            return _submit(args, project, Delete(first, last), f"cut words {args.words}")
        op = cleanup.cut_matches(project.document, args.match)
        if not op.ops:
            raise CliError(f"{args.match!r} does not occur in the kept transcript")
        return _submit(args, project, op, f"cut {len(op.ops)} occurrence(s) of {args.match!r}")


def cmd_restore(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        first, last = resolve_range(project, args.words)
        return _submit(args, project, Restore(first, last), f"restored words {args.words}")


def cmd_correct(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        word = resolve_word(project, args.word)
        old = project.document.text_of(word)
        return _submit(args, project, Correct(word, args.text), f"{old!r} -> {args.text!r}")


def _section_rows(project: OpenProject) -> list[dict[str, Any]]:
    doc = project.document
    rows = []
    for i, s in enumerate(doc.sections):
        ids = doc.section_words(s.id)
        rows.append({"index": i, "id": s.id, "name": s.name, "start": s.start, "words": len(ids)})
    return rows


def cmd_section_list(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        rows = _section_rows(project)
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            print(f"{r['index']}. {r['name']}  ({r['words']} words, from {r['start']:.2f} s)")
    return 0


def cmd_section_add(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        word = resolve_word(project, args.word)
        op = SplitSection(word, args.name, new_id())
        return _submit(args, project, op, f"section {args.name!r} starts at {args.word}")


def cmd_section_rename(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        section = resolve_section(project, args.section)
        op = RenameSection(section.id, args.name)
        return _submit(args, project, op, f"renamed section {section.name!r} to {args.name!r}")


def cmd_section_move(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        section = resolve_section(project, args.section)
        op = ReorderSection(section.id, args.index)
        return _submit(args, project, op, f"moved section {section.name!r} to {args.index}")


def cmd_fillers(args: argparse.Namespace) -> int:
    import sync.cleanup as cleanup

    with project_from(args) as project:
        doc = project.document
        total = len(doc)
        found = [
            {"index": i, "id": w.id, "text": doc.text_of(w.id), "start": w.start}
            for i, w in enumerate(doc.words)
            if w.filler and not doc.is_deleted(w.id)
        ]
        if args.remove:
            if not found:
                raise CliError("no fillers left to remove")
            op = cleanup.remove_fillers(doc)
            return _submit(args, project, op, f"removed {len(found)} filler word(s)")
    if args.json:
        print_json(found)
    else:
        for f in found:
            print(f"{f['index']:>6}  {f['start']:9.2f} s  {f['text']}")
        print(f"{len(found)} filler word(s) of {total}; `--remove` cuts them in one edit")
    return 0


def cmd_pauses(args: argparse.Namespace) -> int:
    import sync.cleanup as cleanup

    with project_from(args) as project:
        # shorten_pauses refuses anything but 0 <= --to < --longer-than (an InvalidRange).
        op = cleanup.shorten_pauses(project.document, args.longer_than, args.to)
        if not op.ops:
            raise CliError(f"no pause is longer than {args.longer_than} s")
        return _submit(args, project, op, f"shortened {len(op.ops)} pause(s) to {args.to} s")


def cmd_undo(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        return report(args, "undone", project.session.undo())


def cmd_redo(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        return report(args, "redone", project.session.redo())
