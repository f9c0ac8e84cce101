"""Exceptions raised by ``sync``; every one names what was wrong so the UI can say it plainly.

SyncError
└── OpError                an operation cannot be applied; the document is unchanged
    ├── UnknownTarget      a word, section or clip id that does not exist
    ├── InvalidRange       an inverted, empty or otherwise impossible range / position
    ├── Conflict           a concurrent change made the op meaningless (rebase refused)
    ├── StaleVersion       the op's base version is not one the document can rebase from
    └── BadOpFormat        a serialised op that is corrupt or from a newer version
└── BadSnapshot            a stored document snapshot is corrupt or newer; nothing loaded
"""

from __future__ import annotations


class SyncError(Exception):
    """Base class of every error ``sync`` raises on purpose."""


class OpError(SyncError):
    """An operation was refused; the document was not changed."""

    code = "op_error"


class UnknownTarget(OpError):
    code = "unknown_target"


class InvalidRange(OpError):
    code = "invalid_range"


class Conflict(OpError):
    code = "conflict"


class StaleVersion(OpError):
    code = "stale_version"


class BadOpFormat(OpError):
    code = "bad_message"


class BadSnapshot(SyncError):
    """A stored document snapshot is corrupt or from a newer version; nothing was loaded."""

    code = "bad_snapshot"
