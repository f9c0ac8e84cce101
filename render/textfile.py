"""Reading a text file the user handed us (an EDL, a chapters list), with errors that name it.

Every reader of a user's file needs the same three answers — it is not there, it cannot be read
(permissions, a folder, not UTF-8), or here is its text — phrased the same way, as the caller's
own error type so it reaches the user as one line: ``<file>: no such file``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def read_user_text(path: Path, error: Callable[[str], Exception]) -> str:
    """The UTF-8 text of ``path``, or ``error("<path>: <problem>")`` raised."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: cannot read: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
