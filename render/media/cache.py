"""A track's decoded cache: PCM at the project rate with random access, plus its peaks.

A cache folder holds three files, and only a folder holding all three, consistent with each
other, is a cache (the importer builds it under a temporary name and renames it whole)::

    meta.json   format name and version, the source's MediaInfo, rate, channels, frames,
                and the byte sizes of the other two files
    pcm.raw     interleaved little-endian samples, int16 (``<i2``) or float32 (``<f4``)
    peaks.f32   the waveform pyramid (see render.media.peaks)

:func:`open_cache` checks every size against ``meta.json`` so that a truncated copy, a cache
from a newer Wordcut or a stray folder is reported instead of being played as silence.
"""

from __future__ import annotations

import contextlib
import json
import mmap
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from render.errors import MediaError
from render.media.info import MediaInfo
from render.media.peaks import Peaks, read_peaks

CACHE_FORMAT = "wordcut-media-cache"
CACHE_VERSION = 1
META_FILE = "meta.json"
PCM_FILE = "pcm.raw"
PEAKS_FILE = "peaks.f32"

SAMPLE_TYPES: dict[str, np.dtype[np.generic]] = {"<i2": np.dtype("<i2"), "<f4": np.dtype("<f4")}
"""Stored sample types; int16 samples are scaled by 1/32768 on read."""


class CachedMedia:
    """An opened cache: reads any frame range as float32, cheaply and from any thread.

    ``info`` describes the source file; ``sample_rate``, ``channels`` and ``frames`` describe the
    cached PCM. Close it (or use it as a context manager) to release the file mappings.
    """

    def __init__(
        self,
        cache_dir: Path,
        info: MediaInfo,
        sample_rate: int,
        channels: int,
        frames: int,
        pcm: npt.NDArray[np.generic],
        mapping: mmap.mmap | None,
        peaks: Peaks,
    ) -> None:
        self.cache_dir = cache_dir
        self.info = info
        self.sample_rate = sample_rate
        self.channels = channels
        self.frames = frames
        self.peaks = peaks
        self.stored_dtype = pcm.dtype
        """How samples are stored on disk (int16 or float32); ``read`` always gives float32."""
        self._pcm: npt.NDArray[np.generic] | None = pcm
        self._mapping = mapping
        self._scale = np.float32(1 / 32768) if pcm.dtype == np.int16 else None

    @property
    def duration(self) -> float:
        """Seconds of cached audio."""
        return self.frames / self.sample_rate

    def read(self, start: int, count: int) -> npt.NDArray[np.float32]:
        """Frames ``[start, start + count)`` as float32 ``(count, channels)``; zeros outside the
        track, so callers may read across either end (``start`` may be negative)."""
        if count < 0:
            raise ValueError(f"count must not be negative, got {count}")
        pcm = self._pcm
        if pcm is None:
            raise MediaError(self.cache_dir, "media cache is closed")
        out = np.zeros((count, self.channels), dtype=np.float32)
        lo = max(start, 0)
        hi = min(start + count, self.frames)
        if hi > lo:
            dest = out[lo - start : hi - start]
            dest[...] = pcm[lo:hi]
            if self._scale is not None:
                dest *= self._scale
        return out

    def close(self) -> None:
        """Release the PCM and peaks mappings; later reads raise MediaError."""
        self._pcm = None
        mapping, self._mapping = self._mapping, None
        if mapping is not None:
            # A read in another thread may still hold a view; the mapping goes when it does.
            with contextlib.suppress(BufferError):
                mapping.close()
        self.peaks.close()

    def __enter__(self) -> CachedMedia:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"CachedMedia({str(self.cache_dir)!r}, {self.frames} frames, "
            f"{self.sample_rate} Hz, {self.channels} ch)"
        )


def open_cache(cache_dir: str | Path) -> CachedMedia:
    """Open a complete cache folder; MediaError (naming the folder) if missing, partial,
    corrupt or written by a newer Wordcut."""
    cache_dir = Path(cache_dir)
    meta = read_meta(cache_dir)
    try:
        info = MediaInfo.from_dict(meta["source"])
        sample_rate = int(meta["sample_rate"])
        channels = int(meta["channels"])
        frames = int(meta["frames"])
        dtype = SAMPLE_TYPES[str(meta["pcm"]["dtype"])]
        peaks_layout = meta["peaks"]
    except (KeyError, TypeError, ValueError):
        raise MediaError(cache_dir, "corrupt cache: meta.json is missing fields") from None
    if sample_rate <= 0 or channels <= 0 or frames < 0:
        raise MediaError(cache_dir, "corrupt cache: meta.json has impossible values")
    pcm_path = cache_dir / PCM_FILE
    expected = frames * channels * dtype.itemsize
    try:
        size = pcm_path.stat().st_size
    except OSError:
        raise MediaError(cache_dir, f"incomplete cache: {PCM_FILE} is missing") from None
    if size != expected:
        raise MediaError(
            cache_dir, f"corrupt cache: {PCM_FILE} has {size} bytes, expected {expected}"
        )
    peaks = read_peaks(cache_dir / PEAKS_FILE, peaks_layout, sample_rate, frames)
    mapping: mmap.mmap | None = None
    if expected:
        try:
            with open(pcm_path, "rb") as f:
                mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError as exc:
            peaks.close()
            raise MediaError(cache_dir, f"cannot read {PCM_FILE} ({exc.strerror or exc})") from None
        pcm: npt.NDArray[np.generic] = np.frombuffer(mapping, dtype=dtype).reshape(frames, channels)
    else:
        pcm = np.zeros((0, channels), dtype=dtype)
    return CachedMedia(cache_dir, info, sample_rate, channels, frames, pcm, mapping, peaks)


def read_meta(cache_dir: Path) -> dict[str, Any]:
    """The parsed ``meta.json`` of a cache folder, checked for format and version."""
    if not cache_dir.is_dir():
        raise MediaError(cache_dir, "no media cache here")
    try:
        text = (cache_dir / META_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MediaError(cache_dir, f"incomplete cache: {META_FILE} is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MediaError(cache_dir, f"corrupt cache: {META_FILE} unreadable ({exc})") from None
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MediaError(cache_dir, f"corrupt cache: {META_FILE} is not JSON ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT:
        raise MediaError(cache_dir, "not a Wordcut media cache")
    version = meta.get("version")
    if not isinstance(version, int):
        raise MediaError(cache_dir, "corrupt cache: no format version")
    if version < 1:
        raise MediaError(cache_dir, f"corrupt cache: bad format version {version}")
    if version > CACHE_VERSION:
        raise MediaError(
            cache_dir,
            f"cache format {version} was written by a newer Wordcut (this one reads "
            f"{CACHE_VERSION}); re-import the file",
        )
    return meta


def build_meta(
    info: MediaInfo, sample_rate: int, channels: int, frames: int, dtype: str, peaks: Peaks
) -> dict[str, Any]:
    """The ``meta.json`` content for a finished cache."""
    return {
        "format": CACHE_FORMAT,
        "version": CACHE_VERSION,
        "source": info.to_dict(),
        "sample_rate": sample_rate,
        "channels": channels,
        "frames": frames,
        "pcm": {
            "file": PCM_FILE,
            "dtype": dtype,
            "bytes": frames * channels * SAMPLE_TYPES[dtype].itemsize,
        },
        "peaks": {"file": PEAKS_FILE, **peaks.layout()},
    }
