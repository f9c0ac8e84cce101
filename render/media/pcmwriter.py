"""Append raw PCM blocks to the cache file without churning the page cache.

A 90-minute stereo import writes a gigabyte. Through the page cache that costs the kernel
1-2.5 s of CPU (allocating and copying into fresh pages) — as much again as decoding the MP3
— and evicts more useful pages. Where the OS offers ``O_DIRECT`` (Linux) the blocks go from an
aligned staging buffer straight to the device, at almost no CPU cost; elsewhere (macOS,
Windows, tmpfs) this falls back to ordinary buffered writes. The file's content is the same
either way: direct writes pad the last chunk to the alignment and truncate it back.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

CHUNK = 1 << 20
"""Bytes per direct write: large enough to be cheap, small enough to stay in cache."""
ALIGN = 4096
"""Memory, offset and size alignment that O_DIRECT needs on every common Linux filesystem."""


class PcmWriter:
    """Sequential writer of C-contiguous sample arrays to ``path`` (created or truncated)."""

    def __init__(self, path: Path, *, direct: bool = True) -> None:
        self.bytes_written = 0
        self._fd = -1
        if direct and hasattr(os, "O_DIRECT"):
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_DIRECT
            try:
                self._fd = os.open(path, flags, 0o644)
            except OSError:
                self._fd = -1  # the filesystem refuses O_DIRECT (tmpfs...): buffered writes
        # Not a ``with`` block: the writer owns the file until close().
        self._file = open(path, "wb") if self._fd < 0 else None  # noqa: SIM115
        self._stage = _aligned_bytes(CHUNK) if self._fd >= 0 else np.zeros(0, np.uint8)
        self._fill = 0

    @property
    def direct(self) -> bool:
        """Whether writes bypass the page cache."""
        return self._fd >= 0

    def write(self, block: npt.NDArray[np.generic]) -> None:
        """Append ``block``'s bytes (it must be C-contiguous)."""
        data = np.ascontiguousarray(block).reshape(-1).view(np.uint8)
        self.bytes_written += data.size
        if self._file is not None:
            self._file.write(data.data)
            return
        pos = 0
        while pos < data.size:
            n = min(CHUNK - self._fill, data.size - pos)
            self._stage[self._fill : self._fill + n] = data[pos : pos + n]
            self._fill += n
            pos += n
            if self._fill == CHUNK:
                self._write_stage(CHUNK)
                self._fill = 0

    def close(self) -> None:
        """Write what is staged and close; the file then holds exactly the bytes written."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._fd >= 0:
            try:
                if self._fill:
                    padded = -(-self._fill // ALIGN) * ALIGN
                    self._stage[self._fill : padded] = 0
                    self._write_stage(padded)
                    self._fill = 0
                    os.ftruncate(self._fd, self.bytes_written)
            finally:
                os.close(self._fd)
                self._fd = -1

    def _write_stage(self, size: int) -> None:
        written = os.write(self._fd, self._stage[:size].data)
        if written != size:  # only a full device does this to a regular file
            raise OSError(28, f"short write ({written} of {size} bytes): no space left?")

    def __enter__(self) -> PcmWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _aligned_bytes(size: int) -> npt.NDArray[np.uint8]:
    """A zeroed uint8 buffer of ``size`` bytes whose address is a multiple of ALIGN."""
    raw = np.zeros(size + ALIGN, np.uint8)
    offset = -raw.ctypes.data % ALIGN
    return raw[offset : offset + size]
