"""Media import: probe a source, decode it once into a per-track cache, read it back.

The cache holds the PCM at the project rate with sample-accurate random access (memory-mapped)
and a multi-resolution peak pyramid for the waveform view and cut placement, both produced in
one streaming pass. See ``probe``, ``importer``, ``cache`` and ``peaks`` for the details::

    info = probe("host-a.mp3")                      # MediaInfo, or MediaError
    track = import_media("host-a.mp3", project / "cache" / "host-a")
    block = track.read(48000 * 60, 4800)            # float32 (4800, channels)
    mins, maxs = track.peaks.get(0, track.frames, 1200)
"""

from render.media.cache import CachedMedia, open_cache
from render.media.importer import SampleFormat, import_media
from render.media.info import MediaInfo
from render.media.peaks import Peaks
from render.media.probe import probe, sha256_file

__all__ = [
    "CachedMedia",
    "MediaInfo",
    "Peaks",
    "SampleFormat",
    "import_media",
    "open_cache",
    "probe",
    "sha256_file",
]
