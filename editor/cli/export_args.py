"""The export flags ``wordcut render`` and ``wordcut export`` share, and their ``ExportOptions``.

The flags only carry what the user typed: an option left unset is ``None`` and becomes the
format's default inside :class:`render.export.ExportOptions` (``ExportOptions.for_path``), so
the defaults live in one place, next to their validation, for the CLI and the app alike.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from editor.cli.common import CliError


def add_export_options(p: argparse.ArgumentParser) -> None:
    """Encoding, loudness, tag and progress flags (every default is the options' own)."""
    p.add_argument("--bitrate", default=None, help="MP3 128k/192k/320k (192k), AAC 64k-320k (128k)")
    p.add_argument("--sample-rate", type=int, choices=(44100, 48000), default=None)
    p.add_argument("--channels", type=int, choices=(1, 2), default=None)
    p.add_argument("--bit-depth", type=int, choices=(16, 24), default=None, help="WAV/FLAC (16)")
    loud = p.add_mutually_exclusive_group()
    loud.add_argument(
        "--loudness", type=float, default=None, metavar="LUFS", help="target (default -16)"
    )
    loud.add_argument("--no-loudness", action="store_true", help="do not normalise loudness")
    p.add_argument(
        "--true-peak", type=float, default=None, metavar="DBTP", help="ceiling (default -1)"
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
    p.add_argument("--threads", type=int, default=None, help="MP3 encoder threads (0 = auto)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--verbose", action="store_true", help="let the decoders' own warnings through")


def options_from_args(args: argparse.Namespace, out: Path) -> Any:
    """The ``ExportOptions`` for writing ``out``; a bad choice is one line naming ``out``."""
    from render.errors import ExportError
    from render.export import ExportOptions, Loudness, Tags, parse_bitrate

    try:
        loudness: Loudness | None = None
        if not args.no_loudness:
            loudness = Loudness(**_given(target_lufs=args.loudness, true_peak_db=args.true_peak))
        fields = _given(
            bitrate=parse_bitrate(args.bitrate) if args.bitrate else None,
            sample_rate=args.sample_rate,
            channels=args.channels,
            bit_depth=args.bit_depth,
            threads=args.threads,
        )
        tags = Tags(
            title=args.title,
            artist=args.artist,
            album=args.album,
            episode=args.episode,
            cover=args.cover,
            comment=args.comment,
            generated_content=args.generated,
        )
        return ExportOptions.for_path(out, loudness=loudness, tags=tags, **fields)
    except ExportError as exc:
        message = str(exc)
        raise CliError(message if message.startswith(str(out)) else f"{out}: {message}") from None


def _given(**fields: Any) -> dict[str, Any]:
    """The flags the user set; the rest take the options' own defaults."""
    return {k: v for k, v in fields.items() if v is not None}


def report_result(args: argparse.Namespace, result: Any, out: Path) -> None:
    """The summary of a finished export (``--json``: every figure; else one line on stderr)."""
    import math
    import sys

    from editor.cli.common import print_json

    lufs = result.measured.integrated_lufs if result.measured else None
    summary: dict[str, Any] = {
        "path": str(result.path),
        "format": result.format,
        "frames": result.frames,
        "sample_rate": result.sample_rate,
        "channels": result.channels,
        "duration": result.duration,
        "gain_db": round(result.gain_db, 2),
        "limited": result.limited,
        "measured_lufs": round(lufs, 2) if lufs is not None and math.isfinite(lufs) else None,
    }
    if args.json:
        print_json(summary)
    elif not args.quiet:
        loud = ""
        if result.measured is not None:
            loud = f", loudness {summary['measured_lufs']} LUFS → gain {summary['gain_db']} dB"
        print(f"wrote {out} ({clock(result.duration)}{loud})", file=sys.stderr)


def clock(seconds: float) -> str:
    """``H:MM:SS.mmm``, the way players show a duration."""
    whole = int(seconds)
    return (
        f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}.{int(seconds * 1000) % 1000:03d}"
    )
