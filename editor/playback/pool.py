"""Open sources shared by every programme a player plays, so an edit never reopens a file.

An edit swaps in a new reader (``Player.set_edl``), and a fresh reader would open every track
again: ~50 ms per PyAV open, plus a decoder seek and half a second of warm-up decode at the
playhead for a compressed or resampled source — long enough to be heard. The player opens its
readers through one :class:`SourcePool`: a path opened once stays open, keeps its decoder where
playback left it, and is handed to the next reader as it is. Only the feeder thread reads the
pooled sources; readers built on other threads only look at their sizes. Closing a reader does
not close pooled sources; closing the pool does.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from render.sources import AudioSource, Frames, SourceOpener, open_source


class _Pooled:
    """A pooled source as the reader sees it: reads pass through, ``close`` is the pool's."""

    def __init__(self, source: AudioSource) -> None:
        self.source = source
        self.sample_rate = source.sample_rate
        self.channels = source.channels
        self.frames = source.frames

    def read(self, start: int, count: int) -> Frames:
        return self.source.read(start, count)

    def close(self) -> None:
        """Left open for the next programme; :meth:`SourcePool.close` closes it."""


class SourcePool:
    """Sources by (path, rate), opened on first use through ``opener``."""

    def __init__(self, opener: SourceOpener = open_source) -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._sources: dict[tuple[Path, int], _Pooled] = {}

    def open(self, path: Path, sample_rate: int) -> AudioSource:
        key = (Path(path), sample_rate)
        with self._lock:
            pooled = self._sources.get(key)
        if pooled is None:
            pooled = _Pooled(self._opener(Path(path), sample_rate))
            with self._lock:
                self._sources.setdefault(key, pooled)
                pooled = self._sources[key]
        return pooled

    def close(self) -> None:
        with self._lock:
            sources, self._sources = self._sources, {}
        for pooled in sources.values():
            pooled.source.close()


def cache_opener(caches: Mapping[Path, Path], fallback: SourceOpener = open_source) -> SourceOpener:
    """An opener that reads each track from its import cache (``{media path: cache folder}``)
    — PCM at the project rate: exact, instant seeks, no decoding while playing — and anything
    else (clips, a track whose cache is missing or damaged) through ``fallback``."""
    resolved = {Path(k).resolve(): Path(v) for k, v in caches.items()}

    def opener(path: Path, sample_rate: int) -> AudioSource:
        folder = resolved.get(Path(path).resolve())
        if folder is not None:
            from render.errors import RenderError
            from render.media import open_cache

            try:
                cache = open_cache(folder)
            except (RenderError, OSError):
                cache = None
            if cache is not None:
                if cache.sample_rate == sample_rate:
                    source: AudioSource = cache
                    return source
                cache.close()
        return fallback(path, sample_rate)

    return opener
