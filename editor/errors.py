"""Exceptions raised by ``editor`` services (store, session, transcription, playback).

EditorError
├── StoreError          the library database cannot be read or written
│   ├── NotFound        no such project / track / render
│   └── MediaMismatch   a file offered for a moved track is not the same recording
├── SessionError        an edit cannot be submitted, undone or redone
│   └── NothingToUndo   the user's undo (or redo) history is empty
├── MissingMedia        a track's recording is not where the library says (export, playback)
├── TranscribeError     transcription cannot run (model missing, cache corrupt, disk full)
│   └── TranscribeCancelled   (also a render.errors.Cancelled)
├── PlaybackError       no audio device, or the device failed
├── OverdubError        an overdub cannot be generated (bad text or range, a backend failed)
│   └── ConsentError    no verified consent: no profile, another identity's, a failed sample
└── CollabError         co-editing: a bad join link, a relay that refuses or cannot be reached

Cancellation has one base for the whole program, :class:`render.errors.Cancelled` (``render`` is
the bottom layer, so the base lives there): render jobs, export and transcription all raise a
subclass of it, and a front end catches that one type (the CLI exits 130).
"""

from __future__ import annotations

from render.errors import Cancelled


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


class MissingMedia(EditorError):
    """A track's recording is not at its recorded path; the message says how to locate it."""


class TranscribeCancelled(TranscribeError, Cancelled):
    """The user cancelled transcription; finished chunks are kept."""


class PlaybackError(EditorError):
    """Playback cannot start (no device) or stopped because the device failed."""


class OverdubError(EditorError):
    """An overdub line cannot be generated or inserted (the project is unchanged)."""


class ConsentError(OverdubError):
    """The voice may not be used: no verified profile, or it belongs to another identity."""


class CollabError(EditorError):
    """Sharing, joining or syncing a project with a relay failed (the project is unchanged)."""
