"""The installer's trimmed ICU data library (packaging/icu_trim.py).

Why: the Linux bundle replaces Qt's 31 MB ``libicudata`` with a 4 MB one. A package that ICU
cannot read fails only at run time, in whichever Qt call first needs ICU, on a user's machine;
so these tests read the package format back byte for byte, check the filter's choices, and load
the rebuilt library into PySide6's own ICU (in a child process, so the ICU that Qt may already
have loaded here is not the one used) to show what still works and what was dropped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import icu_trim  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundle only")


def qt_icu_dir() -> Path:
    pyside = pytest.importorskip("PySide6")
    lib = Path(pyside.__file__).parent / "Qt" / "lib"
    if not list(lib.glob("libicudata.so.*")):
        pytest.skip("this PySide6 carries no ICU")
    for tool in ("nm", "readelf", "as", "ld"):
        if shutil.which(tool) is None:
            pytest.skip(f"binutils' {tool} is not installed")
    return lib


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("icudt73l/root.res", True),
        ("icudt73l/en.res", True),
        ("icudt73l/en_GB.res", True),
        ("icudt73l/coll/root.res", True),
        ("icudt73l/coll/ucadata.icu", True),
        ("icudt73l/coll/res_index.res", True),
        ("icudt73l/zone/pool.res", True),
        ("icudt73l/supplementalData.res", True),
        ("icudt73l/cnvalias.icu", True),
        ("icudt73l/uts46.nrm", True),
        ("icudt73l/brkitr/word.brk", True),
        ("icudt73l/de.res", False),
        ("icudt73l/zh_Hant_TW.res", False),
        ("icudt73l/coll/ja.res", False),
        ("icudt73l/coll/de__PHONEBOOK.res", False),
        ("icudt73l/zone/fr.res", False),
        ("icudt73l/ibm-943_P15A-2003.cnv", False),
        ("icudt73l/brkitr/cjdict.dict", False),
        ("icudt73l/translit/root.res", False),
        ("icudt73l/rbnf/en.res", False),
    ],
)
def test_the_filter_keeps_root_english_and_shared_data(name: str, kept: bool) -> None:
    assert icu_trim.keep(name) is kept


def test_the_package_round_trips_and_the_trimmed_one_is_sorted_and_aligned() -> None:
    library = next(qt_icu_dir().glob("libicudata.so.*"))
    data = icu_trim.read_library(library)
    package = icu_trim.parse_package(data)
    assert icu_trim.build_package(package) == data
    small = icu_trim.parse_package(icu_trim.build_package(icu_trim.trimmed(package)))
    names = [n for n, _ in small.items]
    assert names == sorted(names)
    assert "icudt73l/coll/ucadata.icu" in names or any(
        n.endswith("/coll/ucadata.icu") for n in names
    )
    assert not any(n.endswith(".cnv") for n in names)
    assert len(names) < len(package.items) / 3
    with pytest.raises(icu_trim.IcuDataError, match="magic"):
        icu_trim.parse_package(b"\0" * 64)


PROBE = r"""
import ctypes, sys
lib = sys.argv[1]
v = sys.argv[2]
uc = ctypes.CDLL(lib + "/libicuuc.so." + v)
i18n = ctypes.CDLL(lib + "/libicui18n.so." + v)
def f(l, name, *argtypes, res=ctypes.c_int):
    fn = getattr(l, name + "_" + v)
    fn.argtypes, fn.restype = argtypes, res
    return fn
P = ctypes.c_void_p
err = ctypes.c_int(0)
E = ctypes.POINTER(ctypes.c_int)
def ok():
    code, err.value = err.value, 0
    return code
f(uc, "u_init", E, res=None)(ctypes.byref(err)); print("init", ok())
ucnv_open = f(uc, "ucnv_open", ctypes.c_char_p, E, res=P)
for cs in (b"UTF-8", b"ISO-8859-1", b"US-ASCII", b"Shift_JIS", b"windows-1252"):
    ucnv_open(cs, ctypes.byref(err)); print("cnv", cs.decode(), ok())
ucol_open = f(i18n, "ucol_open", ctypes.c_char_p, E, res=P)
S, N = ctypes.c_char_p, ctypes.c_int
strcoll = f(i18n, "ucol_strcollUTF8", P, S, N, S, N, E)
for loc in (b"en", b"de", b"ja"):
    c = ucol_open(loc, ctypes.byref(err)); code = ok()
    order = strcoll(c, b"apple", -1, b"Banana", -1, ctypes.byref(err)) if c else None
    print("coll", loc.decode(), code, order)
idna = f(uc, "uidna_openUTS46", ctypes.c_uint32, E, res=P)(0, ctypes.byref(err)); ok()
out = ctypes.create_string_buffer(64)
info = (ctypes.c_byte * 16)(); ctypes.memset(info, 0, 16); info[0] = 16
to_ascii = f(uc, "uidna_nameToASCII_UTF8", P, S, N, S, N, P, E)
n = to_ascii(idna, "bücher.example".encode(), -1, out, 64, info, ctypes.byref(err))
print("idna", ok(), out.value[:n].decode())
"""


def probe(lib: Path) -> dict[str, list[str]]:
    version = next(lib.glob("libicudata.so.*")).name.rsplit(".", 1)[-1]
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(lib), version],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return {" ".join(line.split()[:2]): line.split()[2:] for line in out.stdout.splitlines()}


def test_icu_loads_the_trimmed_library_and_english_services_work(tmp_path: Path) -> None:
    lib = qt_icu_dir()
    for so in lib.glob("libicu*.so.*"):
        shutil.copy2(so, tmp_path / so.name)  # the copies' RUNPATH $ORIGIN finds each other
    original = probe(tmp_path)
    data_lib = next(tmp_path.glob("libicudata.so.*"))
    kept, total = icu_trim.trim_library(data_lib, data_lib)
    assert 0 < kept < total
    trimmed = probe(tmp_path)

    # ICU status codes: 0 success, negative a warning (e.g. a fallback), positive a failure.
    assert original["init 0"] == trimmed["init 0"] == []
    for cs in ("UTF-8", "ISO-8859-1", "US-ASCII"):  # algorithmic: no table needed
        assert int(trimmed[f"cnv {cs}"][0]) <= 0
    assert int(original["cnv Shift_JIS"][0]) <= 0  # the control: the full data has the table…
    assert int(trimmed["cnv Shift_JIS"][0]) > 0  # … and the trimmed data does not
    for loc in ("en", "de", "ja"):  # English and root collation; no tailoring is no failure
        code, order = trimmed[f"coll {loc}"]
        assert int(code) <= 0 and int(order) < 0, (loc, code, order)  # "apple" < "Banana"
    assert trimmed["idna 0"] == original["idna 0"] == ["xn--bcher-kva.example"]
