"""The layering rule, enforced: ``render`` and ``sync`` never import Qt or sounddevice, and the
CLI and relay entry points start without them (they must run on a headless server)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "pyqtgraph", "sounddevice", "shiboken6", "editor")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["render", "sync"])
def test_package_never_imports_qt_or_sounddevice(package: str) -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & set(FORBIDDEN))
        for p in (ROOT / package).rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"{package}/ must not import {FORBIDDEN}: {offenders}"


def test_render_does_not_import_sync() -> None:
    offenders = [
        str(p.relative_to(ROOT)) for p in (ROOT / "render").rglob("*.py") if "sync" in _imports(p)
    ]
    assert not offenders, f"render/ must not import sync/: {offenders}"


@pytest.mark.parametrize("module", ["editor.cli", "render", "sync"])
def test_headless_entry_points_load_no_gui(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = [m for m in ('PySide6', 'pyqtgraph', 'sounddevice') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={"PATH": ""})
