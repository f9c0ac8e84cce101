"""``render.media.probe`` and ``MediaInfo``: what a file is, before anything is decoded."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from render.errors import MediaError
from render.media import MediaInfo, probe, sha256_file
from tests.render.test_media_import import encode, tone, write_wav


def test_probe_describes_an_mp3(tmp_path: Path) -> None:
    src = encode(tmp_path / "a.mp3", tone(2.0, 44100, 2), 44100)
    info = probe(src)
    assert (info.codec, info.container, info.sample_rate, info.channels) == ("mp3", "mp3", 44100, 2)
    assert info.duration == pytest.approx(2.0, abs=0.05)
    assert info.frames == round(info.duration * 44100)
    assert info.size == src.stat().st_size
    assert info.sha256 == hashlib.sha256(src.read_bytes()).hexdigest() == sha256_file(src)
    assert info.bit_rate == 128_000 and not info.lossless and info.warnings == ()


def test_probe_describes_a_wav_and_can_skip_the_hash(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "b.wav", tone(0.5, 16000, 1), 16000, subtype="PCM_24")
    info = probe(src, hash=False)
    assert info.sha256 == ""
    assert (info.codec, info.container, info.sample_rate, info.channels) == (
        "pcm_s24le",
        "wav",
        16000,
        1,
    )
    assert info.frames == 8000 and info.lossless and info.sample_format == "s32"


def test_probe_accepts_str_paths(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "c.wav", tone(0.1, 8000, 1), 8000)
    assert probe(str(src)).path == src


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="file permissions are not enforced for root (or on this platform)",
)
def test_unreadable_file_is_a_media_error(tmp_path: Path) -> None:
    src = write_wav(tmp_path / "d.wav", tone(0.1, 8000, 1), 8000)
    src.chmod(0)
    try:
        with pytest.raises(MediaError, match="cannot be read"):
            probe(src)
    finally:
        src.chmod(0o644)


infos = st.builds(
    MediaInfo,
    path=st.text(min_size=1, max_size=20).filter(lambda s: "\x00" not in s).map(Path),
    size=st.integers(0, 2**40),
    sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
    codec=st.text(max_size=10),
    container=st.text(max_size=10),
    sample_rate=st.integers(1, 384000),
    channels=st.integers(1, 64),
    duration=st.floats(0, 1e6, allow_nan=False),
    frames=st.none() | st.integers(0, 2**40),
    bit_rate=st.none() | st.integers(1, 10**7),
    sample_format=st.sampled_from(["s16", "fltp", "s32"]),
    lossless=st.booleans(),
    warnings=st.lists(st.text(max_size=30), max_size=3).map(tuple),
)


@given(infos)
def test_media_info_survives_json(info: MediaInfo) -> None:
    assert MediaInfo.from_dict(json.loads(json.dumps(info.to_dict()))) == info


def test_a_truncated_mp3_is_refused_or_described_with_a_warning(tmp_path: Path) -> None:
    whole = encode(tmp_path / "whole.mp3", tone(6.0, 44100, 2), 44100)
    assert probe(whole).warnings == ()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    with pytest.raises(MediaError, match=r"cut\.mp3: file looks truncated: it holds 2\.\d s"):
        probe(cut)
    damaged = probe(cut, allow_damaged=True)
    assert damaged.warnings and "truncated" in damaged.warnings[0]
    assert probe(cut, hash=False).warnings == ()  # the quick look skips the check


def test_joined_mp3s_are_not_mistaken_for_truncated_ones(tmp_path: Path) -> None:
    a = encode(tmp_path / "a.mp3", tone(1.0, 44100, 2), 44100)
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(a.read_bytes() * 3)  # longer than its first header says: not truncated
    assert probe(joined).warnings == ()
