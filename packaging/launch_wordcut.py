"""The frozen ``wordcut`` executable: the desktop app from a desktop, the CLI otherwise — and
``wordcut-relay`` when started under that name.

Why a launcher of its own: the installed app is double-clicked from a file manager or a start
menu with no arguments, while the same executable is the ``wordcut`` command in a terminal. So
with no arguments and a display it opens the window (``wordcut app``); with arguments, or with
no display (a server, an SSH session), it is the ordinary CLI and prints its usage.

On Linux and macOS ``wordcut-relay`` is a symbolic link to this executable (busybox-style):
a second PyInstaller executable would carry a second 12 MB copy of the Python archive.
Windows, without dependable links, gets a real ``wordcut-relay.exe`` (packaging/launch_relay.py).

``multiprocessing.freeze_support()`` comes first: transcription runs in a ``spawn`` child, and
in a frozen app that child is this executable again, which must become the worker instead of
starting another app.
"""

from __future__ import annotations

import multiprocessing
import os
import sys


def has_display() -> bool:
    """True where a window can be shown: always on macOS/Windows, X11 or Wayland on Linux."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cli_argv(argv: list[str]) -> list[str]:
    """The command line the CLI gets (macOS Finder once added a ``-psn_…`` argument)."""
    args = [a for a in argv if not a.startswith("-psn_")]
    if not args and has_display():
        return ["app"]
    return args


RELAY_NAME = "wordcut-relay"


def invoked_as_relay(argv0: str) -> bool:
    """Whether the program was started as ``wordcut-relay`` (the link's name, any extension)."""
    name = os.path.basename(argv0).lower()
    stem = name.removesuffix(".exe")
    return stem == RELAY_NAME


def main() -> int:
    multiprocessing.freeze_support()
    if invoked_as_relay(sys.argv[0]):
        from sync.relay_main import main as relay_main

        return relay_main()
    from editor.cli import main as cli_main

    return cli_main(cli_argv(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
