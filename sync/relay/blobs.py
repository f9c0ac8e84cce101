"""Media blobs by SHA-256: the :class:`BlobStore` interface and its local-folder implementation.

A blob is stored only under the hash its bytes were verified to have; names never come from a
client except as a 64-hex-digit digest, so ``../`` cannot reach the file system. An upload
grows a partial file; a resumed upload asks :meth:`BlobStore.held` for the offset to continue
from (tus-style), and every chunk must start exactly there. When the last byte arrives the
whole file is hashed (incrementally while chunks arrive in order, from disk after a resume),
fsynced, and renamed into place; a mismatch deletes the partial file.

``docs/scaling.md`` describes the S3-compatible implementation of the same interface.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path
from typing import Protocol

from sync.protocol import SHA256_RE
from sync.relay.errors import BlobError


class BlobStore(Protocol):
    """Where the relay keeps media; every method may raise :class:`BlobError`."""

    def size(self, sha256: str) -> int | None:
        """The size of a complete blob, or ``None`` if it is not stored."""
        ...

    def held(self, sha256: str) -> int:
        """How many bytes of an unfinished upload are stored (0 for none)."""
        ...

    def begin(self, sha256: str, size: int) -> int:
        """Accept an upload of ``size`` bytes (or refuse it); returns the offset to resume at."""
        ...

    def write(self, sha256: str, offset: int, data: bytes, size: int) -> int:
        """Append a chunk at exactly ``offset``; returns the new offset."""
        ...

    def finish(self, sha256: str, size: int) -> None:
        """Verify the complete upload's hash and make it a stored blob."""
        ...

    def read(self, sha256: str, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes of a complete blob from ``offset``."""
        ...


def check_sha(sha256: str) -> str:
    if not SHA256_RE.fullmatch(sha256):
        raise BlobError("bad_name", "a blob is named by its lowercase SHA-256 hex digest")
    return sha256


class LocalBlobStore:
    """Blobs in a folder: ``ab/abcdef…`` when complete, ``partial/abcdef….part`` meanwhile."""

    def __init__(self, root: Path, *, max_blob: int, reserve: int) -> None:
        self.root = root
        self.max_blob = max_blob
        self.reserve = reserve
        (root / "partial").mkdir(parents=True, exist_ok=True)
        self._hashers: dict[str, tuple[hashlib._Hash, int]] = {}

    def _final(self, sha256: str) -> Path:
        return self.root / check_sha(sha256)[:2] / sha256

    def _part(self, sha256: str) -> Path:
        return self.root / "partial" / f"{check_sha(sha256)}.part"

    def size(self, sha256: str) -> int | None:
        try:
            return self._final(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def held(self, sha256: str) -> int:
        try:
            return self._part(sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def begin(self, sha256: str, size: int) -> int:
        check_sha(sha256)
        if size <= 0 or size > self.max_blob:
            raise BlobError("too_large", f"a blob must be 1..{self.max_blob} bytes, not {size}")
        if self.size(sha256) is not None:
            return size
        held = self.held(sha256)
        if held > size:  # a partial file from a different declared size: start over
            self._part(sha256).unlink(missing_ok=True)
            held = 0
        free = shutil.disk_usage(self.root).free
        if free - (size - held) < self.reserve:
            raise BlobError("disk_full", f"the relay has no room for {size - held} more bytes")
        self._part(sha256).touch()
        return held

    def write(self, sha256: str, offset: int, data: bytes, size: int) -> int:
        part = self._part(sha256)
        held = self.held(sha256)
        if not part.exists():
            raise BlobError("not_started", "send blob_begin before its chunks")
        if offset != held:
            raise BlobError("wrong_offset", f"the relay holds {held} bytes, not {offset}")
        if offset + len(data) > size:
            raise BlobError("too_large", "chunk runs past the declared size")
        try:
            with part.open("r+b") as f:
                f.seek(offset)
                f.write(data)
        except OSError as exc:
            with open(part, "r+b") as f:
                f.truncate(held)
            if exc.errno == errno.ENOSPC:
                raise BlobError("disk_full", "the relay's disk is full") from None
            raise BlobError("write_failed", f"cannot store the chunk: {exc.strerror}") from None
        h = self._hashers.get(sha256)
        if h is None and offset == 0:
            h = (hashlib.sha256(), 0)
        if h is not None and h[1] == offset:
            h[0].update(data)
            self._hashers[sha256] = (h[0], offset + len(data))
        return offset + len(data)

    def finish(self, sha256: str, size: int) -> None:
        part = self._part(sha256)
        if self.held(sha256) != size:
            raise BlobError("incomplete", "the upload is not complete")
        h = self._hashers.pop(sha256, None)
        if h is not None and h[1] == size:
            digest = h[0].hexdigest()
        else:
            hasher = hashlib.sha256()
            with part.open("rb") as f:
                while block := f.read(1 << 20):
                    hasher.update(block)
            digest = hasher.hexdigest()
        if digest != sha256:
            part.unlink(missing_ok=True)
            raise BlobError("hash_mismatch", f"the uploaded bytes hash to {digest[:12]}…")
        final = self._final(sha256)
        final.parent.mkdir(exist_ok=True)
        with part.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(part, final)
        dirfd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)

    def read(self, sha256: str, offset: int, n: int) -> bytes:
        try:
            with self._final(sha256).open("rb") as f:
                f.seek(offset)
                return f.read(n)
        except FileNotFoundError:
            raise BlobError("not_found", "no such blob") from None
