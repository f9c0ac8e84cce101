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
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from editor.cli.common import EXIT_OK, CliError, ProgressBar, print_json


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
    p.add_argument("--bitrate", default=None, help="MP3 128k/192k/320k (192k), AAC 64k-320k (128k)")
    p.add_argument("--sample-rate", type=int, choices=(44100, 48000), default=None)
    p.add_argument("--channels", type=int, choices=(1, 2), default=None)
    p.add_argument("--bit-depth", type=int, choices=(16, 24), default=16, help="WAV/FLAC only")
    loud = p.add_mutually_exclusive_group()
    loud.add_argument(
        "--loudness", type=float, default=-16.0, metavar="LUFS", help="target (default -16)"
    )
    loud.add_argument("--no-loudness", action="store_true", help="do not normalise loudness")
    p.add_argument(
        "--true-peak", type=float, default=-1.0, metavar="DBTP", help="ceiling (default -1)"
    )
    p.add_argument("--crossfade-ms", type=float, default=None, help="override the EDL's joins")
    p.add_argument("--title")
    p.add_argument("--artist", help="artist / show name")
    p.add_argument("--album")
    p.add_argument("--episode", type=int)
    p.add_argument("--cover", type=Path, help="cover art (JPEG or PNG)")
    p.add_argument("--comment")
    p.add_argument(
        "--generated", action="store_true", help="mark the file as containing generated speech"
    )
    p.add_argument("--chapters", type=Path, help="Podcasting 2.0 JSON or 'HH:MM:SS Title' lines")
    p.add_argument("--threads", type=int, default=0, help="MP3 encoder threads (0 = auto)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--verbose", action="store_true", help="let the decoders' own warnings through")
    p.set_defaults(handler=cmd_render)


def _quiet_ffmpeg() -> None:
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

    _quiet_ffmpeg()

    with native_stderr_silenced():
        info = probe(args.file, hash=not args.no_hash, allow_damaged=args.allow_damaged)
    print_json(info.to_dict())
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from render import edl as edl_mod
    from render.chapters import load_chapters
    from render.errors import EdlError, ExportError
    from render.export import ExportOptions, Loudness, Tags, export, format_for_path, parse_bitrate

    _quiet_ffmpeg()
    out: Path = args.out
    try:
        fmt = format_for_path(out)
        bitrate = parse_bitrate(args.bitrate) if args.bitrate else 192_000
        if fmt == "m4a" and not args.bitrate:
            bitrate = 128_000
        options = ExportOptions(
            format=fmt,
            bitrate=bitrate,
            sample_rate=args.sample_rate,
            channels=args.channels,
            bit_depth=args.bit_depth,
            loudness=None if args.no_loudness else Loudness(args.loudness, args.true_peak),
            tags=Tags(
                title=args.title,
                artist=args.artist,
                album=args.album,
                episode=args.episode,
                cover=args.cover,
                comment=args.comment,
                generated_content=args.generated,
            ),
            threads=args.threads,
        )
    except ExportError as exc:
        message = str(exc)
        raise CliError(message if message.startswith(str(out)) else f"{out}: {message}") from None
    if out.exists() and out.is_dir():
        raise CliError(f"{out}: is a folder, not an output file")
    edl = edl_mod.load(args.edl)
    if args.crossfade_ms is not None:
        try:
            edl = dataclasses.replace(edl, crossfade_ms=args.crossfade_ms)
        except EdlError as exc:
            raise CliError(f"--crossfade-ms: {exc}") from None
    chapters = load_chapters(args.chapters) if args.chapters else []

    guard = contextlib.nullcontext(sys.stderr) if args.verbose else native_stderr_silenced()
    with guard as stderr:
        bar = ProgressBar("rendering", quiet=args.quiet, stream=stderr)
        try:
            result = export(edl, out, options, chapters=chapters, progress=bar)
        except EdlError as exc:
            raise CliError(f"{args.edl}: {exc}") from None
        except OSError as exc:
            raise CliError(f"{out}: cannot write: {exc.strerror or exc}") from None
        finally:
            bar.close()
    summary: dict[str, Any] = {
        "path": str(result.path),
        "format": result.format,
        "frames": result.frames,
        "sample_rate": result.sample_rate,
        "channels": result.channels,
        "duration": result.duration,
        "gain_db": round(result.gain_db, 2),
        "limited": result.limited,
        "measured_lufs": _finite(result.measured.integrated_lufs) if result.measured else None,
    }
    if args.json:
        print_json(summary)
    elif not args.quiet:
        loud = ""
        if result.measured is not None:
            loud = f", loudness {summary['measured_lufs']} LUFS → gain {summary['gain_db']} dB"
        print(f"wrote {out} ({_clock(result.duration)}{loud})", file=sys.stderr)
    return EXIT_OK


def _finite(value: float) -> float | None:
    return round(value, 2) if math.isfinite(value) else None


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return (
        f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}.{int(seconds * 1000) % 1000:03d}"
    )
