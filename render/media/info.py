"""What Wordcut knows about a source media file, in a form that survives JSON.

:class:`MediaInfo` travels far: into the track table of the library, into the cache's
``meta.json``, over the relay to a co-host (who fetches media by ``sha256``) and into CLI output.
So it is a frozen value with an explicit dict form rather than something tied to an open file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """Facts about one source file's first audio stream.

    ``frames`` is exact (decoded samples per channel at ``sample_rate``) once the file has been
    imported; from :func:`render.media.probe` alone it is the container's estimate, or ``None``
    when the container does not say. ``warnings`` lists problems that did not stop an import
    (a truncated tail, packets that failed to decode) so the UI can show them.
    """

    path: Path
    size: int
    sha256: str
    """Hex SHA-256 of the file's bytes; empty when probed with ``hash=False``."""
    codec: str
    container: str
    sample_rate: int
    channels: int
    duration: float
    """Seconds of audio."""
    frames: int | None
    bit_rate: int | None = None
    sample_format: str = ""
    """The decoder's native sample format (``s16``, ``fltp``, ``s32`` ...)."""
    lossless: bool = False
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; :meth:`from_dict` reads it back."""
        return {
            "path": str(self.path),
            "size": self.size,
            "sha256": self.sha256,
            "codec": self.codec,
            "container": self.container,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "duration": self.duration,
            "frames": self.frames,
            "bit_rate": self.bit_rate,
            "sample_format": self.sample_format,
            "lossless": self.lossless,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MediaInfo:
        """Rebuild from :meth:`to_dict` output; raises ``KeyError``/``TypeError``/``ValueError``
        on a malformed dict (the cache reader turns those into a :class:`MediaError`)."""
        frames = data["frames"]
        bit_rate = data.get("bit_rate")
        return cls(
            path=Path(str(data["path"])),
            size=int(data["size"]),
            sha256=str(data["sha256"]),
            codec=str(data["codec"]),
            container=str(data["container"]),
            sample_rate=int(data["sample_rate"]),
            channels=int(data["channels"]),
            duration=float(data["duration"]),
            frames=None if frames is None else int(frames),
            bit_rate=None if bit_rate is None else int(bit_rate),
            sample_format=str(data.get("sample_format", "")),
            lossless=bool(data.get("lossless", False)),
            warnings=tuple(str(w) for w in data.get("warnings", ())),
        )
