"""Media commands: ``wordcut probe FILE`` and ``wordcut render EDL.json OUT``.

Both run headless (no Qt is imported on this path). Failures become one line naming the file
and the problem (``wordcut: error: <file>: <problem>``) and exit status 1; a render that fails
or is interrupted leaves no output file, because export writes to a temporary file and renames
it only on success.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from editor.cli.common import EXIT_OK, CliError, ProgressBar, ctrl_c_cancels, print_json
from editor.cli.export_args import add_export_options, options_from_args, report_result


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("probe", help="print a media file's metadata as JSON")
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument("--no-hash", action="store_true", help="skip the SHA-256 of the file")
    p.add_argument(
        "--allow-damaged",
        action="store_true",
        help="describe a truncated file (with a warning) instead of refusing it",
    )
    p.set_defaults(handler=cmd_probe)

    p = sub.add_parser(
        "render",
        help="render an EDL to MP3, WAV, FLAC or M4A",
        description="Render EDL.json to OUT; the format follows OUT's extension.",
    )
    p.add_argument("edl", metavar="EDL.json", type=Path)
    p.add_argument("out", metavar="OUT", type=Path, help="OUT.mp3, OUT.wav, OUT.flac or OUT.m4a")
    add_export_options(p)
    p.add_argument("--chapters", type=Path, help="Podcasting 2.0 JSON or 'HH:MM:SS Title' lines")
    p.set_defaults(handler=cmd_render)


def quiet_ffmpeg() -> None:
    """FFmpeg's own log lines (warnings about damaged files) would break the one-line promise;
    every problem that matters reaches the user as a typed error instead."""
    import av.logging

    av.logging.set_level(av.logging.PANIC)


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[TextIO]:
    """Point file descriptor 2 at the null device; yield a stream on the real stderr.

    C libraries under the decoders (mpg123 inside libsndfile, for one) print warnings about
    damaged files straight to fd 2, which would break the one-clear-line promise; the problems
    that matter reach the user as typed errors anyway. ``--verbose`` keeps them.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        with os.fdopen(os.dup(saved), "w", encoding="utf-8", errors="replace") as real:
            yield real
            real.flush()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def cmd_probe(args: argparse.Namespace) -> int:
    from render.media.probe import probe

    quiet_ffmpeg()

    with native_stderr_silenced():
        info = probe(args.file, hash=not args.no_hash, allow_damaged=args.allow_damaged)
    print_json(info.to_dict())
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from render import edl as edl_mod
    from render.atomic import check_writable
    from render.chapters import load_chapters
    from render.errors import EdlError
    from render.export import export

    quiet_ffmpeg()
    out: Path = args.out
    options = options_from_args(args, out)
    if out.exists() and out.is_dir():
        raise CliError(f"{out}: is a folder, not an output file")
    check_writable(out)  # a read-only folder fails before the render, not after it
    edl = edl_mod.load(args.edl)
    if args.crossfade_ms is not None:
        try:
            edl = dataclasses.replace(edl, crossfade_ms=args.crossfade_ms)
        except EdlError as exc:
            raise CliError(f"--crossfade-ms: {exc}") from None
    edl.check_output(out)  # never write the program over one of its sources
    chapters = load_chapters(args.chapters) if args.chapters else []

    guard = contextlib.nullcontext(sys.stderr) if args.verbose else native_stderr_silenced()
    with guard as stderr, ctrl_c_cancels() as cancel:
        bar = ProgressBar("rendering", quiet=args.quiet, stream=stderr)
        try:
            result = export(edl, out, options, chapters=chapters, progress=bar, cancel=cancel)
        except EdlError as exc:
            raise CliError(f"{args.edl}: {exc}") from None
        except OSError as exc:
            raise CliError(f"{out}: cannot write: {exc.strerror or exc}") from None
        finally:
            bar.close()
    report_result(args, result, out)
    return EXIT_OK
