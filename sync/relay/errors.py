"""Exceptions of the relay, under ``sync.errors.SyncError``.

RelayError
├── RelayStoreError   the relay's database cannot be opened, read or written
├── TokenError        a token command was given something it cannot act on
└── BlobError         a blob operation was refused (``code`` says why: oversize, disk_full, ...)
"""

from __future__ import annotations

from sync.errors import SyncError


class RelayError(SyncError):
    """Base of every error the relay raises on purpose."""


class RelayStoreError(RelayError):
    code = "store_failed"


class TokenError(RelayError):
    code = "bad_token"


class BlobError(RelayError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
