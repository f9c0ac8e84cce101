"""Voice plug-ins: the worked example is really installed (pip, into a temporary target) and
found through the ``wordcut.voices`` entry-point group; a broken one is reported, not fatal."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from editor.errors import ConsentError, OverdubError
from editor.overdub import edit, registry
from tests.overdub.conftest import OWNER, add_profile

EXAMPLE = Path(__file__).parent / "example_plugin"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """pip-install the example plug-in (offline, no dependencies) and put it on sys.path."""
    work = tmp_path_factory.mktemp("plugin")
    source = work / "src"
    shutil.copytree(EXAMPLE, source)  # the build writes egg-info beside the sources
    target = work / "site"
    done = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
            "--no-build-isolation", "--target", str(target), str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"pip could not install the example plug-in: {done.stderr[-2000:]}")
    sys.path.insert(0, str(target))
    try:
        yield target
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m.startswith("wordcut_pitch_voice")]:
            del sys.modules[name]


def test_installed_plugin_is_listed_and_speaks_at_the_hosts_pitch(
    installed: Path, home: Path, project: Any
) -> None:
    assert "pitch" in registry.available()
    assert any(d.metadata["Name"] == "wordcut-pitch-voice" for d in metadata.distributions())
    ids = [w.id for w in project.document.words]
    with pytest.raises(ConsentError, match="no voice profile"):
        edit.prepare(project, ids[0], ids[4], "Hello there.", user=OWNER, backend="pitch")
    add_profile(home)
    made = edit.prepare(project, ids[0], ids[4], "Hello there.", user=OWNER, backend="pitch")
    assert made.clip.backends == ("pitch",)
    assert made.profile is not None
    assert any("pitched to" in n for n in made.clip.notes)
    version, overdub = edit.commit(project, made, user=OWNER)
    assert overdub.voice == made.profile.id and version == project.session.version


def test_broken_plugin_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = metadata.EntryPoint("broken", "no_such_module_xyz:Voice", registry.GROUP)
    monkeypatch.setattr(registry, "_entry_points", lambda: {"broken": broken})
    assert registry.available() == ["splice", "speech", "broken"]
    with pytest.raises(OverdubError, match=r"voice plug-in 'broken' .* cannot be loaded"):
        registry.load("broken")
    with pytest.raises(OverdubError, match="no voice backend 'other'"):
        registry.load("other")
