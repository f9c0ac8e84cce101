"""Who is editing: the identity ops are authored by and voice profiles belong to.

Locally it is ``WORDCUT_USER`` when set (so one machine can act as several hosts, and tests can
be someone else), else the operating system's user name. In a shared session the relay's token
decides instead; this module only answers for the local machine.
"""

from __future__ import annotations

import getpass
import os

FALLBACK = "local"
"""Used only when the OS cannot name the user (no login name, no ``USER``/``LOGNAME``)."""


def current_user() -> str:
    """The local identity: ``$WORDCUT_USER``, else the OS user name."""
    explicit = os.environ.get("WORDCUT_USER", "").strip()
    if explicit:
        return explicit
    try:
        name = getpass.getuser().strip()
    except (KeyError, OSError):  # no passwd entry and no USER/LOGNAME (a bare container)
        return FALLBACK
    return name or FALLBACK
