"""Exceptions raised by ``sync``; every one names what was wrong so the UI can say it plainly.

SyncError
└── OpError                an operation cannot be applied; the document is unchanged
    ├── UnknownTarget      a word, section or clip id that does not exist
    ├── InvalidRange       an inverted, empty or otherwise impossible range / position
    ├── Conflict           a concurrent change made the op meaningless (rebase refused)
    ├── StaleVersion       the op's base version is not one the document can rebase from
    │   ├── FutureVersion  the base is newer than the authority's version (client must resync)
    │   └── ResyncRequired the base is older than the retained log (client must resync)
    ├── Forbidden          the author may not make this edit (a viewer, another host's voice)
    └── BadOpFormat        a serialised op that is corrupt or from a newer version
├── SeqReuse               a (client id, seq) already committed with a different op
├── LogGap                 stored entries do not follow the document's version
└── BadSnapshot            a stored document snapshot is corrupt or newer; nothing loaded

Every class has a ``code``: the reason string the relay puts in a ``rejected`` / ``error``
message (``unknown_target``, ``conflict``, ``future_version``, ``forbidden``, ``seq_reuse``...).
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


class FutureVersion(StaleVersion):
    code = "future_version"


class ResyncRequired(StaleVersion):
    """The base version is older than what the authority can still rebase from."""

    code = "resync_required"

    def __init__(self, message: str, version: int) -> None:
        super().__init__(message)
        self.version = version
        """The version the client should resync to (a snapshot of it)."""


class Forbidden(OpError):
    code = "forbidden"


class SeqReuse(SyncError):
    """A client reused a sequence number for a different op: a protocol error, not a refusal."""

    code = "seq_reuse"


class LogGap(SyncError):
    """Stored log entries do not continue the document's version; nothing was applied."""

    code = "log_gap"


class BadOpFormat(OpError):
    code = "bad_message"


class BadSnapshot(SyncError):
    """A stored document snapshot is corrupt or from a newer version; nothing was loaded."""

    code = "bad_snapshot"
