"""The ``wordcut`` command: every capability, scriptable without a display.

Each group of subcommands lives in its own module with a ``register(subparsers)`` function; this
module only assembles them and maps errors to one clear line and an exit status. Nothing on this
path imports Qt: the GUI is loaded lazily by the commands that open it.
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
    parser = build_parser()
    args = parser.parse_args(argv)
    return common.run_command(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
