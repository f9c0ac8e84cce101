"""Word times an editor can cut on: clamped, never overlapping, snapped to speech edges.

Method (see docs/transcription.md). Whisper's word times come from cross-attention: they lag the
speech (the engine takes :data:`editor.transcribe.engine.ALIGNMENT_LAG` off them), stay tens of
milliseconds out either way after that, and can drift into a following silence. Where there is
silence to find, we measure the audio instead:

1. *Clamp and de-overlap*: every word lies inside [0, duration] and start ≤ end; the words keep
   the order they come in (the recogniser's, which at a chunk seam is more trustworthy than
   edge timestamps) and their times are made to follow it; where two overlap, the boundary
   goes to the middle of the overlap.
2. *Refine to the speech/silence boundary*: from a 10 ms RMS envelope, a frame is "speech" when
   it is above ``floor + max(6 dB, 20 % of (speech level − floor))``. A word's end is pushed
   forward while the audio is still speech, plus ``HANGOVER`` for the soft decay below the
   threshold (up to ``max_extend`` and never past the next word's start), so a cut after the
   word keeps its tail; if the word's end sits deep in silence (drift), it is pulled back to the
   last speech frame plus the same hang-over. Starts are treated the same way in the other
   direction. The result is that the gap between two words is (as nearly as the envelope can
   tell) silence, which is exactly where a cut is inaudible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from editor.transcribe.envelope import Envelope
from editor.transcribe.words import TimedWord

HANGOVER = 0.03
"""Seconds of silence kept after the last loud frame (and before the first): breath of air."""


def clamp_and_deoverlap(words: Sequence[TimedWord], duration: float) -> list[TimedWord]:
    """Make times valid in the given word order: inside the track, start ≤ end, no overlaps."""
    out: list[TimedWord] = []
    for w in words:
        start = min(max(w.start, 0.0), duration)
        end = min(max(w.end, start), duration)
        if out and start < out[-1].end:
            prev = out[-1]
            boundary = max(prev.start, min((start + prev.end) / 2.0, end))
            out[-1] = replace(prev, end=boundary)
            start = boundary
            end = max(end, start)
        out.append(replace(w, start=start, end=end))
    return out


def speech_threshold(env: Envelope) -> float:
    """The level above which a frame counts as speech, from the track's own statistics."""
    floor, loud = env.noise_floor(), env.speech_level()
    return floor + max(6.0, 0.2 * (loud - floor))


def refine_to_speech(
    words: Sequence[TimedWord],
    env: Envelope,
    *,
    max_extend: float = 0.25,
    max_lead: float = 0.15,
    drift: float = 0.3,
) -> list[TimedWord]:
    """Snap each word's edges to where speech starts and stops (input must be de-overlapped)."""
    if not words or len(env.db) == 0:
        return list(words)
    loud = env.db > speech_threshold(env)
    f = env.frame
    n = len(loud)
    out: list[TimedWord] = []
    for i, w in enumerate(words):
        lo_limit = out[-1].end if out else 0.0
        hi_limit = words[i + 1].start if i + 1 < len(words) else env.duration
        start, end = w.start, w.end
        # End: extend while still loud, or pull back out of a long silence.
        k = env.index(end)
        if k < n and loud[k]:
            stop = min(env.index(min(end + max_extend, hi_limit)), n - 1)
            while k < stop and loud[k]:
                k += 1
            end = min(max(end, k * f + HANGOVER), hi_limit)
        else:
            first = env.index(start)
            idx = np.flatnonzero(loud[first : k + 1])
            if len(idx):
                last_loud_end = (first + int(idx[-1]) + 1) * f
                if end - last_loud_end > drift:
                    end = last_loud_end + HANGOVER
        # Start: move earlier while the frame before is loud, or later out of a long silence.
        k = env.index(start)
        if k > 0 and loud[k - 1]:
            stop = max(env.index(max(start - max_lead, lo_limit)), 0)
            while k > stop and loud[k - 1]:
                k -= 1
            start = max(min(start, k * f), lo_limit)
        elif not loud[k]:
            last = env.index(end)
            idx = np.flatnonzero(loud[k : last + 1])
            if len(idx):
                onset = (k + int(idx[0])) * f
                if onset - start > drift:
                    start = onset - HANGOVER
        start = max(start, lo_limit)
        end = max(min(end, hi_limit), start)
        out.append(replace(w, start=round(start, 3), end=round(end, 3)))
    return out


def finalise_times(
    words: Sequence[TimedWord], env: Envelope | None, duration: float
) -> list[TimedWord]:
    """Clamp, de-overlap and (with an envelope) refine: the last step before the document."""
    clean = clamp_and_deoverlap(words, duration)
    if env is None:
        return clean
    return clamp_and_deoverlap(refine_to_speech(clean, env), duration)
