"""The ``wordcut`` command: every capability, scriptable without a display.

Each group of subcommands lives in its own module with a ``register(subparsers)`` function; this
module only assembles them and runs the chosen one through the error route
(:func:`editor.cli.common.run`): one clear line and an exit status for every failure, the
traceback of a bug in the rotating log (:mod:`editor.logs`), 130 for Ctrl+C at any moment —
building the parser included. Nothing on this path imports Qt: the GUI is loaded lazily by the
commands that open it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from editor.cli import common

EXIT_OK = common.EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wordcut",
        description="Wordcut: edit a podcast by editing its transcript.",
    )
    from editor.selftest import SelfTestAction

    parser.add_argument("--self-test", action=SelfTestAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _command_modules():
        module.register(sub)
    return parser


def _command_modules() -> list[common.CommandModule]:
    """Every module that contributes subcommands, in help order."""
    import importlib

    modules: list[common.CommandModule] = []
    for name in common.COMMAND_MODULES:
        modules.append(importlib.import_module(f"editor.cli.{name}"))
    return modules


def main(argv: Sequence[str] | None = None) -> int:
    from editor.logs import install_logging, uninstall_logging

    install_logging()
    try:
        with common.background_errors_routed():
            return common.run(lambda: _dispatch(argv))
    finally:
        uninstall_logging()  # main() called in-process (tests) must not leave a handler behind


def _dispatch(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    handler: common.Handler = args.handler
    return handler(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
