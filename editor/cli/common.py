"""What every subcommand shares: the one error route, exit statuses, progress bars, JSON output.

The error route (:func:`run`): every failure reaches the user as exactly one line on stderr and
a non-zero exit status, and nothing else ever does (no traceback):

* an error Wordcut raises on purpose (``CliError``, the ``render`` / ``sync`` / ``editor``
  hierarchies) is the user's to fix: ``wordcut: error: <file or thing>: <problem>``, status 1;
* an ``OSError`` that escaped a typed mapping still names its file: same line, status 1 (and
  its traceback goes to the log, because the mapping is missing);
* anything else is a bug: its traceback goes to the rotating log (:mod:`editor.logs`) and the
  line says so and where the log is, status 70;
* a cancel — :class:`render.errors.Cancelled` from any job, or Ctrl+C at any moment — prints
  ``wordcut: cancelled …`` and exits 130; jobs leave no partial file (``render.atomic``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TextIO

EXIT_OK = 0
EXIT_ERROR = 1  # the input or the project is wrong; the message says what
EXIT_USAGE = 2  # argparse's own status for bad command lines
EXIT_INTERNAL = 70  # a bug (sysexits' EX_SOFTWARE); the traceback is in the log
EXIT_CANCELLED = 130
EXIT_BROKEN_PIPE = 141  # stdout's reader went away (``wordcut transcript P | head``)

COMMAND_MODULES = (
    "media_cmds",
    "project_cmds",
    "edit_cmds",
    "output_cmds",
    "transcribe_cmds",
    "demo_cmds",
    "app_cmds",
    "voice_cmds",
    "overdub_cmds",
    "share_cmds",
    "play_cmds",
)
"""Modules under ``editor.cli`` that contribute subcommands (each has ``register``)."""

CANCELLED_LINE = "wordcut: cancelled (no partial file left; finished work is kept)"

log = logging.getLogger("wordcut.cli")


class CommandModule(Protocol):
    def register(self, sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def fail(message: str) -> CliError:
    return CliError(message)


def run_command(args: argparse.Namespace) -> int:
    """Run the handler the subparser chose, through the error route."""
    handler: Handler = args.handler
    return run(lambda: handler(args))


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is a Ctrl-C that Python wrapped on its way out: one landing while a class
    is being made comes out as ``RuntimeError: Error calling __set_name__`` with the
    ``KeyboardInterrupt`` as its cause (seen in CI while the command loads)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def run(body: Callable[[], int]) -> int:
    """Call ``body`` and turn whatever it raises into one line on stderr and an exit status."""
    from editor.errors import EditorError
    from render.errors import Cancelled, RenderError
    from sync.errors import SyncError

    try:
        return body()
    except (Cancelled, KeyboardInterrupt):
        _say(CANCELLED_LINE)
        return EXIT_CANCELLED
    except (CliError, RenderError, SyncError, EditorError) as exc:
        log.warning("%s", exc)
        _say(f"wordcut: error: {one_line(str(exc) or type(exc).__name__)}")
        return EXIT_ERROR
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        from editor.logs import log_unexpected

        log_unexpected(exc, "an unmapped OS error")
        _say(f"wordcut: error: {one_line(os_problem(exc))}")
        return EXIT_ERROR
    except Exception as exc:
        if _interrupted(exc):
            _say(CANCELLED_LINE)
            return EXIT_CANCELLED
        from editor.logs import log_unexpected

        details = log_unexpected(exc)
        problem = one_line(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        _say(f"wordcut: internal error: {problem} — a bug in Wordcut; {details}")
        return EXIT_INTERNAL


@contextlib.contextmanager
def background_errors_routed() -> Iterator[None]:
    """While active, an exception escaping a thread (``threading.excepthook``) or a finaliser
    (``sys.unraisablehook``) is logged with its traceback instead of printed to the terminal;
    a thread's gets one line too, since whatever it was doing did not happen."""
    from editor.logs import log_unexpected

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or isinstance(args.exc_value, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        details = log_unexpected(args.exc_value, f"thread {name}")
        problem = one_line(f"{args.exc_type.__name__}: {args.exc_value}")
        _say(f"wordcut: internal error in a background thread: {problem}; {details}")

    def unraisable_hook(args: Any) -> None:
        log.warning(
            "ignored in %r: %s",
            args.object,
            args.exc_value,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    saved = threading.excepthook, sys.unraisablehook
    threading.excepthook, sys.unraisablehook = thread_hook, unraisable_hook
    try:
        yield
    finally:
        threading.excepthook, sys.unraisablehook = saved


def one_line(text: str) -> str:
    """``text`` with its line breaks folded, so a message can never spill over several lines."""
    return "; ".join(part.strip() for part in text.splitlines() if part.strip()) or text


def os_problem(exc: OSError) -> str:
    """``<file>: <problem>`` for an OS error, the way the typed errors read."""
    problem = exc.strerror or str(exc)
    return f"{exc.filename}: {problem}" if exc.filename else problem


def _say(line: str) -> None:
    with contextlib.suppress(OSError):  # stderr itself is gone; there is no one left to tell
        print(line, file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at the null device so the exit flush stays quiet."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def ctrl_c_cancels() -> Iterator[Callable[[], bool]]:
    """Make Ctrl+C a cooperative cancel for the job run inside; yields its ``cancel`` hook.

    The first Ctrl+C sets the flag the job polls (at its next block it cleans up and raises
    :class:`render.errors.Cancelled`); a second one interrupts at once. A Ctrl+C that came
    after the job's last poll still cancels: leaving the block raises ``KeyboardInterrupt``, so
    the command exits 130 like every other cancel (what was finished stays).
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop.is_set  # signals only reach the main thread; nothing to install
        return

    def on_sigint(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield stop.is_set
    finally:
        signal.signal(signal.SIGINT, previous)
    if stop.is_set():
        raise KeyboardInterrupt


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
