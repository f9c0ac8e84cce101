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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from editor.errors import PlaybackError
from editor.playback import DeviceLost, Ended, PlaybackStats, Player, PlayerEvent
from editor.playback.testing import NullSink, align, compare_windows, read_recording
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
    heard, stats = _play(sink, doc, edl, len(exported) / rate, tmp_path / "heard.raw")
    if stats.underruns:
        # the suite runs two workers on two cores: a neighbouring test can starve the feeder
        # thread for a moment. Play once more; a second dry ring is ours and fails the test.
        heard, stats = _play(sink, doc, edl, len(exported) / rate, tmp_path / "heard2.raw")
    assert stats.underruns == 0, stats  # the ring never ran dry: nothing of ours was late
    problem = _difference(heard, exported)
    if problem is None:
        return
    # The device itself reported underflows (ALSA xruns: a loaded machine did not run the audio
    # thread in time), so the *recording* lost audio and no single offset can fit it. Then
    # every one-second window must still equal the export, with at most one offset jump per
    # underflow (a wrong position after the edit would be a jump with no underflow to blame).
    assert stats.output_underflows > 0, f"{problem}; {stats}"
    equal, windows, jumps = compare_windows(heard, exported)
    assert jumps <= stats.output_underflows, (problem, equal, windows, jumps, stats)
    assert equal >= windows - 2 * jumps - 1, (problem, equal, windows, jumps, stats)


def _play(
    sink: NullSink, doc: Any, edl: Any, seconds: float, recording: Path
) -> tuple[np.ndarray, PlaybackStats]:
    """Play ``edl`` with an edit landing mid-play; the recording from the first sound on."""
    ended = threading.Event()
    events: list[PlayerEvent] = []

    def seen(event: PlayerEvent) -> None:
        events.append(event)
        if isinstance(event, Ended):
            ended.set()

    edited = programme.with_early_cut(doc)
    edited_edl = programme.edl_of(edited)
    with (
        sink.recording(recording),
        Player(edl, device="pulse", latency=0.1, splice_margin_s=0.04) as player,
    ):
        player.subscribe(seen)
        player.play()
        # An edit behind the playhead lands mid-play: program time shifts, the sound must not.
        swapped = False
        while not swapped and not ended.is_set():
            if player.position() > 6.0:
                player.set_edl(edited_edl, programme.words_of(edited, edited_edl))
                swapped = True
            ended.wait(0.05)
        assert ended.wait(seconds + 10), f"playback never ended: {events}"
        stats = player.stats()
    assert swapped
    heard = read_recording(recording)
    return heard[int(np.flatnonzero(np.abs(heard[:, 0]) > 1e-4)[0]) :], stats


def _difference(heard: np.ndarray, exported: np.ndarray, rate: int = 48_000) -> str | None:
    """What differs after one global alignment (``None``: correlation ≥ 0.999 and no sample
    off by more than 1e-3 FS, over all but the recorder's first and last 50 ms)."""
    offset = align(heard[: 5 * rate], exported)
    lo = max(0, -offset) + 2400
    n = min(len(heard) - lo, len(exported) - offset - lo) - 2400
    if n < len(exported) * 0.9:
        return "the recording lost too much of the programme"
    a = heard[lo : lo + n].astype(np.float64)
    b = exported[lo + offset : lo + offset + n].astype(np.float64)
    bad = np.flatnonzero(np.abs(a - b).max(axis=1) > 1e-3)
    corr = float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
    if len(bad) or corr < 0.999:
        where = f" from {bad[0] / rate:.3f} s of {n / rate:.1f}" if len(bad) else ""
        return f"heard differs from the export{where} (correlation {corr:.6f})"
    return None


def test_a_vanishing_device_is_an_event_and_playback_resumes_elsewhere(
    sink: NullSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kill the sound server mid-play: one DeviceLost, no crash, the playhead kept; a new
    server appears and ``set_device`` carries on from there."""
    _, edl = programme.build(19.0)
    lost = threading.Event()
    events: list[PlayerEvent] = []

    def seen(event: PlayerEvent) -> None:
        events.append(event)
        if isinstance(event, DeviceLost):
            lost.set()

    with Player(edl, device="pulse", latency=0.1) as player:
        player.subscribe(seen)
        player.play()
        _until(lambda: player.position() >= 0.5)
        sink.stop()
        assert lost.wait(10), events
        assert [type(e) for e in events] == [DeviceLost]
        player._sync()
        kept = player.position()
        assert not player.playing and kept >= 0.5
        with pytest.raises(PlaybackError, match="gone"):
            player.play()
        again = NullSink(tmp_path / "pulse-again")
        again.start()
        try:
            monkeypatch.setenv("PULSE_SERVER", again.server)
            player.set_device("pulse")
            assert player.position() == pytest.approx(kept, abs=0.01)
            player.play()
            calls = player.stats().callbacks
            _until(lambda: player.stats().callbacks >= calls + 50)
            assert player.playing
        finally:
            player.close()
            again.stop()


def _until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait for ``condition`` (polled every 20 ms); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for playback"
        threading.Event().wait(0.02)
