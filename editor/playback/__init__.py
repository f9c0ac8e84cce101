"""Playback: the programme walked through the same reader export uses, on a sounddevice stream.

Qt-free; the CLI's ``wordcut play`` and the desktop app both drive :class:`Player`. Modules:

* :mod:`.ring` — the preallocated single-producer/single-consumer ring of device frames;
* :mod:`.callback` — the audio callback: copies from the ring, zeros otherwise, counts underruns;
* :mod:`.commands` — what the transport asks of the feeder;
* :mod:`.feeder` — the producer: reads the EDL through ``render.reader`` a few hundred ms ahead,
  splices seeks, edits, speed changes and pauses in with short crossfades;
* :mod:`.fades` — the splice's crossfade;
* :mod:`.layout` — program time <-> source time, so an edit keeps the playhead on its word;
* :mod:`.timeline` — which program frame each ring frame holds (the playhead);
* :mod:`.tempo` — speed with pitch kept (FFmpeg ``atempo``) and device-rate resampling;
* :mod:`.devices` — PortAudio devices behind a small backend interface (imported lazily);
* :mod:`.player` — the transport.

Importing this package does not import sounddevice; creating a :class:`Player` does.
"""

from editor.playback.devices import OutputDevice
from editor.playback.events import DeviceLost, Ended, PlaybackFailed, PlaybackStats, PlayerEvent
from editor.playback.player import Player
from editor.playback.tempo import SPEEDS

__all__ = [
    "SPEEDS",
    "DeviceLost",
    "Ended",
    "OutputDevice",
    "PlaybackFailed",
    "PlaybackStats",
    "Player",
    "PlayerEvent",
]
