"""A look-ahead true-peak limiter: FFmpeg's ``alimiter``, then an inter-sample guard.

Loudness normalisation raises quiet programs by many dB, and speech has peaks; without a
limiter the loud syllables would clip. ``alimiter`` is a proven look-ahead limiter; this wrapper
fixes the options that matter for a transparent export (no auto-levelling, delay compensated so
the output lines up with the input) and guarantees the caller gets back exactly as many frames
as it put in, which is what keeps the export's length equal to the EDL's.

``alimiter`` limits *sample* peaks, with a musical release. Inter-sample (true) peaks of bright
material sit up to several dB above them (measured: +3.6 dB on pink noise), so its output goes
through :class:`render.export.truepeak.InterSampleGuard`, which reconstructs the signal 8x
oversampled and lowers the gain smoothly around each remaining over. Together they hold the
ceiling on the *true* peak, for any input, with the length exact.
"""

from __future__ import annotations

import av
import numpy as np
import numpy.typing as npt

from render.errors import ExportError
from render.export.truepeak import InterSampleGuard

TRUE_PEAK_MARGIN_DB = 0.1
"""Headroom between the guard's 8x reconstruction and a 4x BS.1770 meter's reading (the guard
reads at or above such a meter; the margin covers the gain ramps' own tiny overshoot)."""

ATTACK_MS = 5.0
RELEASE_MS = 60.0


def ceiling_for_true_peak(true_peak_db: float) -> float:
    """The linear ceiling handed to the limiter for a true-peak target of ``true_peak_db``."""
    return float(10.0 ** ((true_peak_db - TRUE_PEAK_MARGIN_DB) / 20.0))


class Limiter:
    """Streaming true-peak limiter; ``process`` may return fewer frames than given, ``flush``
    the rest. ``ceiling`` is linear and applies to the true (inter-sample) peak."""

    def __init__(self, sample_rate: int, channels: int, ceiling: float) -> None:
        self.channels = channels
        self.sample_rate = sample_rate
        layout = "mono" if channels == 1 else "stereo"
        self._layout = layout
        graph = av.filter.Graph()
        src = graph.add_abuffer(sample_rate=sample_rate, format="flt", layout=layout)
        limit = min(1.0, max(0.0625, ceiling))
        lim = graph.add(
            "alimiter",
            f"limit={limit:.6f}:attack={ATTACK_MS}:release={RELEASE_MS}:level=0:latency=1",
        )
        fmt = graph.add("aformat", f"sample_fmts=flt:channel_layouts={layout}")
        sink = graph.add("abuffersink")
        src.link_to(lim)
        lim.link_to(fmt)
        fmt.link_to(sink)
        graph.configure()
        self._graph = graph
        self._guard = InterSampleGuard(sample_rate, channels, ceiling)
        self._pts = 0
        self._in = 0
        self._out = 0

    def process(self, block: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Feed ``block`` (frames, channels); return whatever limited audio is ready."""
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block, dtype=np.float32).reshape(1, -1),
            format="flt",
            layout=self._layout,
        )
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts
        self._pts += block.shape[0]
        self._in += block.shape[0]
        self._graph.push(frame)
        return self._guard.process(self._drain())

    def flush(self) -> npt.NDArray[np.float32]:
        """End of input: return the remaining frames so the total equals what went in."""
        self._graph.push(None)
        tail = self._drain()
        missing = self._in - self._out
        if missing > 0:  # alimiter kept part of its look-ahead; silence instead would be wrong
            raise ExportError(f"limiter lost {missing} frames at flush")
        if missing < 0:
            tail = tail[: tail.shape[0] + missing]
            self._out += missing
        guarded = self._guard.process(tail)
        rest = self._guard.flush()
        return np.concatenate([guarded, rest]) if guarded.shape[0] else rest

    def _drain(self) -> npt.NDArray[np.float32]:
        parts: list[npt.NDArray[np.float32]] = []
        while True:
            try:
                out = self._graph.pull()
            except (av.BlockingIOError, av.EOFError):
                break
            arr = np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1, self.channels)
            parts.append(arr)
        if not parts:
            return np.zeros((0, self.channels), dtype=np.float32)
        data = parts[0] if len(parts) == 1 else np.concatenate(parts)
        self._out += data.shape[0]
        return data.astype(np.float32, copy=False)
