"""Names and version of the app for every installer, read from the package metadata.

Why one module: the spec, the Linux build script and the tests must agree on the version and
the application id, and both come from what ``pip install .`` recorded for ``wordcut`` (the
``[project]`` table of pyproject.toml), so bumping the version there changes every artefact.

    python packaging/appinfo.py            # KEY=VALUE lines, for shell scripts (eval-able)
"""

from __future__ import annotations

import shlex
import sys
from importlib import metadata

DIST = "wordcut"


def _first(values: list[str] | None) -> str:
    return values[0] if values else ""


def info() -> dict[str, str]:
    """NAME, VERSION, APP_ID (reverse DNS, the AppStream id and macOS bundle id), SUMMARY…"""
    meta = metadata.metadata(DIST)
    name = meta["Name"].lower()
    return {
        "NAME": name,
        "DISPLAY_NAME": name.capitalize(),
        "VERSION": meta["Version"],
        "APP_ID": f"org.{name}.{name.capitalize()}",
        "SUMMARY": _first(meta.get_all("Summary")),
        "LICENSE": _first(meta.get_all("License")) or _first(meta.get_all("License-Expression")),
    }


if __name__ == "__main__":
    for key, value in info().items():
        print(f"{key}={shlex.quote(value)}")
    sys.exit(0)
