"""The audible band of a recording: what splice measures a word's level on, and all a clip keeps.

Some recordings carry large, slow movements far below the voice: a handled or knocked
microphone, wind, an interface's DC drift. The MFA "cold" recording in ../shared/data has 98 %
of its energy under 20 Hz, in swings up to 0.64 of full scale, while its words sit at −40 dBFS
above 60 Hz. Nobody hears it, but a raw power measures it:

* the cold words measured 4 dB louder than they sound, so splice raised them too little to meet
  the speech around a line;
* raising them raised the rumble with them, into peaks of 1.7–3.6 of full scale, and the
  clip's peak limiter then took those peaks out of the speech riding on them (on 14 of 160
  benchmark lines, by up to 12 dB).

So splice takes every piece of the recording it uses (a word whose level it measures, a unit,
room tone) in the audible band, before any gain or crossfade: a join between a piece riding on
the swing and one that is not would otherwise step the swing inside 10 ms, and that step is
audible. This is the low cut at the head of any voice chain.

The filter subtracts from the signal its own average over a sliding triangle 22 ms wide (two
11 ms boxes, running sums): zero-phase, so nothing moves in time, and a few additions per
sample. It is −3.4 dB at 50 Hz, −16 dB at 20 Hz, −28 dB at 10 Hz and −40 dB at 5 Hz, and keeps
the voice within 0.4 dB from 91 Hz up. A piece is filtered with the real recording around it
and cut out afterwards; where the recording ends, its end is continued by an odd mirror (value
and slope carry on), so a swing's end does not step. A word's level
(:func:`audible_level_db`) follows the slow part on a 1 ms grid instead of filtering every
sample, because splice measures thousands of words for one line among 15,000 recorded ones.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from editor.overdub.backend import Samples

BOX_SECONDS = 0.011
"""Each of the two running averages: its first null at 91 Hz puts the band's edge at 50 Hz.
A man's voice starts near 80 Hz, and a podcast voice chain's low cut sits at 60–80 Hz."""
PAD_SECONDS = BOX_SECONDS
"""Recording read (or mirrored) either side of a piece: the triangle's half-width."""


def _running_mean(x: np.ndarray, half: int) -> np.ndarray:
    """The centred mean over ``2 * half + 1`` frames; ``half`` frames shorter at each end."""
    width = 2 * half + 1
    sums = np.cumsum(x, axis=0)
    out = sums[width - 1 :].copy()
    out[1:] -= sums[:-width]
    out /= width
    return out


def audible(x: Samples, rate: int) -> Samples:
    """``x`` (frames, or frames × channels) without what lies under the voice, as float32."""
    data = np.asarray(x, dtype=np.float64)
    n = data.shape[0]
    half = max(1, round((BOX_SECONDS * rate - 1) / 2))
    if n < 2:
        return np.asarray(x, dtype=np.float32)
    widths = ((2 * half, 2 * half),) + ((0, 0),) * (data.ndim - 1)
    padded = np.pad(data, widths, mode="reflect", reflect_type="odd")
    low = _running_mean(_running_mean(padded, half), half)
    return np.ascontiguousarray(data - low, dtype=np.float32)


def audible_audio(
    read: Callable[[float, float], Samples], rate: int, a: float, b: float
) -> Samples:
    """Seconds ``a``..``b`` of a recording (``read`` as :attr:`VoiceContext.audio`) in the
    audible band, filtered with up to ``PAD_SECONDS`` of the real recording either side, so a
    piece cut from it starts and ends as the recording does there, not on a mirror."""
    lead = min(PAD_SECONDS, max(0.0, a))
    first = round(a * rate) - round((a - lead) * rate)
    count = max(0, round(b * rate) - round(a * rate))
    return audible(read(a - lead, b + PAD_SECONDS), rate)[first : first + count]


BLOCK_SECONDS = 0.001
"""The grid :func:`audible_level_db` follows the slow part on: far finer than anything under
the band's edge."""
LEVEL_RATE = 8000
"""Samples per second :func:`audible_level_db` averages over: a power is a mean, and speech
holds it at this density as well as at every sample."""


def audible_level_db(
    read: Callable[[float, float], Samples], rate: int, a: float, b: float
) -> float:
    """Mean power in dB of seconds ``a``..``b`` in the audible band, as :func:`audible_audio`
    would give it, without filtering every sample: the slow part is followed on 1 ms block
    means (the same triangle, on the block grid), and the difference is taken at
    ``LEVEL_RATE`` samples a second. Splice needs thousands of these for one line among many
    recorded words; this costs about what a raw power does. Against the power of
    :func:`audible_audio`, on ../shared/data's speech: see tests/overdub/test_audible.py."""
    step = max(1, round(BLOCK_SECONDS * rate))
    half = max(1, round((BOX_SECONDS / BLOCK_SECONDS - 1) / 2))
    margin = (2 * half + 1) * step
    lead = min(margin, round(max(0.0, a) * rate))
    x = np.asarray(read(a - lead / rate, b + margin / rate), dtype=np.float32)
    x = x.reshape(len(x), -1)
    count = max(0, min(round(b * rate) - round(a * rate), len(x) - lead))
    if count == 0:
        return -120.0
    usable = len(x) // step * step
    if usable < (4 * half + 1) * step:  # too short for the block grid: filter every sample
        return _db(audible(x, rate)[lead : lead + count])
    blocks = x[:usable].reshape(-1, step, x.shape[1]).mean(axis=1, dtype=np.float64)
    pad = 2 * half
    ends = (2 * blocks[0] - blocks[pad:0:-1], 2 * blocks[-1] - blocks[-2 : -pad - 2 : -1])
    slow = _running_mean(_running_mean(np.concatenate([ends[0], blocks, ends[1]]), half), half)
    at = np.arange(lead, lead + count, max(1, rate // LEVEL_RATE))
    centres = np.arange(len(blocks)) * step + (step - 1) / 2
    band = x[at].astype(np.float64)
    for c in range(x.shape[1]):
        band[:, c] -= np.interp(at, centres, slow[:, c])
    return _db(band)


def _db(x: np.ndarray) -> float:
    return 10.0 * float(np.log10(max(float(np.mean(np.square(x))), 1e-12)))
