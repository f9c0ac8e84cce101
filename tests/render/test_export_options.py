"""Export options and chapters files: parsing and refusal of impossible choices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from render.chapters import (
    Chapter,
    ChapterError,
    load_chapters,
    parse_chapters_text,
    parse_clock,
    resolve_ends,
)
from render.errors import ExportError
from render.export.options import ExportOptions, Loudness, format_for_path, parse_bitrate


@pytest.mark.parametrize(
    ("text", "bits"),
    [
        ("192k", 192_000),
        ("128K", 128_000),
        ("320 kbps", 320_000),
        ("192000", 192_000),
        ("96", 96_000),
    ],
)
def test_bitrates_parse(text: str, bits: int) -> None:
    assert parse_bitrate(text) == bits


@pytest.mark.parametrize("text", ["", "fast", "192x", "-1k"])
def test_bad_bitrates_are_refused(text: str) -> None:
    with pytest.raises(ExportError, match="bitrate"):
        parse_bitrate(text)


@given(st.integers(min_value=1, max_value=999))
def test_kilobit_forms_agree(kbps: int) -> None:
    assert parse_bitrate(f"{kbps}k") == parse_bitrate(str(kbps * 1000)) == kbps * 1000


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.mp3", "mp3"), ("b.WAV", "wav"), ("c.flac", "flac"), ("d.m4a", "m4a")]
)
def test_format_follows_the_extension(name: str, fmt: str) -> None:
    assert format_for_path(name) == fmt


def test_unknown_extension_names_the_file() -> None:
    with pytest.raises(ExportError, match=r"out\.ogg"):
        format_for_path("out.ogg")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"format": "mp3", "bitrate": 100_000},
        {"format": "mp3", "bit_depth": 24},
        {"format": "wav", "sample_rate": 96_000},
        {"format": "wav", "channels": 6},
        {"format": "ogg"},
        {"format": "m4a", "bitrate": 1_000},
    ],
)
def test_impossible_options_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ExportError):
        ExportOptions(**kwargs)  # type: ignore[arg-type]


def test_loudness_targets_are_bounded() -> None:
    with pytest.raises(ExportError):
        Loudness(target_lufs=3.0)
    with pytest.raises(ExportError):
        Loudness(true_peak_db=2.0)


def test_output_shape_defaults() -> None:
    opts = ExportOptions("mp3")
    assert opts.output_rate(48_000) == 48_000
    assert opts.output_rate(16_000) == 48_000  # MP3 delivery rates only
    assert ExportOptions("wav").output_rate(16_000) == 16_000
    assert opts.output_channels(1) == 1
    assert opts.output_channels(2) == 2
    assert ExportOptions("mp3", channels=1).output_channels(2) == 1


def test_podcasting_json_chapters(tmp_path: Path) -> None:
    path = tmp_path / "chapters.json"
    path.write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": 0, "title": "Intro"},
                    {"startTime": 65.5, "title": "News", "url": "https://example.org"},
                    {"startTime": 300, "endTime": 400, "title": "Outro"},
                ],
            }
        )
    )
    assert load_chapters(path) == [
        Chapter("Intro", 0.0),
        Chapter("News", 65.5, None, "https://example.org"),
        Chapter("Outro", 300.0, 400.0),
    ]


def test_text_chapters(tmp_path: Path) -> None:
    path = tmp_path / "chapters.txt"
    path.write_text("# show notes\n00:00:00 Intro\n\n1:05.5 News of the week\n1:02:03 - Outro\n")
    assert load_chapters(path) == [
        Chapter("Intro", 0.0),
        Chapter("News of the week", 65.5),
        Chapter("Outro", 3723.0),
    ]


@pytest.mark.parametrize(
    "text",
    [
        '{"version": "2.0", "chapters": []}',
        '{"chapters": [{"startTime": -1, "title": "x"}]}',
        '{"chapters": [{"startTime": "soon"}]}',
        '{"chapters": [{"startTime": 5, "endTime": 2}]}',
        "{not json",
        "Intro at the start\n",
        "00:61:00 Too many minutes\n",
    ],
)
def test_bad_chapters_name_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(ChapterError, match=r"bad\.txt"):
        load_chapters(path)


def test_missing_chapters_file(tmp_path: Path) -> None:
    with pytest.raises(ChapterError, match="no such file"):
        load_chapters(tmp_path / "nope.json")


def test_clock_parsing() -> None:
    assert parse_clock("1:02:03.25") == pytest.approx(3723.25)
    assert parse_clock("45") == 45.0


def test_ends_are_resolved_and_late_chapters_dropped() -> None:
    chapters = [Chapter("B", 10.0), Chapter("A", 0.0), Chapter("Late", 99.0)]
    resolved = resolve_ends(chapters, duration=50.0)
    assert [(c.title, c.start_seconds, end) for c, end in resolved] == [
        ("A", 0.0, 10.0),
        ("B", 10.0, 50.0),
    ]


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=4 * 3600 * 1000),
            st.text(
                alphabet=st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=30
            )
            .map(str.strip)
            .filter(lambda t: not t.startswith(("#", "-", "–", "|"))),  # separators
        ),
        max_size=20,
    )
)
def test_text_chapters_round_trip(entries: list[tuple[int, str]]) -> None:
    """What a user writes as ``H:MM:SS.mmm Title`` comes back as the same time and title."""
    lines = []
    for ms, title in entries:
        s, ms_part = divmod(ms, 1000)
        lines.append(f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}.{ms_part:03d} {title}")
    parsed = parse_chapters_text("\n".join(lines))
    assert [(round(c.start_seconds * 1000), c.title) for c in parsed] == [
        (ms, title.strip()) for ms, title in entries
    ]
