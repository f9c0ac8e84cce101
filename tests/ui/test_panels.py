"""The side panels: filler review, pause shortening, tracks — each action one ordinary op (or a
track setting), undoable as one step, reflected in the EDL."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest


def _show(window: Any, panel: Any) -> None:
    window.panels.tabs.setCurrentWidget(panel)


def test_fillers_list_remove_one_and_all_as_one_undo(window: Any, qtbot: Any) -> None:
    panel = window.panels.fillers
    _show(window, panel)
    fillers = panel.fillers()
    assert len(fillers) >= 2 and panel.list.count() == len(fillers)
    assert panel.remove(fillers[0])
    assert window.controller.document.is_deleted(fillers[0])
    qtbot.waitUntil(lambda: panel.list.count() == len(fillers) - 1)  # once edits settle
    version = window.controller.version
    assert panel.remove_all()
    assert window.controller.version == version + 1  # one compound op
    qtbot.waitUntil(lambda: panel.list.count() == 0)
    assert not panel.remove_all_button.isEnabled()
    window.controller.undo()
    qtbot.waitUntil(lambda: panel.list.count() == len(fillers) - 1)  # all but the hand-cut one


def test_pauses_preview_then_one_undo(window: Any, qtbot: Any) -> None:
    panel = window.panels.pauses
    _show(window, panel)
    panel.longer.setValue(1.0)
    panel.to.setValue(0.3)
    assert "pauses to shorten" in panel.preview.text()
    before = window.transport.duration()
    saved = float(panel.preview.text().split("saving ")[1].split(" s")[0])
    assert panel.apply()
    after = window.transport.duration()
    assert before - after == pytest.approx(saved, abs=0.15)
    qtbot.waitUntil(lambda: "No pause is longer" in panel.preview.text())
    window.controller.undo()
    assert window.transport.duration() == pytest.approx(before, abs=1e-6)


def test_tracks_gain_and_mute_change_the_mix(window: Any) -> None:
    panel = window.panels.tracks
    track = window.project.tracks[0]
    assert panel.set_gain(track.id, -6.0)
    assert window.controller.edl().tracks[0].gain_db == -6.0
    assert window.ctx.store.track(window.project.id, track.id).gain_db == -6.0
    assert panel.set_mute(track.id, True)
    assert window.controller.edl().tracks[0].mute


def test_missing_media_locate(window: Any, tmp_path: Path) -> None:
    track = window.project.tracks[0]
    original = Path(track.record.media_path)
    moved = tmp_path / "moved.flac"
    shutil.copy(original, moved)
    other = tmp_path / "other.wav"
    other.write_bytes(b"not the same recording")
    panel = window.panels.tracks
    assert not panel.locate(track.id, other)  # refused: not the same recording
    assert Path(track.record.media_path) == original
    assert panel.locate(track.id, moved)
    assert Path(window.ctx.store.track(window.project.id, track.id).media_path) == moved
    assert str(window.controller.edl().tracks[0].path) == str(moved)
