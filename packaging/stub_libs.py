"""Stand-ins for the video-codec and TLS libraries PyAV's FFmpeg links but Wordcut never calls.

Why: the PyAV wheel's FFmpeg is built with every external codec: x265 (20 MB), SVT-AV1's
encoder (7 MB), x264, libvpx, libwebp, Intel's oneVPL (hardware video) and GnuTLS (https://
inputs) with its maths libraries — 37 MB of the bundle, for an audio editor that opens local
files, decodes their audio streams and encodes MP3/AAC. ``libavcodec`` names each of them as
``DT_NEEDED``, so they cannot simply be left out: the loader would refuse libavcodec.

What replaces each one: a shared library with the same soname (and the same symbol versions)
that defines exactly the symbols the rest of the bundle imports from it — each function returns
0 (a null pointer), each data object is zero-filled with its original size. The rest of the
bundle loads and links as before; no audio code path touches them (FFmpeg's own decoders are
preferred to libvpx's for VP8/VP9, libdav1d — AV1 decoding — is kept, and its audio codecs
are native or libmp3lame/libopus, kept). Two calls do happen when libavcodec first lists its
codecs: ``vpx_codec_vp9_cx``/``vpx_codec_get_caps`` (to choose the VP9 pixel formats); their
0 is the "no high bit depth" answer. Encoding video, QSV hardware video or an https:// input
would not work in this bundle (nothing in Wordcut does those); ``WORDCUT_FULL_FFMPEG=1`` when
building keeps the real libraries. The frozen ``--self-test`` decodes and encodes every audio
format the app handles, so a PyAV upgrade that starts calling one of these shows at build time.

Libraries that only the stubbed ones needed (GnuTLS's nettle, hogweed, gmp, libunistring;
libwebp's sharpyuv) are then needed by nothing and are dropped.

The stubs are assembled with binutils (``as``, ``ld``), which the build already needs; x86-64
and aarch64 only (elsewhere the real libraries stay).
"""

from __future__ import annotations

import functools
import platform
import re
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

STUBBED = (
    "libx265",
    "libx264",
    "libSvtAv1Enc",
    "libvpx",
    "libwebp",
    "libwebpmux",
    "libvpl",
    "libgnutls",
)
"""Library name stems (before ``-<hash>.so`` or ``.so``) replaced by stubs."""

RETURN_ZERO = {
    "x86_64": "\txorl %eax, %eax\n\tret\n",
    "aarch64": "\tmov x0, #0\n\tret\n",
}


class StubError(RuntimeError):
    """A library could not be inspected or its stand-in assembled."""


def _run(*cmd: str) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise StubError(f"{' '.join(cmd[:2])} failed: {done.stderr.strip()[:300]}")
    return done.stdout


def stem(filename: str) -> str:
    """``libx265-f5385bb8.so.216`` → ``libx265`` (auditwheel's hash and the version removed)."""
    base = filename.split(".so", 1)[0]
    return re.sub(r"-[0-9a-f]{8}$", "", base)


def is_stubbed(filename: str) -> bool:
    """Whether the library file ``filename`` is one :data:`STUBBED` names."""
    return ".so" in filename and stem(filename) in STUBBED


@dataclass
class Symbol:
    """One symbol a stub must define: name, symbol version (or ""), kind and object size."""

    name: str
    version: str = ""
    is_object: bool = False
    size: int = 0


@dataclass
class Stub:
    """What one stand-in library must provide."""

    soname: str
    symbols: dict[str, Symbol] = field(default_factory=dict)


def soname(path: Path) -> str:
    """The ``DT_SONAME`` of a library (its file name if it has none)."""
    m = re.search(r"\(SONAME\).*\[(.*)\]", _run("readelf", "-d", str(path)))
    return m.group(1) if m else path.name


def needed(path: Path) -> list[str]:
    """The ``DT_NEEDED`` entries of an ELF file."""
    return re.findall(r"\(NEEDED\).*\[(.*)\]", _run("readelf", "-d", str(path)))


@functools.cache
def imports(path: Path) -> dict[str, str]:
    """Undefined dynamic symbols of an ELF file: name → the version it asks for (or "").

    Cached: the same users are read once for every library stubbed (a file is not changed
    while a build runs).
    """
    out = {}
    for line in _run("nm", "-D", "--undefined-only", str(path)).splitlines():
        ref = line.split()[-1]
        name, _, version = ref.partition("@")
        out[name] = version.lstrip("@")
    return dict(out)


def exports(path: Path) -> dict[str, tuple[str, int]]:
    """Defined dynamic symbols of a library: name → (nm type letter, size in bytes)."""
    out = {}
    for line in _run("nm", "-D", "-S", "--defined-only", str(path)).splitlines():
        fields = line.split()
        if len(fields) == 4:
            _, size, kind, ref = fields
        elif len(fields) == 3:
            _, kind, ref = fields
            size = "0"
        else:
            continue
        out[ref.split("@", 1)[0]] = (kind, int(size, 16))
    return out


def plan(library: Path, users: Iterable[Path]) -> Stub:
    """The stand-in for ``library``: every symbol that one of ``users`` imports and it defines."""
    defined = exports(library)
    stub = Stub(soname(library))
    for user in users:
        for name, version in imports(user).items():
            if name not in defined or name in stub.symbols:
                continue
            kind, size = defined[name]
            is_object = kind.upper() in ("D", "B", "R", "V") and kind != "i"
            stub.symbols[name] = Symbol(name, version, is_object, size if is_object else 0)
    return stub


def assembly(stub: Stub, machine: str) -> str:
    """The assembler source of ``stub`` (GNU as; functions return 0, objects are zeros)."""
    ret = RETURN_ZERO[machine]
    lines = ['\t.section .note.GNU-stack,"",%progbits']
    for sym in sorted(stub.symbols.values(), key=lambda s: s.name):
        if sym.is_object:
            lines += [
                "\t.section .rodata",
                "\t.balign 16",
                f"\t.globl {sym.name}",
                f"\t.type {sym.name}, %object",
                f"\t.size {sym.name}, {max(sym.size, 1)}",
                f"{sym.name}:",
                f"\t.zero {max(sym.size, 1)}",
            ]
        else:
            lines += [
                "\t.text",
                "\t.balign 16",
                f"\t.globl {sym.name}",
                f"\t.type {sym.name}, %function",
                f"{sym.name}:",
                ret.rstrip("\n"),
            ]
    return "\n".join(lines) + "\n"


def version_script(stub: Stub) -> str | None:
    """An ``ld`` version script defining each symbol version the users ask for, or None."""
    versions: dict[str, list[str]] = {}
    for sym in stub.symbols.values():
        if sym.version:
            versions.setdefault(sym.version, []).append(sym.name)
    if not versions:
        return None
    unversioned = [s.name for s in stub.symbols.values() if not s.version]
    parts = []
    for i, (version, names) in enumerate(sorted(versions.items())):
        listed = names + (unversioned if i == 0 else [])
        body = " ".join(f"{n};" for n in sorted(listed))
        parts.append(f"{version} {{ global: {body} {'local: *;' if i == 0 else ''} }};")
    return "\n".join(parts) + "\n"


def build(stub: Stub, out: Path, machine: str | None = None) -> None:
    """Assemble and link ``stub`` into the shared library ``out``."""
    machine = machine or platform.machine()
    if machine not in RETURN_ZERO:
        raise StubError(f"no stub assembly for {machine}")
    with tempfile.TemporaryDirectory() as tmp:
        src, obj = Path(tmp) / "stub.s", Path(tmp) / "stub.o"
        src.write_text(assembly(stub, machine))
        _run("as", "-o", str(obj), str(src))
        cmd = ["ld", "-shared", "-soname", stub.soname, "-z", "noexecstack", "-o", str(out)]
        script = version_script(stub)
        if script:
            vs = Path(tmp) / "stub.map"
            vs.write_text(script)
            cmd += ["--version-script", str(vs)]
        _run(*cmd, str(obj))
    out.chmod(0o755)


def supported() -> bool:
    """Whether stubs can be assembled for this machine."""
    return platform.machine() in RETURN_ZERO
