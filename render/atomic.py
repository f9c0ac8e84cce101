"""Atomic file creation: write beside the target, fsync, rename; never leave a partial file.

Every file Wordcut produces (caches, exports, EDLs, checkpoints) goes through here, so a crash,
a cancel or a full disk leaves either the old file or the complete new one, never a mixture.
Temporary names carry the writing process's id (``.<name>.<pid>.<random><suffix>``): what a
killed process (``kill -9``, power loss) left beside a target is swept by the next write to it.

Every failure to create, fill or rename the file is raised as :class:`render.errors.WriteError`
naming the *target* and the problem in words ("the folder … does not exist", "permission
denied"), so a front end can show it as it is; errors the caller's own code raises inside the
block (reading a source, a cancel) pass through unchanged.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from render.errors import WriteError


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on clean exit it is renamed onto ``target``.

    ``suffix`` keeps the target's extension on the temporary name when a writer (FFmpeg's
    muxers) picks its format from it. On any exception the temporary file is removed.
    """
    target = Path(target)
    _check_folder(target)
    sweep_orphans(target.parent, f".{target.name}.")
    try:
        fd, name = tempfile.mkstemp(
            prefix=temp_prefix(target.name), suffix=suffix or ".tmp", dir=target.parent
        )
    except OSError as exc:
        raise write_error(target, exc) from None
    os.close(fd)
    tmp = Path(name)
    try:
        # mkstemp creates 0600; a finished file gets the permissions any new file would get.
        os.chmod(tmp, 0o666 & ~_UMASK)
        try:
            yield tmp
        except OSError as exc:
            if exc.filename not in (None, str(tmp)):
                raise  # the caller's own I/O (a source that cannot be read): not ours to name
            raise write_error(target, exc) from None
        try:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise write_error(target, exc) from None
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on clean exit it replaces ``target`` whole."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(target, exc) from None
    sweep_orphans(target.parent, f".{target.name}.")
    try:
        tmp = Path(
            tempfile.mkdtemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=target.parent)
        )
    except OSError as exc:
        raise write_error(target, exc) from None
    old: Path | None = None
    try:
        yield tmp
        try:
            if target.exists():
                # Two renames, then the slow delete: at every instant either the old folder or
                # the new one stands complete under ``target`` (or beside it, to recover).
                old = Path(
                    tempfile.mkdtemp(
                        prefix=temp_prefix(target.name), suffix=".old", dir=target.parent
                    )
                )
                os.replace(target, old / target.name)
            os.replace(tmp, target)
        except OSError as exc:
            raise write_error(target, exc) from None
        _fsync_dir(target.parent)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def check_writable(target: str | Path) -> None:
    """Raise the :class:`WriteError` that writing ``target`` would meet, before the work starts.

    A long job (an export) calls this first, so a read-only or missing folder costs the user
    milliseconds, not the minutes of rendering before the rename would fail. It creates and
    removes a temporary file under the name :func:`atomic_path` would use.
    """
    target = Path(target)
    _check_folder(target)
    try:
        fd, name = tempfile.mkstemp(prefix=temp_prefix(target.name), dir=target.parent)
    except OSError as exc:
        raise write_error(target, exc) from None
    os.close(fd)
    os.unlink(name)


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file: by device and inode when both exist (hard links,
    symlinks, another spelling), else by their resolved paths."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _check_folder(target: Path) -> None:
    """Refuse a target whose folder is missing or is a file, before any work is done."""
    folder = target.parent
    if not folder.exists():
        raise WriteError(target, f"the folder {folder} does not exist")
    if not folder.is_dir():
        raise WriteError(target, f"{folder} is not a folder")
    if target.is_dir():
        raise WriteError(target, "is a folder, not a file")


_PROBLEMS = {
    errno.ENOENT: "the folder {folder} does not exist",
    errno.ENOTDIR: "{folder} is not a folder",
    errno.EACCES: "permission denied: the folder {folder} is not writable",
    errno.EPERM: "permission denied: the folder {folder} is not writable",
    errno.EROFS: "the folder {folder} is on a read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EISDIR: "is a folder, not a file",
    errno.ENAMETOOLONG: "the file name is too long",
}


def write_error(target: Path, exc: OSError) -> WriteError:
    """The :class:`WriteError` for an ``OSError`` met while writing ``target``, in words."""
    template = _PROBLEMS.get(exc.errno or 0)
    if template is not None:
        problem = template.format(folder=target.parent)
    else:
        problem = f"cannot write: {exc.strerror or exc}"
    return WriteError(target, problem)


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
