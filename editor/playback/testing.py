"""A private PulseAudio null sink for proving what playback sounds like (tests, benchmark).

A null sink plays in real time and its monitor can be recorded with ``parec``, so a test can
play a programme through PortAudio (ALSA's ``pulse`` device, from Debian's
``libasound2-plugins``) and compare the recording with an export. The server is started with a
runtime folder of its own, so it never touches a user's sound setup, and is killed on exit.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from editor.errors import PlaybackError

SINK = "wordcut_null"


class NullSink:
    """A running PulseAudio with one null sink; ``server`` is its ``PULSE_SERVER`` value."""

    def __init__(self, runtime: Path, rate: int = 48000) -> None:
        self.runtime = runtime
        self.rate = rate
        self.server = f"unix:{runtime / 'native'}"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Start the daemon and wait until it answers; :class:`PlaybackError` if it cannot.

        It runs as a child that the kernel kills when this process dies (``PR_SET_PDEATHSIG``),
        so even a test killed by a timeout leaves no sound server behind.
        """
        for tool in ("pulseaudio", "pactl", "parec"):
            if shutil.which(tool) is None:
                raise PlaybackError(f"{tool} is not installed (Debian: pulseaudio-utils)")
        self.runtime.mkdir(parents=True, exist_ok=True)
        env = self.env()
        cmd = [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            f"--load=module-null-sink sink_name={SINK} rate={self.rate}",
            "--load=module-native-protocol-unix",
        ]
        log_path = self.runtime / "pulseaudio.log"
        with log_path.open("wb") as log:
            self._proc = subprocess.Popen(
                cmd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.poll() is not None:
                err = log_path.read_text(errors="replace")
                self._proc = None
                raise PlaybackError(f"pulseaudio would not start: {err.strip()[-300:]}")
            info = subprocess.run(["pactl", "info"], env=env, capture_output=True, timeout=5)
            if info.returncode == 0:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise PlaybackError("pulseaudio started but never answered")
            time.sleep(0.05)  # polling a daemon's readiness, not synchronising threads

    def env(self) -> dict[str, str]:
        return {**os.environ, "PULSE_RUNTIME_PATH": str(self.runtime), "PULSE_SERVER": self.server}

    @contextlib.contextmanager
    def recording(self, path: Path, channels: int = 2) -> Iterator[None]:
        """Record the sink's monitor as raw float32 into ``path`` while the block runs."""
        with path.open("wb") as out:
            rec = subprocess.Popen(
                [
                    "parec",
                    "-d",
                    f"{SINK}.monitor",
                    "--format=float32le",
                    f"--rate={self.rate}",
                    f"--channels={channels}",
                    "--raw",
                    "--latency-msec=20",
                ],
                stdout=out,
                env=self.env(),
            )
            try:
                yield
            finally:
                rec.send_signal(signal.SIGINT)
                try:
                    rec.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    rec.kill()
                    rec.wait()

    def stop(self) -> None:
        """Kill the daemon and wait until it is gone; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait(timeout=10)

    def __enter__(self) -> NullSink:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to kill it when its parent dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


def read_recording(path: Path, channels: int = 2) -> npt.NDArray[np.float32]:
    data = np.fromfile(path, dtype=np.float32)
    return data[: len(data) // channels * channels].reshape(-1, channels)


def align(recorded: npt.NDArray[np.float32], reference: npt.NDArray[np.float32]) -> int:
    """The offset ``d`` such that ``recorded[i] ≈ reference[i + d]`` (cross-correlation of the
    first channel, by FFT)."""
    a = recorded[:, 0].astype(np.float64)
    b = reference[:, 0].astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    xc = np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)
    lag = int(np.argmax(xc))
    return lag if lag < n - len(a) else lag - n


def compare_windows(
    heard: npt.NDArray[np.float32],
    reference: npt.NDArray[np.float32],
    rate: int = 48000,
    search_s: float = 1.0,
) -> tuple[int, int, int]:
    """``(windows equal, windows, offset jumps)`` over one-second windows of ``heard``.

    Each window is aligned on its own near the previous window's offset and counts as equal
    when its correlation with the reference is ≥ 0.999 and no sample differs by more than 1e-3.
    On a loaded machine the *recording* can lose audio (an ALSA xrun, a starved ``parec``),
    which moves every later window; counting windows instead of requiring one global offset
    tells that apart from audio that was wrong.
    """
    n = len(heard) // rate
    search = round(search_s * rate)
    offset = align(heard[: min(len(heard), 5 * rate)], reference)
    equal = jumps = 0
    for w in range(n):
        a = heard[w * rate : (w + 1) * rate]
        if float(np.abs(a).max()) < 0.01:
            equal += 1  # too quiet to align on: judged with its louder neighbours
            continue
        if _matches(a, reference, w * rate + offset):
            equal += 1
            continue
        lo = max(0, w * rate + offset - search)
        hi = min(len(reference), w * rate + offset + rate + search)
        if hi - lo < rate:
            break
        local = align(a, reference[lo:hi]) + lo - w * rate
        if local != offset:
            jumps += 1
            offset = local
        if _matches(a, reference, w * rate + offset):
            equal += 1
    return equal, n, jumps


def _matches(a: npt.NDArray[np.float32], reference: npt.NDArray[np.float32], start: int) -> bool:
    """``a`` equals ``reference[start:]``: correlation ≥ 0.999, no sample off by > 1e-3."""
    if start < 0 or start + len(a) > len(reference):
        return False
    x = a.astype(np.float64).ravel()
    y = reference[start : start + len(a)].astype(np.float64).ravel()
    return float(np.abs(x - y).max()) <= 1e-3 and float(np.corrcoef(x, y)[0, 1]) >= 0.999
