"""Check a frozen Linux bundle's native libraries: nothing missing, nothing undeclared.

Why: the commonest failure of a PyInstaller app on someone else's machine is a shared library
that was found on the build machine but is neither in the bundle nor on the user's system. So
every ELF file in the bundle goes through ``ldd`` with ``_internal`` first on the library path
(as the bootloader sets it), and

* a library ``ldd`` reports "not found" fails the check;
* a library that a bundled file links directly (``DT_NEEDED``) and that is found outside the
  bundle must come from glibc or from a package the .deb depends on (``--depends``), so the
  package's Depends line stays true as dependencies change (what those system libraries need
  in turn, their own packages bring);
* the newest glibc symbol version any file needs is printed (Ubuntu 22.04 has glibc 2.35).

    python packaging/check_bundle.py build/dist/wordcut --depends packaging/linux/deb-depends.txt
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

GLIBC_PACKAGES = frozenset({"libc6", "libc6-dev", "libgcc-s1", "libstdc++6", "linux-vdso"})
"""Libraries every Debian/Ubuntu system has (essential or pulled in by libc6)."""

_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(not found|\S+)")
_NEEDED = re.compile(r"\(NEEDED\).*\[(.*)\]")
_GLIBC_VERSION = re.compile(r"GLIBC_(\d+)\.(\d+)")


@dataclass
class Report:
    """What the check found, by library name."""

    elf_files: int = 0
    missing: dict[str, set[str]] = field(default_factory=dict)
    outside: dict[str, str] = field(default_factory=dict)
    glibc: tuple[int, int] = (0, 0)
    glibc_file: str = ""
    glibc_by_file: dict[str, tuple[int, int]] = field(default_factory=dict)


def elf_files(root: Path) -> Iterator[Path]:
    """Every regular ELF file under ``root`` (executables, libraries, extension modules)."""
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as fh:
            if fh.read(4) == b"\x7fELF":
                yield path


def ldd(path: Path, lib_dir: Path) -> list[tuple[str, str]]:
    """``(soname, resolved path or "not found")`` for each dependency of ``path``."""
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = str(lib_dir)
    proc = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env, check=False)
    found = []
    for line in proc.stdout.splitlines():
        m = _LDD_LINE.match(line)
        if m:
            found.append((m.group(1), m.group(2)))
    return found


def direct_needs(path: Path) -> set[str]:
    """The sonames ``path`` itself links (``DT_NEEDED``), not what they link in turn."""
    out = subprocess.run(
        ["readelf", "-d", str(path)], capture_output=True, text=True, check=False
    ).stdout
    return set(_NEEDED.findall(out))


def glibc_needed(path: Path) -> tuple[int, int]:
    """The newest ``GLIBC_x.y`` symbol version ``path`` needs (0, 0 if none or no objdump)."""
    try:
        out = subprocess.run(
            ["objdump", "-T", str(path)], capture_output=True, text=True, check=False
        ).stdout
    except FileNotFoundError:
        return (0, 0)
    versions = [(int(a), int(b)) for a, b in _GLIBC_VERSION.findall(out)]
    return max(versions, default=(0, 0))


def owning_package(path: str) -> str:
    """The Debian package a system file belongs to ("?" if dpkg does not know it)."""
    real = os.path.realpath(path)
    for candidate in (path, real, real.replace("/usr/lib/", "/lib/", 1)):
        proc = subprocess.run(
            ["dpkg", "-S", candidate], capture_output=True, text=True, check=False
        )
        if proc.returncode == 0 and proc.stdout:
            return proc.stdout.split(":", 1)[0].strip()
    return "?"


def declared_packages(lines: Iterable[str]) -> set[str]:
    """Package names in a Depends list (one relation per line; alternatives with ``|``)."""
    names: set[str] = set()
    for line in lines:
        for alt in line.strip().rstrip(",").split("|"):
            name = alt.strip().split(" ", 1)[0].split(":", 1)[0]
            if name:
                names.add(name)
    return names


def check(bundle: Path) -> Report:
    lib_dir = bundle / "_internal"
    report = Report()
    inside = str(bundle.resolve())
    for path in elf_files(bundle):
        report.elf_files += 1
        rel = str(path.relative_to(bundle))
        direct = direct_needs(path)
        for soname, resolved in ldd(path, lib_dir):
            if resolved == "not found":
                report.missing.setdefault(soname, set()).add(rel)
            elif soname in direct and not os.path.realpath(resolved).startswith(inside):
                report.outside.setdefault(soname, resolved)
        needed = glibc_needed(path)
        report.glibc_by_file[rel] = needed
        if needed > report.glibc:
            report.glibc, report.glibc_file = needed, rel
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path, help="the onedir folder (build/dist/wordcut)")
    parser.add_argument("--depends", type=Path, help="the .deb's Depends list, one per line")
    parser.add_argument(
        "--max-glibc",
        default=None,
        metavar="X.Y",
        help="fail if a file needs a newer glibc (2.35: Ubuntu 22.04)",
    )
    args = parser.parse_args(argv)
    bundle: Path = args.bundle
    if not (bundle / "_internal").is_dir():
        print(f"check_bundle: {bundle}: not a PyInstaller onedir bundle", file=sys.stderr)
        return 1
    report = check(bundle)
    ok = True
    for soname, users in sorted(report.missing.items()):
        ok = False
        shown = ", ".join(sorted(users)[:3])
        print(f"check_bundle: not found: {soname} (needed by {shown})")
    declared = (
        declared_packages(args.depends.read_text(encoding="utf-8").splitlines())
        if args.depends
        else set()
    )
    by_package: dict[str, list[str]] = {}
    for soname, resolved in sorted(report.outside.items()):
        by_package.setdefault(owning_package(resolved), []).append(soname)
    for package, sonames in sorted(by_package.items()):
        covered = package in GLIBC_PACKAGES or package in declared
        state = "declared" if covered else "NOT DECLARED"
        if args.depends and not covered:
            ok = False
        print(f"check_bundle: from the system: {package} ({', '.join(sonames)}) {state}")
    major, minor = report.glibc
    print(
        f"check_bundle: {report.elf_files} ELF files; newest glibc symbol GLIBC_{major}.{minor}"
        f" ({report.glibc_file})"
    )
    if args.max_glibc:
        limit = tuple(int(x) for x in args.max_glibc.split("."))
        for rel, version in sorted(report.glibc_by_file.items()):
            if version > limit:
                ok = False
                print(f"check_bundle: needs GLIBC_{version[0]}.{version[1]}: {rel}")
    if ok:
        print("check_bundle: ok (no library missing, every system library declared)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
