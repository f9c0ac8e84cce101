"""Exceptions raised by ``editor`` services (store, session, transcription, playback).

EditorError
├── StoreError          the library database cannot be read or written
│   └── NotFound        no such project / track / render
├── TranscribeError     transcription cannot run (model missing, cache corrupt, disk full)
│   └── TranscribeCancelled
└── PlaybackError       no audio device, or the device failed
"""

from __future__ import annotations


class EditorError(Exception):
    """Base class of every error ``editor`` services raise on purpose."""


class StoreError(EditorError):
    """The project library cannot be read or written."""


class NotFound(StoreError):
    """The named project, track or render does not exist."""


class TranscribeError(EditorError):
    """Transcription cannot run or continue."""


class TranscribeCancelled(TranscribeError):
    """The user cancelled transcription; finished chunks are kept."""


class PlaybackError(EditorError):
    """Playback cannot start (no device) or stopped because the device failed."""
