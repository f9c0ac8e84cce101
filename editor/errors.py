"""Exceptions raised by ``editor`` services (store, session, transcription, playback).

EditorError
├── StoreError          the library database cannot be read or written
│   ├── NotFound        no such project / track / render
│   └── MediaMismatch   a file offered for a moved track is not the same recording
├── SessionError        an edit cannot be submitted, undone or redone
│   └── NothingToUndo   the user's undo (or redo) history is empty
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


class MediaMismatch(StoreError):
    """The file offered to re-locate a track has a different SHA-256 than the recording."""


class SessionError(EditorError):
    """An edit cannot be submitted, undone or redone (the document is unchanged)."""


class NothingToUndo(SessionError):
    """There is nothing (more) for this user to undo or redo."""


class TranscribeError(EditorError):
    """Transcription cannot run or continue."""


class TranscribeCancelled(TranscribeError):
    """The user cancelled transcription; finished chunks are kept."""


class PlaybackError(EditorError):
    """Playback cannot start (no device) or stopped because the device failed."""
