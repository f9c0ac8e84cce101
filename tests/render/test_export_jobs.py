"""Export as a long job: progress, cancel at any point, failures leave nothing behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from render.edl import Edl, EdlTrack, SourceRange
from render.errors import Cancelled, EdlError, ExportError, MediaError
from render.export import ExportOptions, Loudness, export
from render.export import mp3 as mp3_module
from render.export.program import Block
from tests.render.export_fixtures import RATE, ArrayReader, cut_edl, speechlike, write_source

FORMATS = ["mp3", "wav", "flac", "m4a"]


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


class CancelAfter:
    """Says "stop" on the n-th poll: a deterministic cancel at a chosen point of the job."""

    def __init__(self, polls: int) -> None:
        self.polls = polls
        self.calls = 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.calls >= self.polls


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("polls", [1, 3, 8])
@pytest.mark.parametrize("loudness", [None, Loudness()])
def test_cancel_leaves_no_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
    polls: int,
    loudness: Loudness | None,
) -> None:
    monkeypatch.setattr(mp3_module, "MIN_SPAN_SECONDS", 1)  # helper threads are running too
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    existing = out_dir / f"episode.{fmt}"
    existing.write_bytes(b"previous render")
    cancel = CancelAfter(polls)
    with pytest.raises(Cancelled):
        export(
            ArrayReader(speechlike(20.0)),
            existing,
            ExportOptions(fmt, loudness=loudness),
            cancel=cancel,
        )
    assert _listing(out_dir) == [f"episode.{fmt}"]  # no temp files, no spool files
    assert existing.read_bytes() == b"previous render"  # the old file is untouched


@pytest.mark.parametrize("fmt", FORMATS)
def test_progress_rises_to_the_total(tmp_path: Path, fmt: str) -> None:
    seen: list[tuple[int, int]] = []
    export(
        ArrayReader(speechlike(3.0)),
        tmp_path / f"p.{fmt}",
        ExportOptions(fmt),
        progress=lambda done, total: seen.append((done, total)),
    )
    totals = {t for _, t in seen}
    assert len(totals) == 1
    dones = [d for d, _ in seen]
    assert dones == sorted(dones)
    assert dones[-1] == totals.pop()


class FailingReader(ArrayReader):
    """Fails when a read reaches ``fail_at`` (a source vanishing mid-render), in any clone."""

    def __init__(self, data: Block, fail_at: int) -> None:
        super().__init__(data)
        self.fail_at = fail_at

    def read(self, start: int, count: int) -> Block:
        if start + count > self.fail_at:
            raise MediaError("host.wav", "the file was truncated while rendering")
        return super().read(start, count)

    def clone(self) -> ArrayReader:
        self.clones += 1
        return FailingReader(self.data, self.fail_at)


@pytest.mark.parametrize("where", ["main span", "helper span"])
def test_failure_in_any_span_is_raised_once_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setattr(mp3_module, "MIN_SPAN_SECONDS", 1)
    data = speechlike(6.0)
    fail_at = RATE if where == "main span" else len(data) - RATE
    reader = FailingReader(data, fail_at)
    with pytest.raises(MediaError, match="truncated"):
        export(reader, tmp_path / "x.mp3", ExportOptions("mp3", loudness=None, threads=2))
    assert reader.clones == 1
    assert _listing(tmp_path) == []


def test_range_outside_the_source_writes_nothing(tmp_path: Path) -> None:
    source = write_source(tmp_path, 3.0)
    edl = Edl(RATE, (EdlTrack(source),), (SourceRange(0.0, 1.0), SourceRange(2.0, 9.0)))
    with pytest.raises(EdlError, match="after the end"):
        export(edl, tmp_path / "x.wav")
    assert _listing(tmp_path) == ["host.wav"]


def test_missing_output_folder(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export(ArrayReader(speechlike(1.0)), tmp_path / "no" / "x.mp3")


def test_empty_program(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="empty"):
        export(ArrayReader(np.zeros((0, 2), np.float32)), tmp_path / "x.wav")
    assert _listing(tmp_path) == []


def test_edl_is_read_through_the_real_reader_and_closed(tmp_path: Path) -> None:
    source = write_source(tmp_path, 4.0)
    result = export(cut_edl(source, 4.0), tmp_path / "ok.flac")
    assert result.path.exists() and result.frames > 0
    source.unlink()  # nothing holds the source open after export (Windows would refuse)
