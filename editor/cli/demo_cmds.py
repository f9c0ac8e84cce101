"""``wordcut demo``: build the bundled demo episode into a project and export it, offline.

The demo is a tour of the real workflow, not a canned result: it runs the same subcommands a
user would (new, import, transcribe with the bundled model, sections, filler removal, pause
shortening, export), echoing each command line so the user can repeat it by hand. Until the
desktop editor exists this is what the quick start's first command opens. Running it again
reuses the project and only exports again.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from editor.cli import common

DEMO_NAME = "Demo episode"
DEMO_MEDIA = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-episode.flac"
SECOND_SECTION_PHRASE = "this is the acoustic corpus"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="build the bundled demo episode into a project and export it (offline)",
        description=__doc__,
    )
    p.add_argument("--out", type=Path, help="where to write the MP3 (default: the project folder)")
    p.add_argument("--fresh", action="store_true", help="rebuild the demo project from scratch")
    p.set_defaults(handler=cmd_demo)


def _run(argv: list[str]) -> None:
    """Run one ``wordcut`` subcommand in-process, echoing it first; stop the tour on failure."""
    from editor.cli import main

    print(f"\n$ wordcut {shlex.join(argv)}", flush=True)
    status = main(argv)
    if status != common.EXIT_OK:
        raise common.CliError(f"demo step failed: wordcut {shlex.join(argv)}")


def _second_section_word() -> str | None:
    """The id of the first word of the demo's second part, found in the real transcript."""
    from editor.project import open_project
    from editor.store import open_store
    from sync.cleanup import find_matches

    with open_store() as store:
        matches = find_matches(open_project(store, DEMO_NAME).document, SECOND_SECTION_PHRASE)
    return matches[0][0] if matches else None


def _existing_project_dir(fresh: bool) -> Path | None:
    """The demo project's folder if it already exists (and is not to be rebuilt)."""
    from editor.errors import NotFound
    from editor.store import open_store

    with open_store() as store:
        try:
            project = store.project(DEMO_NAME)
        except NotFound:
            return None
        if fresh:
            return None
        return store.project_dir(project.id)


def _delete_if_present() -> None:
    from editor.errors import NotFound
    from editor.store import open_store

    with open_store() as store:
        try:
            store.project(DEMO_NAME)
        except NotFound:
            return
    _run(["delete", DEMO_NAME, "--yes"])


def cmd_demo(args: argparse.Namespace) -> int:
    if not DEMO_MEDIA.is_file():
        raise common.CliError(f"{DEMO_MEDIA}: the bundled demo episode is missing")
    folder = _existing_project_dir(args.fresh)
    if folder is None:
        if args.fresh:
            _delete_if_present()
        _run(["new", DEMO_NAME])
        _run(["import", DEMO_NAME, str(DEMO_MEDIA), "--label", "Diane & Sheila"])
        _run(["transcribe", DEMO_NAME, "--verbatim"])
        _run(["section", "rename", DEMO_NAME, "0", "Hello, New Jersey"])
        word = _second_section_word()
        if word is not None:
            _run(["section", "add", DEMO_NAME, word, "The acoustic corpus"])
        _run(["fillers", DEMO_NAME])
        _run(["fillers", DEMO_NAME, "--remove"])
        _run(["pauses", DEMO_NAME, "--longer-than", "0.8", "--to", "0.4"])
        _run(["transcript", DEMO_NAME, "--format", "text"])

        folder = _existing_project_dir(False)
        assert folder is not None
    out = args.out or folder / "demo-episode.mp3"
    _run(
        [
            "export",
            DEMO_NAME,
            str(out),
            "--title",
            "Wordcut demo episode",
            "--artist",
            "Wordcut",
        ]
    )
    print(f"\nThe edited demo episode is at {out}")
    print("Undo any step with `wordcut undo`, or try `wordcut transcript` / `wordcut cut`.")
    return common.EXIT_OK
