"""Exceptions raised by ``render``.

Library code raises these; the CLI and the UI map them to messages. Each carries enough to name
the file and the problem in one line (``str(exc)``)::

    RenderError
    ├── MediaError        a source file cannot be used (missing, empty, not audio, truncated)
    ├── EdlError          an EDL is malformed or refers to something impossible
    │   └── EdlVersionError   written by a newer Wordcut than this one
    ├── ExportError       the output cannot be produced (bad options, unwritable target)
    │   └── WriteError        a file cannot be written where it was asked for (names the target)
    └── Cancelled         a long job stopped because the caller asked it to

:class:`Cancelled` is the one cancellation type of the whole program: ``editor`` derives its own
cancellations from it (transcription's ``TranscribeCancelled``), so a front end catches one type
and exits 130 (the CLI) or closes its progress dialog quietly (the app).
"""

from __future__ import annotations

from pathlib import Path


class RenderError(Exception):
    """Base class of every error ``render`` raises on purpose."""


class MediaError(RenderError):
    """A media file cannot be probed, decoded or cached."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class EdlError(RenderError):
    """An EDL is malformed, or names a range or file that cannot be used."""


class EdlVersionError(EdlError):
    """The EDL was written with a newer format version than this build understands."""


class ExportError(RenderError):
    """Export options are invalid or the output cannot be written."""


class WriteError(ExportError):
    """An output file cannot be created or replaced (missing folder, read-only, disk full).

    Raised by :mod:`render.atomic`, which every output goes through, so the message always
    names the file the user asked for, never the temporary name it was written under.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class Cancelled(RenderError):
    """A long job stopped at a cancellation point; nothing half-written was left behind."""
