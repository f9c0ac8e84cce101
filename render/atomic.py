"""Atomic file creation: write beside the target, fsync, rename; never leave a partial file.

Every file Wordcut produces (caches, exports, EDLs, checkpoints) goes through here, so a crash,
a cancel or a full disk leaves either the old file or the complete new one, never a mixture.
Temporary names carry the writing process's id (``.<name>.<pid>.<random><suffix>``): what a
killed process (``kill -9``, power loss) left beside a target is swept by the next write to it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on clean exit it is renamed onto ``target``.

    ``suffix`` keeps the target's extension on the temporary name when a writer (FFmpeg's
    muxers) picks its format from it. On any exception the temporary file is removed.
    """
    target = Path(target)
    sweep_orphans(target.parent, f".{target.name}.")
    fd, name = tempfile.mkstemp(
        prefix=temp_prefix(target.name), suffix=suffix or ".tmp", dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    # mkstemp creates 0600; a finished file gets the permissions any new file would get.
    os.chmod(tmp, 0o666 & ~_UMASK)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on clean exit it replaces ``target`` whole."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_orphans(target.parent, f".{target.name}.")
    tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=target.parent))
    old: Path | None = None
    try:
        yield tmp
        if target.exists():
            # Two renames, then the slow delete: at every instant either the old folder or the
            # new one stands complete under ``target`` (or beside it, under a name to recover).
            old = Path(
                tempfile.mkdtemp(prefix=temp_prefix(target.name), suffix=".old", dir=target.parent)
            )
            os.replace(target, old / target.name)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def temp_prefix(name: str) -> str:
    """The prefix of this process's temporary files for ``name``: hidden, with our pid."""
    return f".{name}.{os.getpid()}."


def sweep_orphans(folder: Path, prefix: str) -> None:
    """Remove temporary files and folders named ``<prefix><pid>.…`` whose process is gone.

    Only names in our own pattern are touched, and never those of a live process (another
    export writing the same target right now).
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid_text = entry.name[len(prefix) :].split(".", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours (EPERM), or cannot tell: leave it alone
        return True
    return True


def _read_umask() -> int:
    """The process umask; reading it means setting it, so do it once, at import, not per write
    (another thread creating a file in between would get the wrong mode)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def write_bytes(target: str | Path, data: bytes) -> None:
    """Atomically replace ``target`` with ``data``."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: str | Path, text: str) -> None:
    """Atomically replace ``target`` with UTF-8 ``text``."""
    write_bytes(target, text.encode("utf-8"))


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable; a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
