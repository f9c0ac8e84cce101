"""Exceptions raised by ``render``.

Library code raises these; the CLI and the UI map them to messages. Each carries enough to name
the file and the problem in one line (``str(exc)``)::

    RenderError
    ├── MediaError        a source file cannot be used (missing, empty, not audio, truncated)
    ├── EdlError          an EDL is malformed or refers to something impossible
    │   └── EdlVersionError   written by a newer Wordcut than this one
    ├── ExportError       the output cannot be produced (bad options, unwritable target)
    └── Cancelled         a long job stopped because the caller asked it to
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


class Cancelled(RenderError):
    """A long job stopped at a cancellation point; nothing half-written was left behind."""
