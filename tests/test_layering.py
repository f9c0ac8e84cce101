"""The layering rule, enforced: ``render`` and ``sync`` never import Qt or sounddevice, and
everything the CLI and the relay can run starts without them (they must run on a headless
server, installed without Qt: see tests/test_headless_install.py).

"What the CLI can reach" is computed, not listed: starting from ``editor.cli`` and its command
modules, every ``editor`` import is followed — the ones at module level and the lazy ones inside
functions, because a command runs those — except into :data:`GUI_PACKAGES`, the desktop app,
which the CLI may only enter lazily (``wordcut app`` imports it inside its handler).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUI_MODULES = ("PySide6", "pyqtgraph", "sounddevice", "shiboken6")
FORBIDDEN = (*GUI_MODULES, "editor")
GUI_PACKAGES = ("editor.ui",)
"""The desktop app (Qt). Reachable from the CLI only through a lazy import in a handler."""
ENTRY_POINTS = ("editor.cli", "sync.relay_main")


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


# --- what the CLI can reach ---------------------------------------------------------------------


@cache
def module_file(name: str) -> Path | None:
    """The source file of one of our modules (a package's ``__init__.py``), if it exists."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


@cache
def module_imports(name: str) -> tuple[tuple[str, bool, int], ...]:
    """(module, lazy, line) for every import in ``name``'s source; ``lazy``: inside a function.

    ``from a.b import c`` yields ``a.b.c`` when that is a module of ours, else ``a.b``;
    relative imports are resolved against the module's package.
    """
    path = module_file(name)
    assert path is not None, name
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((alias.name, lazy, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = _package_of(name, path).split(".")
                    anchor = package[: len(package) - child.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    target = sub if module_file(sub) is not None else base
                    found.append((target, lazy, child.lineno))
            visit(child, inner)

    visit(tree, False)
    return tuple(found)


def _ours(module: str) -> bool:
    return module.split(".")[0] in ("editor", "sync", "render")


def _is_gui_package(module: str) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in GUI_PACKAGES)


@cache
def reachable(entry_points: tuple[str, ...] = ENTRY_POINTS) -> dict[str, list[str]]:
    """Every module of ours the entry points can import, with the import chain that gets there;
    the CLI's command modules count as imported by ``editor.cli``."""
    from editor.cli.common import COMMAND_MODULES

    roots = [*entry_points, *(f"editor.cli.{m}" for m in COMMAND_MODULES)]
    chains: dict[str, list[str]] = {}
    todo = [(root, [root]) for root in roots]
    while todo:
        name, chain = todo.pop()
        if name in chains or module_file(name) is None:
            continue
        chains[name] = chain
        parts = name.split(".")
        parents = [".".join(parts[:i]) for i in range(1, len(parts))]
        targets = [*parents, *(m for m, _, _ in module_imports(name))]
        todo.extend((t, [*chain, t]) for t in targets if _ours(t) and not _is_gui_package(t))
    return chains


def test_the_cli_enters_the_desktop_app_only_lazily() -> None:
    eager = [
        f"{name}:{line} imports {module}"
        for name in reachable()
        for module, lazy, line in module_imports(name)
        if _is_gui_package(module) and not lazy
    ]
    assert not eager, f"a CLI-reachable module imports the Qt app at import time: {eager}"


def test_cli_reachable_code_imports_gui_libraries_only_lazily() -> None:
    """sounddevice may be imported where playback starts (inside a function), never at module
    level of anything the CLI or the relay loads."""
    eager = [
        f"{name}:{line} imports {module} (via {' -> '.join(reachable()[name])})"
        for name in reachable()
        for module, lazy, line in module_imports(name)
        if module.split(".")[0] in GUI_MODULES and not lazy
    ]
    assert not eager, eager


def test_every_cli_reachable_module_imports_without_gui() -> None:
    """All of them in one fresh interpreter: a superset of any one entry point's imports, so
    ``import editor.cli`` (or ``render``, ``sync``, the relay) alone cannot load Qt either."""
    modules = sorted(reachable())
    assert set(ENTRY_POINTS) | {"render", "sync"} <= set(modules)
    assert {"editor.cli.output_cmds", "editor.export_service", "editor.logs"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in {GUI_MODULES!r} if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={"PATH": ""}
    )
    assert proc.returncode == 0, proc.stderr
