"""What an export produces: format, encoding, loudness and tags, validated up front.

Everything a user can get wrong (a bitrate MP3 does not offer, 24-bit MP3, 96 kHz AAC) is
refused here with :class:`~render.errors.ExportError` *before* any audio is read, so a bad
command line never costs a long render or leaves a file behind.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from render.errors import ExportError

FORMATS = ("mp3", "wav", "flac", "m4a")
MP3_BITRATES = (128_000, 192_000, 320_000)
AAC_BITRATES = (64_000, 96_000, 128_000, 160_000, 192_000, 256_000, 320_000)
SAMPLE_RATES = (44_100, 48_000)
BIT_DEPTHS = (16, 24)
DEFAULT_BITRATES = {"mp3": 192_000, "m4a": 128_000}
"""What ``bitrate=0`` means per lossy format: what podcast hosts recommend for speech."""
_EXTENSIONS = {".mp3": "mp3", ".wav": "wav", ".flac": "flac", ".m4a": "m4a", ".aac": "m4a"}


@dataclass(frozen=True, slots=True)
class Loudness:
    """Render-time loudness normalisation targets (EBU R128 / podcast conventions)."""

    target_lufs: float = -16.0
    true_peak_db: float = -1.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.target_lufs) or not -40.0 <= self.target_lufs <= -5.0:
            raise ExportError(f"loudness target must be -40 to -5 LUFS, not {self.target_lufs}")
        if not math.isfinite(self.true_peak_db) or not -9.0 <= self.true_peak_db <= 0.0:
            raise ExportError(f"true-peak ceiling must be -9 to 0 dBTP, not {self.true_peak_db}")


@dataclass(frozen=True, slots=True)
class Tags:
    """Descriptive metadata written into MP3 (ID3v2.3) and M4A files."""

    title: str | None = None
    artist: str | None = None
    """The show (or host) name; most podcast apps display TPE1 as the show."""
    album: str | None = None
    episode: int | None = None
    cover: Path | None = None
    comment: str | None = None
    generated_content: bool = False
    """True when the program contains generated (overdub) audio; recorded in the file."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How to encode the program.

    ``sample_rate``/``channels`` of ``None`` keep the program's own (channels capped to 2,
    rates outside 44.1/48 kHz mapped to 48 kHz for the lossy formats).
    """

    format: str = "mp3"
    bitrate: int = 0
    """Bits per second for MP3/M4A; 0 (the default) is the format's :data:`DEFAULT_BITRATES`."""
    sample_rate: int | None = None
    channels: int | None = None
    bit_depth: int = 16
    loudness: Loudness | None = field(default_factory=Loudness)
    tags: Tags = field(default_factory=Tags)
    threads: int = 0
    """Encoder threads for MP3 (0 = one per CPU, at most 4); 1 disables parallel encoding."""

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ExportError(f"unknown format {self.format!r}; choose one of {', '.join(FORMATS)}")
        if self.bitrate == 0 and self.format in DEFAULT_BITRATES:
            object.__setattr__(self, "bitrate", DEFAULT_BITRATES[self.format])
        if self.format == "mp3" and self.bitrate not in MP3_BITRATES:
            raise ExportError(
                f"MP3 bitrate must be one of {_kbps(MP3_BITRATES)}, not {self.bitrate // 1000}k"
            )
        if self.format == "m4a" and self.bitrate not in AAC_BITRATES:
            raise ExportError(
                f"AAC bitrate must be one of {_kbps(AAC_BITRATES)}, not {self.bitrate // 1000}k"
            )
        if self.sample_rate is not None and self.sample_rate not in SAMPLE_RATES:
            raise ExportError(f"sample rate must be 44100 or 48000, not {self.sample_rate}")
        if self.channels is not None and self.channels not in (1, 2):
            raise ExportError(f"channels must be 1 (mono) or 2 (stereo), not {self.channels}")
        if self.bit_depth not in BIT_DEPTHS:
            raise ExportError(f"bit depth must be 16 or 24, not {self.bit_depth}")
        if self.bit_depth != 16 and self.format in ("mp3", "m4a"):
            raise ExportError(f"bit depth applies to WAV and FLAC only, not {self.format}")
        if self.threads < 0:
            raise ExportError("threads must be 0 (automatic) or more")

    @classmethod
    def for_path(cls, path: str | Path, **fields: Any) -> ExportOptions:
        """Options for writing ``path``: the format from its extension, ``fields`` as given and
        the defaults for the rest (``bitrate`` per format), so no front end restates them."""
        return cls(format=format_for_path(path), **fields)

    def output_rate(self, program_rate: int) -> int:
        """The rate the file is written at."""
        if self.sample_rate is not None:
            return self.sample_rate
        if self.format in ("wav", "flac") or program_rate in SAMPLE_RATES:
            return program_rate
        return 48_000

    def output_channels(self, program_channels: int) -> int:
        """Mono stays mono and everything wider is folded to stereo unless asked otherwise."""
        if self.channels is not None:
            return self.channels
        return 1 if program_channels == 1 else 2


def _kbps(rates: tuple[int, ...]) -> str:
    return ", ".join(f"{r // 1000}k" for r in rates)


def parse_bitrate(text: str) -> int:
    """``"192k"``, ``"192 kbps"``, ``"192000"`` → 192000 bits per second."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(k|kbps|kb/s|kbit/s)?\s*", text.lower())
    if match is None:
        raise ExportError(f"bad bitrate {text!r}; write it like 192k")
    value = float(match[1])
    bits = value * 1000 if match[2] or value < 1000 else value
    return round(bits)


def format_for_path(path: str | Path) -> str:
    """The export format implied by the output file's extension."""
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        raise ExportError(
            f"{path}: cannot tell the format from {suffix or 'no extension'!r}; "
            "use .mp3, .wav, .flac or .m4a"
        ) from None
