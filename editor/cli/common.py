"""What every subcommand shares: error mapping, exit statuses, progress bars, JSON output."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

EXIT_OK = 0
EXIT_ERROR = 1  # the input or the project is wrong; the message says what
EXIT_USAGE = 2  # argparse's own status for bad command lines
EXIT_CANCELLED = 130

COMMAND_MODULES = (
    "media_cmds",
    "project_cmds",
    "edit_cmds",
    "output_cmds",
    "transcribe_cmds",
    "demo_cmds",
)
"""Modules under ``editor.cli`` that contribute subcommands (each has ``register``)."""


class CommandModule(Protocol):
    def register(self, sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def fail(message: str) -> CliError:
    return CliError(message)


def run_command(args: argparse.Namespace) -> int:
    """Run the handler the subparser chose; turn every expected error into one line on stderr."""
    from editor.errors import EditorError
    from render.errors import Cancelled, RenderError
    from sync.errors import SyncError

    handler: Handler = args.handler
    try:
        return handler(args)
    except (Cancelled, KeyboardInterrupt):
        print("wordcut: cancelled (no partial file left; finished work is kept)", file=sys.stderr)
        return EXIT_CANCELLED
    except (CliError, RenderError, SyncError, EditorError) as exc:
        print(f"wordcut: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def print_json(data: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")


class ProgressBar:
    """A one-line progress bar on a terminal's stderr; silent when quiet or not a terminal."""

    def __init__(self, label: str, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.label = label
        self.enabled = not quiet and self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.started = time.monotonic()
        self._last = 0.0
        self._first_done: int | None = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self._first_done is None:
            self._first_done = done
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        frac = 0.0 if total <= 0 else min(1.0, done / total)
        filled = int(frac * 30)
        bar = "#" * filled + "-" * (30 - filled)
        # \x1b[K clears what a longer previous line left to the right of this one.
        self.stream.write(
            f"\r{self.label} [{bar}] {frac * 100:5.1f}%{self._tail(done, total, now)}\x1b[K"
        )
        self.stream.flush()

    def _tail(self, done: int, total: int, now: float) -> str:
        """ETA from this run's own rate: a resumed job starts part-done, which is no speed."""
        elapsed = now - self.started
        if total > 0 and done >= total:
            return f" in {_fmt_secs(elapsed)}"
        gained = done - (self._first_done or 0)
        if gained <= 0 or elapsed <= 0:
            return ""
        return f" ETA {_fmt_secs((total - done) * elapsed / gained)}"

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _fmt_secs(s: float) -> str:
    s = int(s)
    return f"{s // 60}:{s % 60:02d}"
