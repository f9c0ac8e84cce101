"""Tags and chapters read back with mutagen (and FFmpeg, for the MP3's gapless length)."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from mutagen import id3, mp4

from render.chapters import Chapter
from render.errors import ExportError
from render.export import ExportOptions, Tags, export
from render.export.tags import GENERATED_NOTE
from tests.render.export_fixtures import ArrayReader, decode, speechlike

CHAPTERS = [
    Chapter("Intro", 0.0),
    Chapter("Main", 2.5, url="https://example.org/x"),
    Chapter("Outro", 5.0),
    Chapter("After the end", 60.0),
]


def _png(path: Path, size: int = 8) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * size for _ in range(size))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


@pytest.fixture
def program() -> np.ndarray:
    return speechlike(6.0, 2)


def _tags(cover: Path, generated: bool = True) -> Tags:
    return Tags(
        title="Episode 12: Cuts",
        artist="The Show",
        album="Season 2",
        episode=12,
        cover=cover,
        comment="made with care",
        generated_content=generated,
    )


def test_mp3_id3_tags_and_chapters(tmp_path: Path, program: np.ndarray) -> None:
    cover = _png(tmp_path / "cover.png")
    out = tmp_path / "tagged.mp3"
    export(
        ArrayReader(program),
        out,
        ExportOptions("mp3", loudness=None, tags=_tags(cover)),
        chapters=CHAPTERS,
    )
    tag = id3.ID3(out)
    assert tag.version == (2, 3, 0)
    assert str(tag["TIT2"]) == "Episode 12: Cuts"
    assert str(tag["TPE1"]) == "The Show"
    assert str(tag["TALB"]) == "Season 2"
    assert str(tag["TRCK"]) == "12"
    (apic,) = tag.getall("APIC")
    assert apic.mime == "image/png" and apic.data == cover.read_bytes()
    assert apic.type == id3.PictureType.COVER_FRONT
    assert tag.getall("TXXX")[0].text == [GENERATED_NOTE]
    (toc,) = tag.getall("CTOC")
    assert toc.flags & id3.CTOCFlags.TOP_LEVEL and toc.flags & id3.CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    chaps = {c.element_id: c for c in tag.getall("CHAP")}
    got = [
        (str(chaps[i].sub_frames["TIT2"]), chaps[i].start_time, chaps[i].end_time)
        for i in toc.child_element_ids
    ]
    assert got == [("Intro", 0, 2500), ("Main", 2500, 5000), ("Outro", 5000, 6000)]
    assert chaps["chp1"].sub_frames.getall("WXXX")[0].url == "https://example.org/x"
    decoded, _ = decode(out)  # the tag rewrite kept the gapless header intact
    assert decoded.shape == program.shape


def test_m4a_tags_and_nero_chapters(tmp_path: Path, program: np.ndarray) -> None:
    cover = _png(tmp_path / "cover.png")
    out = tmp_path / "tagged.m4a"
    export(
        ArrayReader(program),
        out,
        ExportOptions("m4a", bitrate=128_000, loudness=None, tags=_tags(cover)),
        chapters=CHAPTERS,
    )
    audio = mp4.MP4(out)
    assert audio.tags is not None
    assert audio.tags["\xa9nam"] == ["Episode 12: Cuts"]
    assert audio.tags["\xa9ART"] == ["The Show"]
    assert audio.tags["\xa9alb"] == ["Season 2"]
    assert audio.tags["trkn"] == [(12, 0)]
    assert bytes(audio.tags["covr"][0]) == cover.read_bytes()
    assert GENERATED_NOTE in audio.tags["\xa9cmt"][0]
    assert [(c.title, round(c.start, 3)) for c in audio.chapters] == [
        ("Intro", 0.0),
        ("Main", 2.5),
        ("Outro", 5.0),
    ]
    decoded, _ = decode(out)  # inserting the atom kept the sample offsets right
    assert decoded.shape[0] >= program.shape[0]
    assert np.corrcoef(decoded[2048:40000, 0], program[2048:40000, 0])[0, 1] > 0.95


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="read back with ffprobe")
def test_m4a_has_a_quicktime_chapter_track_apple_reads(tmp_path: Path, program: np.ndarray) -> None:
    out = tmp_path / "chapters.m4a"
    export(ArrayReader(program), out, ExportOptions("m4a", loudness=None), chapters=CHAPTERS)
    probe = json.loads(
        subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_streams",
                "-show_chapters",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    kinds = [(s["codec_type"], s.get("codec_tag_string")) for s in probe["streams"]]
    assert ("data", "text") in kinds  # the QuickTime chapter track, referenced by the audio
    listed = [(c["tags"]["title"], round(float(c["start_time"]), 3)) for c in probe["chapters"]]
    assert listed == [("Intro", 0.0), ("Main", 2.5), ("Outro", 5.0)]
    audio = mp4.MP4(out)  # Nero chapters too, once (not duplicated by the tag writer)
    assert [c.title for c in audio.chapters] == ["Intro", "Main", "Outro"]


def test_a_long_m4a_chapter_title_is_cut_between_characters(
    tmp_path: Path, program: np.ndarray
) -> None:
    out = tmp_path / "long.m4a"
    chapters = [Chapter("é" * 200, 0.0), Chapter("Main", 2.5)]
    export(ArrayReader(program), out, ExportOptions("m4a", loudness=None), chapters=chapters)
    assert [c.title for c in mp4.MP4(out).chapters] == ["é" * 127, "Main"]  # 254 of 255 bytes


def test_untagged_mp3_still_has_no_stray_frames(tmp_path: Path, program: np.ndarray) -> None:
    out = tmp_path / "plain.mp3"
    export(ArrayReader(program), out, ExportOptions("mp3", loudness=None))
    tag = id3.ID3(out)
    assert not tag.getall("CTOC") and not tag.getall("TIT2") and not tag.getall("TXXX")


@pytest.mark.parametrize("content", [b"", b"GIF89a....", b"not an image"])
def test_bad_cover_fails_before_rendering(
    tmp_path: Path, program: np.ndarray, content: bytes
) -> None:
    cover = tmp_path / "cover.jpg"
    cover.write_bytes(content)
    out = tmp_path / "never.mp3"
    with pytest.raises(ExportError, match=r"cover\.jpg"):
        export(ArrayReader(program), out, ExportOptions("mp3", tags=Tags(cover=cover)))
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cover.jpg"]


def test_missing_cover(tmp_path: Path, program: np.ndarray) -> None:
    with pytest.raises(ExportError, match="cannot read cover"):
        export(
            ArrayReader(program),
            tmp_path / "x.mp3",
            ExportOptions("mp3", tags=Tags(cover=tmp_path / "none.png")),
        )
