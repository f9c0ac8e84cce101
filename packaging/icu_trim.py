"""Rebuild Qt's ICU data library (``libicudata.so.NN``) with only what an English-UI app uses.

Why: PySide6's Qt links ICU, and ``libicudata`` (31 MB, the largest single file of Qt in the
bundle) carries collation, locale, currency, time-zone-name, unit and break-iterator data for
every language ICU knows, every legacy character-set table and the transliterators. Qt's own
locale data (number/date formats, language names for ``QLocale``) is compiled into QtCore; ICU
serves Qt for collation (``QCollator``), case mapping, normalisation, IDNA, time-zone names
and character sets beyond the UTF/Latin-1 ones Qt converts itself. Wordcut uses none of those
beyond what the root and English locales give. What is kept (about 10 % of it):

* every item that is not per-locale (normalisation, case/property tables, ``unames.icu``,
  ``ucadata.icu`` (the root collation), ``cnvalias.icu``, ``supplementalData``,
  ``zoneinfo64``, ``metaZones``, ``likelySubtags``, ``plurals``, each tree's ``pool.res`` and
  ``res_index.res``…), break-iterator rules (``*.brk``);
* in every locale tree (the top level, ``coll/``, ``curr/``, ``lang/``, ``region/``, ``unit/``,
  ``zone/``, ``brkitr/``): ``root``, ``en`` and every ``en_*``.

Dropped: every other locale (ICU falls back to root for them: sorting and names still work,
in the root order and English), the character-set tables (``*.cnv``: Shift-JIS, EBCDIC,
Windows code pages…; UTF-8/16/32, Latin-1 and ASCII are algorithmic in the library and stay),
the CJK/Thai/Lao/Khmer/Burmese word dictionaries (``brkitr/*.dict``), the transliterators
(``translit/``) and the number-spelling rules (``rbnf/``).

How (the same steps as ICU's own data packaging, without its tools): the library exports one
symbol, ``icudtNN_dat``, holding an ICU *common data* package: a data header, a table of
contents (item count, then name and data offsets, names sorted), the names and the items, each
16-byte aligned. The package is read out of the library with the symbol's address and size
(``nm -D``, ``readelf``), filtered item by item (the table stays sorted), and assembled back
into a shared library with the same soname and symbol (``as`` ``.incbin`` + ``ld -shared``,
binutils, which the build already needs). Linux only: on macOS and Windows Qt uses the
system's ICU.

    python packaging/icu_trim.py PATH/TO/libicudata.so.73 OUT.so     # prints what it kept
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*$")
"""An ICU locale ID as an item's file stem (``de``, ``zh_Hant_TW``, ``de__PHONEBOOK``)."""

KEEP_LOCALE = re.compile(r"^(root|en|en_[A-Za-z0-9_]+)$")
NOT_LOCALES = {"res_index", "pool"}
"""Stems that look like locale IDs but are each tree's index and shared string pool."""

DROP_TREES = ("translit/", "rbnf/")
ALIGN = 16
PAD = b"\xaa"
"""ICU's packaging pads between items with 0xAA bytes (as the shipped library does)."""


class IcuDataError(ValueError):
    """The library or package is not the ICU common data this module understands."""


@dataclass
class Package:
    """An ICU common data package: its header bytes and (name, bytes) items, sorted by name."""

    header: bytes
    items: list[tuple[str, bytes]]

    @property
    def prefix(self) -> str:
        """The package name every item name starts with, e.g. ``icudt73l``."""
        return self.items[0][0].split("/", 1)[0]


def parse_package(data: bytes) -> Package:
    """Split a common data package (``icudtNNl.dat`` contents) into its items."""
    if len(data) < 32 or data[2:4] != b"\xda\x27":
        raise IcuDataError("no ICU data header (magic 0xda27)")
    header_size = struct.unpack_from("<H", data, 0)[0]
    if data[8] != 0 or data[12:16] != b"CmnD":  # little-endian, common data
        raise IcuDataError("not a little-endian ICU common data package (CmnD)")
    toc = header_size
    count = struct.unpack_from("<I", data, toc)[0]
    entries = [struct.unpack_from("<II", data, toc + 4 + 8 * i) for i in range(count)]
    names = []
    for name_offset, _ in entries:
        end = data.index(b"\0", toc + name_offset)
        names.append(data[toc + name_offset : end].decode("ascii"))
    if names != sorted(names):
        raise IcuDataError("the table of contents is not sorted")
    bounds = [toc + data_offset for _, data_offset in entries] + [len(data)]
    items = [(names[i], data[bounds[i] : bounds[i + 1]]) for i in range(count)]
    return Package(data[:header_size], items)


def _pad(buf: bytearray) -> None:
    buf.extend(PAD * (-len(buf) % ALIGN))


def build_package(package: Package) -> bytes:
    """The bytes of a common data package holding ``package.items`` (names must be sorted)."""
    names = [name for name, _ in package.items]
    if names != sorted(names):
        raise IcuDataError("items must be sorted by name (ICU binary-searches them)")
    count = len(names)
    toc_size = 4 + 8 * count
    name_table = bytearray()
    name_offsets = []
    for name in names:
        name_offsets.append(toc_size + len(name_table))
        name_table += name.encode("ascii") + b"\0"
    body = bytearray(package.header)
    if len(body) % ALIGN:
        raise IcuDataError("the data header is not 16-byte aligned")
    toc_start = len(body)
    body += b"\0" * toc_size + name_table
    _pad(body)
    data_offsets = []
    for _, item in package.items:
        data_offsets.append(len(body) - toc_start)
        body += item
        _pad(body)
    struct.pack_into("<I", body, toc_start, count)
    for i, (n_off, d_off) in enumerate(zip(name_offsets, data_offsets, strict=True)):
        struct.pack_into("<II", body, toc_start + 4 + 8 * i, n_off, d_off)
    return bytes(body)


def keep(name: str) -> bool:
    """Whether the item ``name`` (``icudt73l/coll/de.res``) stays in the trimmed data."""
    rel = name.split("/", 1)[1] if "/" in name else name
    if rel.startswith(DROP_TREES):
        return False
    leaf = rel.rsplit("/", 1)[-1]
    stem, _, ext = leaf.rpartition(".")
    if ext == "cnv" or ext == "dict":
        return False
    if ext == "res" and stem not in NOT_LOCALES and LOCALE.match(stem):
        return bool(KEEP_LOCALE.match(stem))
    return True


def trimmed(package: Package) -> Package:
    """``package`` with only the items :func:`keep` accepts."""
    return Package(package.header, [(n, d) for n, d in package.items if keep(n)])


def _run(*cmd: str) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise IcuDataError(f"{cmd[0]} failed: {done.stderr.strip()}")
    return done.stdout


def data_symbol(library: Path) -> tuple[str, int, int]:
    """The exported ``icudtNN_dat`` symbol of ``library``: name, address, size."""
    for line in _run("nm", "-D", "-S", "--defined-only", str(library)).splitlines():
        fields = line.split()
        if len(fields) == 4 and re.fullmatch(r"icudt\d+_dat", fields[3]):
            return fields[3], int(fields[0], 16), int(fields[1], 16)
    raise IcuDataError(f"{library}: no icudtNN_dat symbol")


def read_library(library: Path) -> bytes:
    """The common data package inside an ICU data library."""
    _, address, size = data_symbol(library)
    for line in _run("readelf", "-SW", str(library)).splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if not m:
            continue
        start, offset, length = (int(m.group(i), 16) for i in (2, 3, 4))
        if start <= address and address + size <= start + length:
            with library.open("rb") as fh:
                fh.seek(offset + address - start)
                return fh.read(size)
    raise IcuDataError(f"{library}: the data symbol is in no section")


def soname(library: Path) -> str:
    """The ``DT_SONAME`` of ``library``."""
    m = re.search(r"\(SONAME\).*\[(.*)\]", _run("readelf", "-d", str(library)))
    if not m:
        raise IcuDataError(f"{library}: no SONAME")
    return m.group(1)


def write_library(data: bytes, symbol: str, so_name: str, out: Path) -> None:
    """Assemble ``data`` into a shared library exporting it as ``symbol``, named ``so_name``."""
    with tempfile.TemporaryDirectory() as tmp:
        blob = Path(tmp) / "data.bin"
        blob.write_bytes(data)
        source = Path(tmp) / "data.s"
        source.write_text(
            "\t.section .rodata\n"
            f"\t.balign {ALIGN}\n"
            f"\t.globl {symbol}\n"
            f"\t.type {symbol}, %object\n"
            f"\t.size {symbol}, {len(data)}\n"
            f"{symbol}:\n"
            f'\t.incbin "{blob}"\n'
            '\t.section .note.GNU-stack,"",%progbits\n'
        )
        obj = Path(tmp) / "data.o"
        _run("as", "-o", str(obj), str(source))
        tmp_out = out.with_name(f".{out.name}.tmp")
        _run("ld", "-shared", "-soname", so_name, "-z", "noexecstack", "-o", str(tmp_out), str(obj))
        tmp_out.chmod(0o755)
        tmp_out.replace(out)


def trim_library(library: Path, out: Path) -> tuple[int, int]:
    """Write the trimmed copy of ``library`` to ``out``; (items kept, items in the original)."""
    package = parse_package(read_library(library))
    small = trimmed(package)
    symbol, _, _ = data_symbol(library)
    write_library(build_package(small), symbol, soname(library), out)
    return len(small.items), len(package.items)


def main(argv: list[str]) -> int:
    """Command line: ``icu_trim.py LIBICUDATA OUT``."""
    if len(argv) != 2:
        print("usage: icu_trim.py LIBICUDATA OUT", file=sys.stderr)
        return 2
    src, out = Path(argv[0]), Path(argv[1])
    try:
        kept, total = trim_library(src, out)
    except (OSError, IcuDataError) as exc:
        print(f"icu_trim: {exc}", file=sys.stderr)
        return 1
    mb = 2**20
    print(
        f"icu_trim: kept {kept} of {total} items, "
        f"{src.stat().st_size / mb:.1f} → {out.stat().st_size / mb:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
