"""Playback: how soon it sounds, how steady it stays while edits land, and whether what is heard
is what export writes — played for real through PortAudio into a private PulseAudio null sink.

Everything runs at the player's default settings (256-frame buffers, 30 ms asked latency,
10 ms splice margin) on a programme derived from a document, like a project's: ~60 s of the
sonnets recording with ~20 cuts, a shortened pause and an overdub clip. Reported:

1. **play → first sample**: from ``play()`` (paused, stream open) to the callback that first
   copies the new audio, plus the stream's reported output latency; and **seek → audio** while
   playing, to the callback that carries the sought frame (position inside the buffer included).
2. **capture = export**: the whole programme played with three edits landing behind the
   playhead (program time shifts, the sound must not), recorded from the sink's monitor,
   aligned and compared with ``wordcut render`` of the EDL to WAV.
3. **under load**: ``--edits`` random edits (strike or restore a word anywhere, re-derive,
   ``set_edl``) during ``--seconds`` of playback, with a WAV export looping in another process
   and the main thread doing 50 ms bursts of pure Python every 100 ms: ring underruns, the
   device's own underflow flags, callback p50/p99 against the buffer's duration.
4. **switch interval**: the bursts alone for ``--switch-seconds``, at the interpreter's default
   5 ms and at the 1 ms the player sets while playing: how late a thread that wakes every
   buffer gets the GIL back (the callback's situation, without the device's own noise).

Usage: ``.venv/bin/python bench/bench_playback.py [--seconds 60] [--edits 100]``
(quick: ``--seconds 15 --edits 25 --switch-seconds 5 --runs 5``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.playback import Ended, Player, PlayerEvent  # noqa: E402
from editor.playback.priority import CALLBACK_PRIORITY, make_realtime  # noqa: E402
from editor.playback.testing import (  # noqa: E402
    NullSink,
    align,
    compare_windows,
    read_recording,
)
from render import edl as edl_mod  # noqa: E402
from sync.document import Document  # noqa: E402
from sync.ops import Delete, Restore  # noqa: E402
from tests.playback import programme  # noqa: E402

RATE = 48_000


def _wait(cond: object, timeout: float = 5.0) -> bool:
    deadline = time.perf_counter() + timeout
    while not cond():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            return False
        time.sleep(0.0002)
    return True


def _steady(player: Player, seconds: float = 0.5, timeout: float = 10.0) -> None:
    """Wait until the stream has called back without a gap over 50 ms for ``seconds`` (a new
    PulseAudio stream stalls once, for up to a few seconds, while its sink wakes)."""
    cb = player._callback
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        c0 = cb.calls
        time.sleep(seconds)
        c1 = cb.calls
        n = min(c1 - c0, len(cb.starts) - 1)
        if n < 2:
            continue
        starts = np.array([cb.starts[c % len(cb.starts)] for c in range(c1 - n, c1)])
        if np.diff(starts).max() < 0.05:
            return


def _first_call_past(player: Player, calls_before: int, index: int) -> tuple[float, int] | None:
    """(start time, frames into its buffer) of the first callback after ``calls_before`` whose
    read went past ring ``index``."""
    cb = player._callback
    history = len(cb.starts)
    for c in range(calls_before, cb.calls):
        if cb.read_after[c % history] > index:
            before = cb.read_after[(c - 1) % history] if c > 0 else 0
            return float(cb.starts[c % history]), max(0, index - int(before))
    return None


def latencies(player: Player, runs: int, rng: random.Random) -> tuple[list[float], list[float]]:
    latency = player.stats().latency_s
    plays, seeks = [], []
    for _ in range(runs):
        player.pause()
        _wait(lambda: not player.playing and player._ring.available() == 0)
        player.seek(rng.uniform(2.0, player.duration - 10.0))
        player._sync()
        time.sleep(0.05)
        ring, cb = player._ring, player._callback
        r0, c0 = ring.read_index, cb.calls
        t0 = time.perf_counter()
        player.play()
        if _wait(lambda r0=r0, ring=ring: ring.read_index > r0):
            hit = _first_call_past(player, c0, r0)
            if hit is not None:
                plays.append(hit[0] - t0 + latency)
        time.sleep(0.3)
        feeder = player._feeder
        s0, c0 = feeder.splices, cb.calls
        t0 = time.perf_counter()
        player.seek(rng.uniform(2.0, player.duration - 10.0))
        if _wait(lambda s0=s0, feeder=feeder: feeder.splices > s0):
            k = feeder.splice[0]
            if _wait(lambda k=k, ring=ring: ring.read_index > k):
                hit = _first_call_past(player, c0, k)
                if hit is not None:
                    seeks.append(hit[0] + hit[1] / player.device_rate - t0 + latency)
        time.sleep(0.2)
    player.pause()
    return plays, seeks


def _p90(values: list[float]) -> float:
    return float(np.percentile(values, 90))


def _burst(seconds: float) -> None:
    end = time.perf_counter() + seconds
    x = 0
    while time.perf_counter() < end:
        x += 1


def capture(sink: NullSink, folder: Path, doc: Document, speech: Path) -> dict[str, float]:
    edl = programme.edl_of(doc, speech)
    edl_path = folder / "capture.edl.json"
    edl_mod.save(edl, edl_path)
    wav = folder / "capture.wav"
    subprocess.run(
        [sys.executable, "-m", "editor.cli", "render", str(edl_path), str(wav),
         "--no-loudness", "--bit-depth", "24", "--quiet"],
        check=True, cwd=ROOT,
    )  # fmt: skip
    exported, _ = sf.read(wav, dtype="float32", always_2d=True)
    ended = threading.Event()
    recording = folder / "capture.raw"
    edited = doc
    # What is heard is the question here, not how soon: the device gets the test's 100 ms of
    # latency, which rides out a loaded machine (at 30 ms each ALSA xrun costs a ~2 s stall).
    with sink.recording(recording), Player(edl, latency=0.1, splice_margin_s=0.04) as player:
        player.subscribe(lambda e: ended.set() if isinstance(e, Ended) else None)
        _steady(player)
        player.play()
        for at in (10.0, 25.0, 40.0):
            while player.position() < at and not ended.is_set():
                time.sleep(0.05)
            edited = programme.with_early_cut(edited)
            new = programme.edl_of(edited, speech)
            player.set_edl(new, programme.words_of(edited, new))
        ended.wait(len(exported) / RATE + 10)
        stats = player.stats()
    heard = read_recording(recording)[:, : exported.shape[1]]  # a mono programme is upmixed
    heard = heard[int(np.flatnonzero(np.abs(heard[:, 0]) > 1e-4)[0]) :]
    offset = align(heard[: 5 * RATE], exported)
    lo = max(0, -offset) + 2400
    n = min(len(heard) - lo, len(exported) - offset - lo) - 2400
    a = heard[lo : lo + n].astype(np.float64)
    b = exported[lo + offset : lo + offset + n].astype(np.float64)
    equal, windows, jumps = compare_windows(heard, exported)
    return {
        "windows_equal": equal,
        "windows": windows,
        "jumps": jumps,
        "seconds": n / RATE,
        "programme": len(exported) / RATE,
        "correlation": float(np.corrcoef(a.ravel(), b.ravel())[0, 1]),
        "worst": float(np.abs(a - b).max()),
        "underruns": stats.underruns,
        "underflows": stats.output_underflows,
    }


def under_load(
    doc: Document, speech: Path, folder: Path, seconds: float, edits: int, rng: random.Random
) -> dict[str, float]:
    edl = programme.edl_of(doc, speech)
    long_edl = folder / "export-load.edl.json"
    edl_mod.save(edl, long_edl)
    stop = threading.Event()

    def exporter() -> None:
        while not stop.is_set():
            subprocess.run(
                [sys.executable, "-m", "editor.cli", "render", str(long_edl),
                 str(folder / "load.wav"), "--no-loudness", "--quiet"],
                cwd=ROOT, capture_output=True,
            )  # fmt: skip

    worker = threading.Thread(target=exporter, daemon=True)
    worker.start()
    events: list[PlayerEvent] = []
    ids = [w.id for w in doc.words]
    doc = Document.from_snapshot(doc.snapshot())
    swap_ms: list[float] = []
    with Player(edl, words=programme.words_of(doc, edl)) as player:
        _steady(player)
        player.subscribe(events.append)
        player.loop(0.0, player.duration - 1.0)
        player.play()
        start = time.perf_counter()
        next_edit = start
        done = 0
        while time.perf_counter() - start < seconds:
            _burst(0.05)
            now = time.perf_counter()
            if done < edits and now >= next_edit:
                wid = rng.choice(ids)
                op = Restore(wid, wid) if doc.is_deleted(wid) else Delete(wid, wid)
                doc.apply(op)
                t0 = time.perf_counter()
                new = programme.edl_of(doc, speech)
                player.set_edl(new, programme.words_of(doc, new))
                swap_ms.append((time.perf_counter() - t0) * 1000)
                done += 1
                next_edit += seconds / edits
            time.sleep(0.05)
        stats = player.stats()
    stop.set()
    worker.join()
    return {
        "edits": done,
        "underruns": stats.underruns,
        "underflows": stats.output_underflows,
        "p50_ms": stats.callback_p50_s * 1000,
        "p99_ms": stats.callback_p99_s * 1000,
        "buffer_ms": stats.buffer_s * 1000,
        "set_edl_ms": statistics.median(swap_ms) if swap_ms else 0.0,
        "failures": sum(1 for e in events if not isinstance(e, Ended)),
    }


def switch_interval(seconds: float, interval: float) -> dict[str, float]:
    """How late a thread that wakes every buffer (as PortAudio's callback thread does, needing
    the GIL) gets the interpreter back while the main thread runs 50 ms bursts of Python."""
    saved = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    late: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        make_realtime(CALLBACK_PRIORITY)  # as the player's callback thread: OS noise aside
        period = 256 / RATE
        while not stop.is_set():
            t = time.perf_counter()
            time.sleep(period)
            late.append(time.perf_counter() - t - period)

    thread = threading.Thread(target=probe)
    thread.start()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        _burst(0.05)
        time.sleep(0.05)
    stop.set()
    thread.join()
    sys.setswitchinterval(saved)
    lateness = np.array(late)
    return {
        "p99_ms": float(np.percentile(lateness, 99) * 1000),
        "max_ms": float(lateness.max() * 1000),
        "over_latency": int(np.count_nonzero(lateness > 0.03)),
        "wakes": len(lateness),
    }


def _report_latencies(edl: object, runs: int, rng: random.Random) -> None:
    with Player(edl) as player:  # type: ignore[arg-type]
        _steady(player)
        plays, seeks = latencies(player, runs, rng)
        latency = player.stats().latency_s
    print(
        f"play -> first sample (incl. {latency * 1000:.1f} ms output latency): "
        f"median {statistics.median(plays) * 1000:.1f} ms, p90 {_p90(plays) * 1000:.1f} ms, "
        f"max {max(plays) * 1000:.1f} ms (n={len(plays)})"
    )
    print(
        f"seek -> audio: median {statistics.median(seeks) * 1000:.1f} ms, "
        f"p90 {_p90(seeks) * 1000:.1f} ms, max {max(seeks) * 1000:.1f} ms (n={len(seeks)})"
    )


REFERENCE_STREAM = """
import sys, time, sounddevice as sd
flags = [0, 0]
def cb(out, frames, t, status):
    out.fill(0)
    flags[0] += 1
    if status.output_underflow:
        flags[1] += 1
with sd.OutputStream(samplerate=48000, blocksize=256, channels=1, dtype="float32",
                     latency=0.03, callback=cb, device="pulse"):
    time.sleep(float(sys.argv[1]))
print(flags[0], flags[1])
"""
"""A bare stream in its own process, same buffer and latency, callback only zero-fills: the
device underflows it sees are the machine's (scheduling), not the player's."""


def _reference_underflows(seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", REFERENCE_STREAM, str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _report_load(
    doc: Document, speech: Path, folder: Path, seconds: float, edits: int, rng: random.Random
) -> None:
    reference = _reference_underflows(seconds + 2.0)
    load = under_load(doc, speech, folder, seconds, edits, rng)
    out, _ = reference.communicate(timeout=60)
    calls, underflows = (int(x) for x in out.split()) if out.strip() else (0, -1)
    print(
        f"under load ({load['edits']} edits in {seconds:g} s, export + 50 ms bursts): "
        f"underruns {load['underruns']}, device underflows {load['underflows']}, "
        f"callback p50 {load['p50_ms']:.3f} ms p99 {load['p99_ms']:.3f} ms of a "
        f"{load['buffer_ms']:.2f} ms buffer ({load['p99_ms'] / load['buffer_ms'] * 100:.1f} %), "
        f"set_edl (derive + open) median {load['set_edl_ms']:.1f} ms, "
        f"failure events {load['failures']}; reference bare stream alongside: "
        f"device underflows {underflows} in {calls} callbacks"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--runs", type=int, default=15, help="play/seek latency samples")
    parser.add_argument("--switch-seconds", type=float, default=15.0)
    parser.add_argument("--skip-capture", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument(
        "--decode",
        action="store_true",
        help="play the 16 kHz originals (decoded and resampled at play time) instead of "
        "48 kHz PCM like the import cache",
    )
    args = parser.parse_args()
    if not programme.available():
        print("the shared speech data is missing", file=sys.stderr)
        return 1
    rng = random.Random(9)
    with tempfile.TemporaryDirectory() as tmp, NullSink(Path(tmp) / "pulse") as sink:
        os.environ["PULSE_SERVER"] = sink.server
        os.environ["PULSE_RUNTIME_PATH"] = str(sink.runtime)
        folder = Path(tmp)
        if args.decode:
            speech, clip = programme.LONG_SPEECH, programme.CLIP
        else:  # the material as the project's import cache holds it: PCM at the project rate
            speech = programme.at_project_rate(programme.LONG_SPEECH, folder / "speech.wav")
            clip = programme.at_project_rate(programme.CLIP, folder / "clip.wav")
        doc, edl = programme.build(68.0, speech=speech, clip=clip)
        print(f"programme: {len(edl.segments)} segments, load average {os.getloadavg()[0]:.1f}")
        if not args.skip_latency:
            _report_latencies(edl, args.runs, rng)
        if not args.skip_capture:
            cap = capture(sink, folder, doc, speech)
            print(
                f"capture vs export (100 ms latency): {cap['seconds']:.1f} s of "
                f"{cap['programme']:.1f} s compared, correlation {cap['correlation']:.6f}, "
                f"worst sample {cap['worst']:.2e} FS; one-second windows equal "
                f"{cap['windows_equal']}/{cap['windows']} ({cap['jumps']} offset jumps); "
                f"underruns {cap['underruns']}, device underflows {cap['underflows']}"
            )
        if not args.skip_load:
            _report_load(doc, speech, folder, args.seconds, args.edits, rng)
        for interval in (0.005, 0.001, 0.005, 0.001) if args.switch_seconds > 0 else ():
            r = switch_interval(args.switch_seconds, interval)
            print(
                f"switch interval {interval * 1000:g} ms (50 ms bursts on the main thread): a "
                f"5.3 ms waker is late by p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms; "
                f"later than the 30 ms device latency {r['over_latency']} times in {r['wakes']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
