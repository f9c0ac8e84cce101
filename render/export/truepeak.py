"""True-peak detection and the inter-sample guard that holds a true-peak ceiling.

A sample-peak limiter keeps every *sample* under its limit, but the waveform a player
reconstructs between samples can rise higher: bright material (noise, cymbals, clipped or
sibilant voices) overshoots its sample peaks by 1-4 dB (measured here: +3.6 dB on pink noise).
Podcast platforms check the *true* peak (ITU BS.1770: the peak of the signal oversampled at
least 4x), so the export must hold that.

:class:`TruePeakDetector` reconstructs the signal 4x oversampled with FFmpeg's resampler (the
same kind of band-limited interpolation FFmpeg's ``ebur128`` meter uses, in C) and reports,
per input frame ``n``, the largest magnitude over the channels and the four points in
``[n, n+1)``. It is streaming: the resampler keeps a few frames of look-ahead, so the peaks of
the last frames arrive with :meth:`TruePeakDetector.flush`.

:class:`InterSampleGuard` turns the detection into a smooth gain that is at or under
``ceiling / peak`` across every over: the required gain is min-filtered over a look-ahead
window (ramp + hold on both sides) and box-averaged over the ramp, so the gain ramps down over
``ramp`` frames before an over, stays flat for ``hold`` frames around it (covering the
interpolation filter's support, so the reconstructed peak scales with the gain) and ramps
back up after. It delays the signal by that look-ahead and returns exactly as many frames as
it was given (the export's length is the EDL's). It runs after :mod:`render.export.limiter`'s
musical sample-peak limiter, so in practice it only trims the residual inter-sample overs.
"""

from __future__ import annotations

import math

import av
import numpy as np
import numpy.typing as npt

Block = npt.NDArray[np.float32]

OVERSAMPLE = 4
"""Reconstruction points per sample, as BS.1770 specifies for 48 kHz."""
RAMP_MS = 5.0
"""Gain ramp before and after an inter-sample over."""
HOLD_FRAMES = 16
"""Flat gain on each side of an over: the resampler's interpolation reaches this far."""


class TruePeakDetector:
    """Streaming per-frame true-peak magnitude of ``(frames, channels)`` float32 blocks."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.channels = channels
        self.sample_rate = sample_rate
        self._layout = "mono" if channels == 1 else "stereo"
        self._resampler = av.AudioResampler(
            format="flt", layout=self._layout, rate=sample_rate * OVERSAMPLE
        )
        self._pts = 0
        self._rest = np.zeros((0, channels), dtype=np.float32)
        self._pushed = 0
        self._done = 0

    def push(self, block: Block) -> npt.NDArray[np.float32]:
        """Feed ``block``; return the peaks of the frames completed so far (in order)."""
        if block.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block, dtype=np.float32).reshape(1, -1),
            format="flt",
            layout=self._layout,
        )
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts
        self._pts += block.shape[0]
        self._pushed += block.shape[0]
        return self._peaks(self._resampler.resample(frame), final=False)

    def flush(self) -> npt.NDArray[np.float32]:
        """End of input: the peaks of every remaining frame (silence follows the signal)."""
        return self._peaks(self._resampler.resample(None), final=True)

    def _peaks(self, frames: list[av.AudioFrame], final: bool) -> npt.NDArray[np.float32]:
        parts: list[npt.NDArray[np.float32]] = [self._rest]
        parts += [
            np.asarray(f.to_ndarray(), dtype=np.float32).reshape(-1, self.channels) for f in frames
        ]
        up = np.concatenate(parts) if len(parts) > 1 else parts[0]
        whole = min(up.shape[0] // OVERSAMPLE, self._pushed - self._done)
        if final:
            whole = self._pushed - self._done
            if up.shape[0] < whole * OVERSAMPLE:  # the resampler ends short: silence after
                pad = np.zeros((whole * OVERSAMPLE - up.shape[0], self.channels), np.float32)
                up = np.concatenate([up, pad])
        used = whole * OVERSAMPLE
        self._rest = up[used:] if not final else up[:0]
        self._done += whole
        peaks: npt.NDArray[np.float32] = (
            np.abs(up[:used]).reshape(whole, OVERSAMPLE * self.channels).max(axis=1)
        )
        return peaks


def _sliding_min(a: npt.NDArray[np.float32], width: int) -> npt.NDArray[np.float32]:
    """``out[i] = min(a[i : i + width])`` for every full window (van Herk / Gil-Werman)."""
    n = a.shape[0]
    count = n - width + 1
    if count <= 0:
        return np.zeros(0, dtype=np.float32)
    blocks = -(-n // width)
    padded = np.ones(blocks * width, dtype=np.float32)
    padded[:n] = a
    grid = padded.reshape(blocks, width)
    prefix = np.minimum.accumulate(grid, axis=1).ravel()
    suffix = np.minimum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    idx = np.arange(count)
    out: npt.NDArray[np.float32] = np.minimum(suffix[idx], prefix[idx + width - 1])
    return out


def _box_mean(a: npt.NDArray[np.float32], width: int) -> npt.NDArray[np.float32]:
    """``out[i] = mean(a[i : i + width])`` for every full window (float64 running sum)."""
    csum = np.concatenate([[0.0], np.cumsum(a, dtype=np.float64)])
    out: npt.NDArray[np.float32] = ((csum[width:] - csum[:-width]) / width).astype(np.float32)
    return out


class InterSampleGuard:
    """Streaming gain stage holding the true peak at or under ``ceiling`` (linear).

    ``process`` returns the frames whose look-ahead is complete (fewer than given, at first);
    ``flush`` returns the rest, so the total equals the input.

    The gain for output frame ``q`` is ``mean(h[q-ramp+1 .. q])`` where
    ``h[k] = min(need[k-hold .. k+ramp-1+hold])`` and ``need = min(1, ceiling / peak)``: every
    frame within ``hold`` of an over gets at most the gain that over needs.
    """

    def __init__(self, sample_rate: int, channels: int, ceiling: float) -> None:
        self.channels = channels
        self.ceiling = ceiling
        self.ramp = max(1, round(RAMP_MS * sample_rate / 1000.0))
        self.hold = HOLD_FRAMES
        self._detector = TruePeakDetector(sample_rate, channels)
        self._behind = self.ramp - 1 + self.hold
        self._ahead = self.ramp - 1 + self.hold
        # gains: `behind` of history, then the needs of detected frames not yet output
        self._gains = np.ones(self._behind, dtype=np.float32)
        self._signal = np.zeros((0, channels), dtype=np.float32)
        self.reduced_frames = 0
        """Frames whose gain this stage lowered (for tests and reports)."""

    def process(self, block: Block) -> Block:
        """Feed ``block`` (frames, channels) float32; return guarded frames that are ready."""
        if block.shape[0] == 0:
            return np.zeros((0, self.channels), dtype=np.float32)
        block = np.asarray(block, dtype=np.float32)
        self._signal = np.concatenate([self._signal, block])
        self._add_needs(self._detector.push(block))
        return self._emit(len(self._gains) - self._behind - self._ahead)

    def flush(self) -> Block:
        """End of input: every remaining frame."""
        self._add_needs(self._detector.flush())
        self._gains = np.concatenate([self._gains, np.ones(self._ahead, dtype=np.float32)])
        return self._emit(self._signal.shape[0])

    def _add_needs(self, peaks: npt.NDArray[np.float32]) -> None:
        need = np.ones(peaks.shape[0], dtype=np.float32)
        over = peaks > self.ceiling
        if over.any():
            need[over] = self.ceiling / peaks[over]
        self._gains = np.concatenate([self._gains, need])

    def _emit(self, ready: int) -> Block:
        ready = min(ready, self._signal.shape[0])
        if ready <= 0:
            return np.zeros((0, self.channels), dtype=np.float32)
        frames = self._signal[:ready]
        window = self._gains[: self._behind + ready + self._ahead]
        if window.min() >= 1.0:
            out = frames
        else:
            held = _sliding_min(window, self.ramp + 2 * self.hold)
            gain = np.minimum(_box_mean(held, self.ramp)[:ready], 1.0)
            self.reduced_frames += int(np.count_nonzero(gain < 1.0))
            out = (frames * gain[:, None]).astype(np.float32)
        self._signal = self._signal[ready:]
        self._gains = self._gains[ready:]
        return out


def true_peak_db(data: Block, sample_rate: int) -> float:
    """True peak of ``data`` (frames, channels) in dBTP by this module's 4x reconstruction."""
    if data.shape[0] == 0:
        return -math.inf
    detector = TruePeakDetector(sample_rate, data.shape[1])
    peaks = np.concatenate([detector.push(data), detector.flush()])
    top = float(peaks.max())
    return 20.0 * math.log10(top) if top > 0 else -math.inf
