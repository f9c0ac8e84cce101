"""What is heard equals what is exported: a real programme played through PortAudio into a
PulseAudio null sink (started here, killed after), recorded from its monitor, aligned and
compared with ``wordcut render`` of the same EDL to WAV — with an edit landing mid-play.

The machine running the suite is small and shared, so the stream asks for 100 ms of device
latency and a 40 ms splice margin: this test proves *what* is heard, the benchmark measures
*how soon* at the default settings."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from editor.playback import Ended, Player, PlayerEvent
from editor.playback.testing import NullSink, align, read_recording
from render import edl as edl_mod
from tests.playback import programme

pytestmark = pytest.mark.skipif(not programme.available(), reason="shared speech data missing")


def test_captured_playback_equals_the_export(sink: NullSink, tmp_path: Path) -> None:
    doc, edl = programme.build(19.0)
    edl_path = tmp_path / "programme.edl.json"
    edl_mod.save(edl, edl_path)
    wav = tmp_path / "export.wav"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "editor.cli",
            "render",
            str(edl_path),
            str(wav),
            "--no-loudness",
            "--bit-depth",
            "24",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    exported, rate = sf.read(wav, dtype="float32", always_2d=True)
    assert rate == 48_000

    ended = threading.Event()
    events: list[PlayerEvent] = []

    def seen(event: PlayerEvent) -> None:
        events.append(event)
        if isinstance(event, Ended):
            ended.set()

    recording = tmp_path / "heard.raw"
    edited = programme.with_early_cut(doc)
    edited_edl = programme.edl_of(edited)
    with (
        sink.recording(recording),
        Player(edl, device="pulse", latency=0.1, splice_margin_s=0.04) as player,
    ):
        player.subscribe(seen)
        player.play()
        # An edit behind the playhead lands mid-play: program time shifts, the sound must not.
        swapped = threading.Event()
        while not swapped.is_set() and not ended.is_set():
            if player.position() > 6.0:
                player.set_edl(edited_edl, programme.words_of(edited, edited_edl))
                swapped.set()
            ended.wait(0.05)
        assert ended.wait(len(exported) / rate + 10), f"playback never ended: {events}"
        stats = player.stats()
    assert swapped.is_set()
    heard = read_recording(recording)
    start = int(np.flatnonzero(np.abs(heard[:, 0]) > 1e-4)[0])
    heard = heard[start:]
    offset = align(heard[: 5 * rate], exported)
    lo = max(0, -offset) + 2400  # skip the recorder's first 50 ms
    n = min(len(heard) - lo, len(exported) - offset - lo) - 2400
    assert n > len(exported) * 0.9, "the recording lost too much of the programme"
    a = heard[lo : lo + n].astype(np.float64)
    b = exported[lo + offset : lo + offset + n].astype(np.float64)
    diff = np.abs(a - b).max(axis=1)
    bad = np.flatnonzero(diff > 1e-3)
    where = f"first difference at {bad[0] / rate:.3f} s of {n / rate:.1f}" if len(bad) else ""
    gain = float(np.dot(a.ravel(), b.ravel()) / np.dot(a.ravel(), a.ravel()))
    assert gain == pytest.approx(1.0, abs=0.02), (where, stats)
    corr = float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
    worst = float(np.abs(a * gain - b).max())
    assert corr >= 0.999, (corr, stats)
    assert worst <= 1e-3, (worst, stats)
    assert stats.underruns == 0
