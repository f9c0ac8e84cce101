"""The installers' static parts agree with the package: names, version, app id, icons.

Why: the .desktop file, the AppStream metainfo, the spec and the .deb all name the app; when
the version in pyproject.toml moves or a file is renamed, these tests fail here instead of a
software centre or dpkg refusing the package on a user's machine.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

import appinfo  # noqa: E402
import check_bundle  # noqa: E402
import launch_wordcut  # noqa: E402


def project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        table: dict[str, object] = tomllib.load(fh)["project"]
    return table


def test_appinfo_comes_from_the_package_metadata() -> None:
    info = appinfo.info()
    assert info["NAME"] == project()["name"]
    assert info["VERSION"] == project()["version"]
    assert info["APP_ID"] == "org.wordcut.Wordcut"


def test_appinfo_prints_shell_assignments() -> None:
    out = subprocess.run(
        [sys.executable, str(PACKAGING / "appinfo.py")], capture_output=True, text=True, check=True
    ).stdout
    keys = dict(line.split("=", 1) for line in out.splitlines())
    assert keys["VERSION"] == project()["version"]
    assert {"NAME", "APP_ID", "SUMMARY", "LICENSE"} <= keys.keys()


def test_desktop_file_launches_the_app_with_an_icon_that_exists() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep key case
    parser.read(ROOT / "resources" / "linux" / "wordcut.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[:2] == ["wordcut", "app"]
    assert entry["Terminal"] == "false"
    assert (
        ROOT / "resources" / "icons" / "hicolor" / "256x256" / "apps" / f"{entry['Icon']}.png"
    ).is_file()
    assert entry["Categories"].endswith(";")


def test_metainfo_matches_the_app_and_the_release() -> None:
    info = appinfo.info()
    path = ROOT / "resources" / "linux" / f"{info['APP_ID']}.metainfo.xml"
    tree = ET.parse(path).getroot()
    assert tree.findtext("id") == info["APP_ID"]
    assert tree.findtext("launchable") == "wordcut.desktop"
    assert tree.findtext("project_license") == info["LICENSE"]
    versions = [r.get("version") for r in tree.iter("release")]
    assert versions[0] == info["VERSION"], "add a <release> for the new version"
    binaries = {b.text for b in tree.iter("binary")}
    scripts = project()["scripts"]
    assert isinstance(scripts, dict)
    assert binaries == set(scripts)


def test_every_icon_size_and_format_is_there() -> None:
    icons = ROOT / "resources" / "icons"
    for size in (16, 32, 48, 64, 128, 256, 512):
        png = icons / "hicolor" / f"{size}x{size}" / "apps" / "wordcut.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (icons / "wordcut.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (icons / "wordcut.icns").read_bytes()[:4] == b"icns"


def test_deb_depends_only_on_packages_debian_12_and_ubuntu_2204_have() -> None:
    lines = (PACKAGING / "linux" / "deb-depends.txt").read_text(encoding="utf-8").splitlines()
    names = check_bundle.declared_packages(lines)
    # Debian 12 names first in each relation; the alternatives are Ubuntu 24.04's t64 renames.
    assert "libasound2" in names and "libasound2t64" in names
    assert "libportaudio2" not in names, "PortAudio is bundled"
    for line in lines:
        assert line.strip().endswith(",") or line is lines[-1]


@pytest.mark.parametrize(
    ("argv", "display", "expected"),
    [
        ([], True, ["app"]),
        ([], False, []),
        (["list"], True, ["list"]),
        (["-psn_0_12345"], True, ["app"]),
        (["--self-test"], True, ["--self-test"]),
    ],
)
def test_launcher_opens_the_window_only_without_arguments_on_a_desktop(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], display: bool, expected: list[str]
) -> None:
    monkeypatch.setattr(launch_wordcut, "has_display", lambda: display)
    assert launch_wordcut.cli_argv(argv) == expected


def test_has_display_follows_x11_and_wayland(monkeypatch: pytest.MonkeyPatch) -> None:
    if sys.platform != "linux":
        pytest.skip("Linux decides by DISPLAY / WAYLAND_DISPLAY")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not launch_wordcut.has_display()
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert launch_wordcut.has_display()


def test_declared_packages_reads_alternatives_and_versions() -> None:
    names = check_bundle.declared_packages(["libc6 (>= 2.35),", "liba | libb:amd64,", ""])
    assert names == {"libc6", "liba", "libb"}


def test_check_bundle_flags_a_missing_library(tmp_path: Path) -> None:
    bundle = tmp_path / "app"
    (bundle / "_internal").mkdir(parents=True)
    # An ELF that needs a library nobody has: copy a real one and point ldd at a fake soname
    # by checking the parser on ldd's own output instead.
    lines = check_bundle._LDD_LINE.match("\tlibnope.so.1 => not found")
    assert lines is not None and lines.group(2) == "not found"
    report = check_bundle.check(bundle)
    assert report.elf_files == 0 and not report.missing


@pytest.mark.parametrize(
    ("argv0", "relay"),
    [
        ("/usr/bin/wordcut-relay", True),
        ("wordcut-relay", True),
        ("C:\\Program Files\\Wordcut\\wordcut-relay.exe", True),
        ("/opt/wordcut/wordcut", False),
        ("WordcutApp.exe", False),
    ],
)
def test_the_relay_is_the_same_executable_under_its_own_name(argv0: str, relay: bool) -> None:
    if "\\" in argv0 and sys.platform != "win32":
        argv0 = argv0.replace("\\", "/")
    assert launch_wordcut.invoked_as_relay(argv0) is relay
