"""The stand-ins for PyAV's video-codec and TLS libraries (packaging/stub_libs.py).

Why: the Linux bundle replaces x265, x264, SVT-AV1, libvpx, libwebp, oneVPL and GnuTLS with
libraries that only define the symbols FFmpeg imports. If a stand-in lacked a symbol or a symbol
version, PyAV would not even import; if FFmpeg called one on an audio path, audio would break.
So these tests stub a copy of the installed PyAV exactly as the spec does and, in a child
process, list the codecs and encode and decode audio through it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import stub_libs  # noqa: E402

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not stub_libs.supported(), reason="Linux x86-64/arm64"
)


def test_library_names_are_matched_without_hash_or_version() -> None:
    assert stub_libs.stem("libx265-f5385bb8.so.216") == "libx265"
    assert stub_libs.is_stubbed("libSvtAv1Enc-9393c086.so.4.1.0")
    assert stub_libs.is_stubbed("libwebp-0c5118d0.so.7.2.0")
    assert not stub_libs.is_stubbed("libmp3lame-8f9e436f.so.0.0.0")
    assert not stub_libs.is_stubbed("libopus-114e2b1a.so.0.11.1")
    assert not stub_libs.is_stubbed("libdav1d-f4b27961.so.7.0.0")


PROBE = r"""
import sys
import av
import numpy as np
assert av.__file__.startswith(sys.argv[1]), av.__file__
print("codecs", len(av.codecs_available))
FORMATS = (("mp3", "libmp3lame", "fltp"), ("m4a", "aac", "fltp"), ("opus", "libopus", "flt"))
for ext, codec, fmt in FORMATS:
    path = f"{sys.argv[1]}/tone.{ext}"
    rate = 48000
    with av.open(path, "w") as c:
        s = c.add_stream(codec, rate=rate)
        s.layout = "mono"
        f = av.AudioFrame.from_ndarray(np.zeros((1, rate), np.float32), format=fmt, layout="mono")
        f.sample_rate = rate
        for p in list(s.encode(f)) + list(s.encode(None)):
            c.mux(p)
    with av.open(path) as c:
        print(ext, round(sum(fr.samples for fr in c.decode(audio=0)) / rate, 1))
"""


def test_pyav_loads_and_codes_audio_with_the_stand_ins(tmp_path: Path) -> None:
    av = pytest.importorskip("av")
    site = Path(av.__file__).parent.parent
    if not (site / "av.libs").is_dir():
        pytest.skip("this PyAV has no bundled FFmpeg (not a manylinux wheel)")
    for tool in ("nm", "readelf", "as", "ld"):
        if shutil.which(tool) is None:
            pytest.skip(f"binutils' {tool} is not installed")
    shutil.copytree(site / "av", tmp_path / "av")
    shutil.copytree(site / "av.libs", tmp_path / "av.libs")
    libs = sorted((tmp_path / "av.libs").glob("*.so*"))
    users = [p for p in [*tmp_path.glob("av/**/*.so"), *libs] if not stub_libs.is_stubbed(p.name)]
    stubbed = []
    for lib in libs:
        if stub_libs.is_stubbed(lib.name):
            size = lib.stat().st_size
            stub_libs.build(stub_libs.plan(lib, users), lib)
            assert lib.stat().st_size < min(size, 64 * 1024)
            assert stub_libs.soname(lib).startswith(stub_libs.stem(lib.name))
            stubbed.append(stub_libs.stem(lib.name))
    assert "libx265" in stubbed
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    assert int(lines["codecs"]) > 100
    assert lines["mp3"] == lines["m4a"] == lines["opus"] == "1.0"
