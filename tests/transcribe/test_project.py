"""Two tracks through the real store, media cache and document, with the fake tone engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile

from editor.cli import main
from editor.project import open_project
from editor.store import open_store
from editor.transcribe.audio import CacheSource
from editor.transcribe.job import JobConfig
from editor.transcribe.project import transcribe_tracks
from tests.transcribe.fakes import RATE, word_track


def test_two_tracks_merge_by_time_and_bleed_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORDCUT_HOME", str(tmp_path / "home"))
    host, host_truth = word_track(12, seed=1)
    guest = 0.3 * host  # the host, heard 10 dB down on the guest's microphone
    own, own_truth = word_track(6, seed=2)
    start = len(host) + RATE
    both = np.zeros(start + len(own), np.float32)
    both[: len(guest)] = guest
    both[start:] += own
    host = np.concatenate([host, np.zeros(len(both) - len(host), np.float32)])
    soundfile.write(tmp_path / "host.wav", host, RATE)
    soundfile.write(tmp_path / "guest.wav", both, RATE)
    assert main(["new", "show"]) == 0
    assert main(["import", "show", str(tmp_path / "host.wav"), str(tmp_path / "guest.wav")]) == 0

    passes: list[str] = []  # whole-track reads of the cache (each one decodes it all again)
    blocks = CacheSource.blocks

    def counted(self: CacheSource, seconds: float) -> Iterator[npt.NDArray[np.float32]]:
        passes.append(self.ident)
        return blocks(self, seconds)

    monkeypatch.setattr(CacheSource, "blocks", counted)
    store = open_store()
    try:
        project = open_project(store, "show")
        config = JobConfig(None, factory="tests.transcribe.fakes:tone_engine", chunk_seconds=8.0)
        seen: list[str] = []
        results = transcribe_tracks(
            project,
            project.tracks,
            config,
            progress=lambda label, p: seen.append(label),
            cancel=lambda: False,
        )
        assert {r.label for r in results} == {"host", "guest"} and set(seen) == {"host", "guest"}
        words = project.document.words
        by_speaker = {s: [w.text for w in words if w.speaker == s] for s in ("host", "guest")}
        assert by_speaker["host"] == [t for t, _, _ in host_truth]
        assert by_speaker["guest"] == [t for t, _, _ in own_truth]  # the bleed was dropped
        starts = [w.start for w in words]
        assert starts == sorted(starts)
        assert all(t.transcription_status == "completed" for t in store.tracks(project.id))
        assert len(passes) == len(set(passes)) == 2  # one envelope per track, shared by all stages
        project.close()
    finally:
        store.close()
