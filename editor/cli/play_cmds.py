"""``wordcut play``: listen to the edited programme from a terminal.

Plays a project's derived EDL (or an EDL file) through :class:`editor.playback.Player` — the
same reader export uses — showing the current word and time on one updating line when stderr
is a terminal, with space to pause/resume and q to quit when stdin is one. Nothing is printed
when not on a terminal, so scripts can play a stretch (``--duration``) and check the status.
PortAudio is loaded only when this command runs; ``wordcut --help`` never loads it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import select
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from editor.cli.common import CliError
from editor.cli.project_support import project_from, resolve_word

STATUS_EVERY_S = 0.1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "play",
        help="play the edited episode (space: pause/resume, q: quit)",
        description="Play PROJECT's edited programme (or --edl FILE) on an audio device, "
        "exactly as export renders it.",
    )
    p.add_argument("project", metavar="PROJECT", nargs="?", help="project name or id")
    p.add_argument("--edl", type=Path, help="play an EDL file instead of a project")
    start = p.add_mutually_exclusive_group()
    start.add_argument(
        "--from", dest="start", metavar="TIME", help="start at a program time (SS, M:SS, H:MM:SS)"
    )
    start.add_argument("--word", metavar="ID", help="start at a word (index or id)")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument(
        "--speed", type=float, default=1.0, metavar="X", help="1, 1.25, 1.5 or 2 (pitch kept)"
    )
    p.add_argument("--device", metavar="NAME", help="output device: index, name or part of one")
    p.add_argument("--list-devices", action="store_true", help="list output devices and exit")
    p.set_defaults(handler=cmd_play)


def parse_time(text: str) -> float:
    """``SS``, ``M:SS`` or ``H:MM:SS`` (fractions allowed) as seconds."""
    parts = text.strip().split(":")
    try:
        values = [float(x) for x in parts]
    except ValueError:
        raise CliError(f"bad time {text!r}; write it like 90, 1:30 or 1:02:03.5") from None
    if len(values) > 3 or any(v < 0 for v in values) or any(v >= 60 for v in values[1:]):
        raise CliError(f"bad time {text!r}; write it like 90, 1:30 or 1:02:03.5")
    seconds = 0.0
    for v in values:
        seconds = seconds * 60 + v
    return seconds


def fmt_time(seconds: float) -> str:
    seconds = max(0.0, seconds)
    m, s = divmod(seconds, 60)
    h, m = divmod(int(m), 60)
    return f"{h}:{m:02d}:{s:04.1f}" if h else f"{m}:{s:04.1f}"


def cmd_play(args: argparse.Namespace) -> int:
    from editor.playback import Player
    from editor.playback.tempo import check_speed

    if args.list_devices:
        for device in Player.devices():
            print(device.describe())
        return 0
    check_speed(args.speed)
    if args.duration is not None and args.duration <= 0:
        raise CliError("--duration must be a positive number of seconds")
    if args.edl is not None:
        if args.project is not None or args.word is not None:
            raise CliError("give either PROJECT or --edl (--word needs a project)")
        from render import edl as edl_mod

        edl = edl_mod.load(args.edl)
        return _play(args, edl, words=None, text_of=None)
    if args.project is None:
        raise CliError("give a PROJECT to play, or --edl FILE")
    with project_from(args) as project:
        missing = project.missing
        if missing:
            raise CliError(missing[0].locate_hint(project.name) or "a track's media is missing")
        edl = project.edl()
        words = project.program_map(edl)
        start: float | None = None
        if args.word is not None:
            word_id = resolve_word(project, args.word)
            span = words.word_span(word_id)
            if span is None:
                raise CliError(f"word {args.word} is cut, so it does not play")
            start = span[0]
        from editor.playback.pool import cache_opener

        caches = {
            Path(t.record.media_path): Path(t.record.cache_dir)
            for t in project.tracks
            if t.record.cache_dir is not None
        }
        doc = project.document
        return _play(
            args, edl, words=words, text_of=doc.text_of, start=start, opener=cache_opener(caches)
        )


def _play(
    args: argparse.Namespace,
    edl: Any,
    *,
    words: Any,
    text_of: Callable[[str], str] | None,
    start: float | None = None,
    opener: Any = None,
) -> int:
    from editor.errors import PlaybackError
    from editor.playback import DeviceLost, Ended, PlaybackFailed, Player, PlayerEvent

    if start is None:
        start = parse_time(args.start) if args.start is not None else 0.0
    from editor.cli.media_cmds import native_stderr_silenced

    events: queue.SimpleQueue[PlayerEvent] = queue.SimpleQueue()
    # ALSA and PulseAudio print their own warnings to fd 2 ("underrun occurred"); the one-line
    # promise holds only if they go nowhere, so the status line gets the real stderr instead.
    with native_stderr_silenced() as stderr, Player(edl, words=words, device=args.device) as player:
        if start >= player.duration:
            raise CliError(
                f"{fmt_time(start)} is past the end of the programme ({fmt_time(player.duration)})"
            )
        player.subscribe(events.put)
        if args.speed != 1.0:
            player.set_speed(args.speed)
        end = (
            player.duration
            if args.duration is None
            else min(start + args.duration, player.duration)
        )
        player.play_range(start, end)
        status = StatusLine(stderr, player.duration)
        try:
            with _keys(sys.stdin) as read_key:
                while True:
                    try:
                        event = events.get(timeout=STATUS_EVERY_S)
                    except queue.Empty:
                        event = None
                    if isinstance(event, Ended):
                        break
                    if isinstance(event, DeviceLost | PlaybackFailed):
                        raise PlaybackError(event.message)
                    key = read_key()
                    if key == "q":
                        break
                    if key == " ":
                        player.toggle()
                    word = player.current_word()
                    text = text_of(word) if word is not None and text_of is not None else ""
                    status.show(player.position(), text, player.playing)
        except KeyboardInterrupt:
            pass  # Ctrl+C ends playback like q does
        finally:
            status.close()
    return 0


class StatusLine:
    """``▶ 1:23.4 / 12:00.0  word`` rewritten in place on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO, duration: float) -> None:
        self.stream = stream
        self.duration = duration
        self.enabled = stream.isatty() and os.environ.get("TERM") != "dumb"
        self._shown = False

    def show(self, position: float, word: str, playing: bool) -> None:
        if not self.enabled:
            return
        mark = ">" if playing else "="
        line = f"\r{mark} {fmt_time(position)} / {fmt_time(self.duration)}  {word}"
        self.stream.write(line[:200] + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


@contextlib.contextmanager
def _keys(stream: TextIO) -> Iterator[Callable[[], str | None]]:
    """A non-blocking key reader on an interactive terminal (cbreak mode, restored after);
    on anything else a reader that never has a key."""
    try:
        interactive = stream.isatty()
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        interactive = False
    if not interactive:
        yield lambda: None
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd, termios.TCSANOW)  # keep keys typed while playback was starting

    def read() -> str | None:
        ready, _, _ = select.select([fd], [], [], 0)
        if not ready:
            return None
        return os.read(fd, 1).decode(errors="replace").lower()

    try:
        yield read
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
