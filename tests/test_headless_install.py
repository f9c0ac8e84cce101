"""The Qt-free install, checked for real: a fresh virtual environment gets Wordcut the way
requirements/headless.txt documents it, and the CLI and the relay work there without Qt.

``pip install wordcut`` stays the full desktop app; the headless install is
``pip install --no-deps wordcut`` plus ``pip install -r requirements/headless.txt``. This test:

1. builds the wheel from this checkout (``pip wheel --no-deps --no-build-isolation``, from a
   copy of the sources so the shared tree gets no ``build/`` or ``*.egg-info``);
2. makes a fresh virtual environment (``python -m venv``, no system site packages, no pip)
   and installs the wheel into it with pip, ``--no-deps --no-index``;
3. installs the headless requirements — resolved from requirements/headless.txt through each
   distribution's own metadata, exactly the set pip would install — by linking the copies the
   development environment already has (no network, seconds instead of minutes: the same
   files pip would unpack, ~550 MB of them);
4. asks ``pip check`` whether anything is missing: only the three GUI requirements may be;
5. runs the installed ``wordcut`` and ``wordcut-relay``: PySide6, pyqtgraph and sounddevice are
   not importable at all there, and a whole session (new, import, transcript, edl, export,
   render) plus importing every module the CLI can reach must work.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.test_layering import GUI_MODULES, reachable

ROOT = Path(__file__).resolve().parents[1]
HEADLESS = ROOT / "requirements" / "headless.txt"
GUI_DISTRIBUTIONS = {"pyside6-essentials", "pyqtgraph", "sounddevice"}
SOURCES = ("pyproject.toml", "README.md", "editor", "sync", "render")


def _requirements(lines: list[str]) -> list[Requirement]:
    out = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text:
            out.append(Requirement(text))
    return out


def headless_requirements() -> list[Requirement]:
    return _requirements(HEADLESS.read_text(encoding="utf-8").splitlines())


def test_headless_requirements_are_the_dependencies_without_the_gui() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {canonicalize_name(Requirement(r).name): str(r) for r in project["dependencies"]}
    gui = {name for name in declared if name in GUI_DISTRIBUTIONS}
    assert gui == GUI_DISTRIBUTIONS, "the GUI dependencies changed: update this test and the file"
    headless = {canonicalize_name(r.name): r for r in headless_requirements()}
    assert set(headless) == set(declared) - GUI_DISTRIBUTIONS
    for name, req in headless.items():
        assert str(req.specifier) == str(Requirement(declared[name]).specifier), name


def _closure(requirements: list[Requirement]) -> list[md.Distribution]:
    """The installed distributions pip would install for ``requirements`` (markers honoured)."""
    found: dict[str, md.Distribution] = {}
    todo = [(r, "") for r in requirements]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        key = canonicalize_name(req.name)
        if key in found:
            continue
        dist = md.distribution(req.name)
        assert dist.version in req.specifier or not req.specifier, (req, dist.version)
        found[key] = dist
        for sub in dist.requires or []:
            child = Requirement(sub)
            todo.extend((child, e) for e in (req.extras or {""}))
    return list(found.values())


def _link_distribution(dist: md.Distribution, site: Path) -> None:
    """Make ``dist`` installed in ``site``: link its top-level files and folders there."""
    tops = {
        f.parts[0] for f in dist.files or [] if f.parts and f.parts[0] not in ("..", "__pycache__")
    }
    origin = Path(str(dist.locate_file("")))
    for top in tops:
        target = site / top
        if not target.exists():
            target.symlink_to(origin / top, target_is_directory=(origin / top).is_dir())


def _run(
    command: list[str | Path], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh virtual environment with the headless install; (its bin folder, the env)."""
    base = tmp_path_factory.mktemp("headless")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, src / name)
    quiet = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONWARNINGS": "ignore"}
    pip = [sys.executable, "-m", "pip"]
    built = _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", base, src],
        base,
        quiet,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = base.glob("wordcut-*.whl")
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], base, quiet)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run(
        [*pip, "--python", python, "install", "--no-deps", "--no-index", "-q", wheel], base, quiet
    )
    assert installed.returncode == 0, installed.stderr
    site = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], base, quiet
        ).stdout.strip()
    )
    assert site.is_dir() and site != Path(sysconfig.get_path("purelib"))
    for dist in _closure(headless_requirements()):
        _link_distribution(dist, site)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(WORDCUT_HOME=str(base / "home"), WORDCUT_LOG_DIR=str(base / "logs"))
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    check = _run([*pip, "--python", python, "check"], base, quiet)
    missing = sorted(re.findall(r"requires (\S+), which is not installed", check.stdout))
    assert {canonicalize_name(m.rstrip(",")) for m in missing} == GUI_DISTRIBUTIONS, check.stdout
    others = [line for line in check.stdout.splitlines() if "which is not installed" not in line]
    assert others == [], check.stdout
    return venv / "bin", env


def test_the_fresh_environment_has_no_gui_and_no_checkout(
    fresh: tuple[Path, dict[str, str]],
) -> None:
    bin_dir, env = fresh
    code = (
        "import importlib.util, editor\n"
        f"print([m for m in {GUI_MODULES!r} if importlib.util.find_spec(m)], editor.__file__)"
    )
    proc = _run([bin_dir / "python", "-c", code], bin_dir, env)
    assert proc.returncode == 0, proc.stderr
    gui, location = proc.stdout.rsplit("]", 1)
    assert gui + "]" == "[]", proc.stdout
    assert str(ROOT) not in location, "the fresh environment must run the installed wheel"


def test_every_cli_module_imports_in_the_headless_install(
    fresh: tuple[Path, dict[str, str]],
) -> None:
    bin_dir, env = fresh
    code = f"import importlib\nfor m in {sorted(reachable())!r}:\n    importlib.import_module(m)\n"
    proc = _run([bin_dir / "python", "-c", code], bin_dir, env)
    assert proc.returncode == 0, proc.stderr


def test_a_whole_session_in_the_headless_install(
    fresh: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = fresh
    rate = 48000
    t = np.arange(3 * rate) / rate
    sf.write(tmp_path / "a.wav", (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate)
    texts = ["a", "b", "c", "d"]
    words = [{"text": w, "start": i * 0.5, "end": i * 0.5 + 0.4} for i, w in enumerate(texts)]
    (tmp_path / "a.json").write_text(json.dumps(words))
    wordcut = bin_dir / "wordcut"
    steps: list[list[str | Path]] = [
        ["new", "Ep"],
        ["import", "Ep", tmp_path / "a.wav", "--label", "Ann", "--quiet"],
        ["transcript-import", "Ep", "--track", "Ann", tmp_path / "a.json"],
        ["section", "add", "Ep", "2", "Two"],
        ["edl", "Ep", "--out", tmp_path / "ep.edl.json"],
        ["export", "Ep", tmp_path / "ep.mp3", "--quiet"],
        ["render", tmp_path / "ep.edl.json", tmp_path / "ep.wav", "--quiet", "--no-loudness"],
    ]
    for step in steps:
        proc = _run([wordcut, *step], tmp_path, env)
        assert proc.returncode == 0, (step, proc.stderr)
    assert sf.info(tmp_path / "ep.wav").frames == 3 * rate
    assert (tmp_path / "ep.chapters.json").exists()
    app = _run([wordcut, "app"], tmp_path, env)
    assert app.returncode == 1 and app.stderr.count("\n") == 1, app.stderr
    assert "desktop app cannot start" in app.stderr and "Traceback" not in app.stderr
    relay = _run([bin_dir / "wordcut-relay", "--help"], tmp_path, env)
    assert relay.returncode == 0, relay.stderr
