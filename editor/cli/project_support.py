"""Helpers the project subcommands share: opening, addressing words and sections, reporting.

Words are addressed by their index in program order (0-based, all words including struck-out
ones, as ``wordcut transcript PROJECT --numbers`` and ``--format json`` print them) or by their
id; a range is ``A-B`` (inclusive) or a single word. Sections by index, name or id.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from editor.cli.common import CliError, print_json
from editor.project import OpenProject, open_project
from editor.store import Store, open_store


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def add_project(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", metavar="PROJECT", help="project name or id")


@contextlib.contextmanager
def store_from(args: argparse.Namespace) -> Iterator[Store]:
    store = open_store()
    try:
        yield store
    finally:
        store.close()


@contextlib.contextmanager
def project_from(args: argparse.Namespace) -> Iterator[OpenProject]:
    """The project, with edits authored by the local identity (``editor.identity``): undo
    history and voice-profile ownership both follow it."""
    from editor.identity import current_user

    with (
        store_from(args) as store,
        open_project(store, args.project, user=current_user()) as project,
    ):
        try:
            yield project
        finally:
            take = getattr(project.session, "take_notices", None)  # a shared project's news
            for line in take() if take is not None else ():
                print(f"wordcut: {line}", file=sys.stderr)


def word_ids(project: OpenProject) -> list[str]:
    """Every word id in program order (the numbering the CLI prints)."""
    return [w.id for w in project.document.words]


def resolve_word(project: OpenProject, ref: str, ids: list[str] | None = None) -> str:
    ids = word_ids(project) if ids is None else ids
    ref = ref.strip()
    if ref.isdigit():
        i = int(ref)
        if i >= len(ids):
            raise CliError(f"word {i} does not exist: the transcript has {len(ids)} words")
        return ids[i]
    if ref in set(ids):
        return ref
    raise CliError(f"no word {ref!r}: give an index from `wordcut transcript --numbers` or an id")


def resolve_range(project: OpenProject, text: str) -> tuple[str, str]:
    """``A-B`` or ``A`` → (first word id, last word id); inverted ranges are refused."""
    ids = word_ids(project)
    a, sep, b = text.partition("-")
    if not a.strip() or (sep and not b.strip()):
        raise CliError(f"bad word range {text!r}; write it like 10-20 or 15")
    first = resolve_word(project, a, ids)
    last = resolve_word(project, b, ids) if sep else first
    if ids.index(last) < ids.index(first):
        raise CliError(f"word range {text!r} is inverted: its end comes before its start")
    return first, last


def resolve_section(project: OpenProject, ref: str) -> Any:
    sections = list(project.document.sections)
    if ref.isdigit() and int(ref) < len(sections):
        return sections[int(ref)]
    for s in sections:
        if ref in (s.id, s.name):
            return s
    raise CliError(f"no section {ref!r} (see `wordcut section list PROJECT`)")


def report(args: argparse.Namespace, message: str, version: int, **extra: Any) -> int:
    """A mutating command's summary: one line, or JSON with the new version."""
    if getattr(args, "json", False):
        print_json({"ok": True, "version": version, "message": message, **extra})
    else:
        print(f"{message} (version {version})")
    return 0
