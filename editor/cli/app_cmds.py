"""``wordcut app [PROJECT] [--screenshot OUT.png]``: open the desktop editor.

Qt is imported only inside the handler, so ``wordcut --help`` and every other subcommand stay
GUI-free (tests/test_layering.py). ``--screenshot`` opens the project, waits until the window
is interactive (transcript painted, waveform drawn), saves it as a PNG and exits 0 — for the
tests, the screenshot script and bug reports.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from editor.cli.common import CliError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("app", help="open the desktop editor (the library, or PROJECT)")
    p.add_argument("project", metavar="PROJECT", nargs="?", help="project name or id to open")
    p.add_argument(
        "--screenshot",
        metavar="OUT.png",
        type=Path,
        help="save the window once it is interactive, then exit",
    )
    p.set_defaults(handler=cmd_app)


def cmd_app(args: argparse.Namespace) -> int:
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        raise CliError(f"{args.screenshot}: the screenshot is saved as PNG; name it *.png")
    if args.screenshot is not None and not args.screenshot.parent.is_dir():
        raise CliError(f"{args.screenshot.parent}: no such folder for the screenshot")
    if args.project is not None:
        # An unknown project is the command line's mistake: one line here, before Qt starts.
        from editor.cli.project_support import store_from

        with store_from(args) as store:
            args.project = store.project(args.project).id
    try:
        from editor.ui.app import main
    except ImportError as exc:
        raise CliError(f"the desktop app cannot start: {exc}") from None
    return main(args.project, args.screenshot)
