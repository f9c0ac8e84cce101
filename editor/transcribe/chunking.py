"""Choosing ≈30 s chunks of speech, cut at pauses (their words are joined in ``seams``).

Why chunks: each finished chunk is a checkpoint, so a crash costs at most one chunk, and the
work is spread into units the model handles in one 30 s window (no drift across windows).

Method, in two steps, both deterministic in the audio alone (a resumed job plans the same):

1. **Speech regions** (:func:`speech_regions`): stretches of the track's envelope above its
   speech threshold, joined across pauses shorter than ``min_silence`` and padded. A long
   silence — the other host's turn on a two-mic recording, a gap before the show starts — is
   in no region, so the model never spends a window on it: the work is the speech, not the
   clock.
2. **Cuts and packing** (:func:`plan_chunks`): a region longer than ``target`` is cut at the
   quietest point of a search window ending at the target length (``smoothing`` seconds of
   moving-average level, so a pause beats a single quiet frame), and each piece is fed with
   ``overlap`` seconds of context on both sides, so a word straddling a cut is heard whole by
   both neighbours (:mod:`editor.transcribe.seams` keeps it once). Consecutive pieces are then
   packed into one chunk while their fed audio fits ``target``: the model hears them one after
   another in one window, as faster-whisper's own batched pipeline packs VAD segments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from editor.transcribe.envelope import Envelope
from editor.transcribe.words import TimedWord

Span = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Chunk:
    """The range of track seconds this chunk owns: words whose midpoint lies in [start, end).

    ``spans`` are the track ranges fed to the model, in order (context included); empty means
    the one owned range plus ``overlap`` either side.
    """

    index: int
    start: float
    end: float
    spans: tuple[Span, ...] = ()

    def padded(self, overlap: float, duration: float) -> tuple[float, float]:
        """The outer bounds of what is fed to the model."""
        fed = self.fed(overlap, duration)
        return fed[0][0], fed[-1][1]

    def fed(self, overlap: float, duration: float) -> tuple[Span, ...]:
        """The track ranges the model hears, one after another in one window."""
        if self.spans:
            return self.spans
        return ((max(0.0, self.start - overlap), min(duration, self.end + overlap)),)

    @property
    def length(self) -> float:
        return self.end - self.start


MIN_SILENCE = 2.0
"""Seconds below the speech threshold that end a speech region (shorter pauses stay inside)."""
REGION_PAD = 0.5
"""Seconds kept either side of a region: soft onsets and tails below the threshold."""
JOIN = 0.3
"""Seconds of silence put between two spans packed into one window."""


def speech_regions(
    env: Envelope, *, min_silence: float = MIN_SILENCE, pad: float = REGION_PAD
) -> list[Span]:
    """Where the track may hold speech: above its speech threshold, long silences left out."""
    from editor.transcribe.timing import speech_threshold

    if len(env.db) == 0:
        return []
    loud = np.flatnonzero(env.db > speech_threshold(env))
    if len(loud) == 0:
        return []
    # Runs of loud frames whose gaps are shorter than min_silence form one region.
    breaks = np.flatnonzero(np.diff(loud) * env.frame > min_silence)
    firsts = np.concatenate([[loud[0]], loud[breaks + 1]])
    lasts = np.concatenate([loud[breaks], [loud[-1]]])
    out: list[Span] = []
    for a, b in zip(firsts, lasts, strict=True):
        lo = max(0.0, round(float(a) * env.frame - pad, 3))
        hi = min(env.duration, round(float(b + 1) * env.frame + pad, 3))
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _cuts(
    env: Envelope, smooth: np.ndarray, lo: float, hi: float, target: float, window: float
) -> list[float]:
    """Cut points inside [lo, hi] so that no piece is longer than ``target``."""
    cuts = []
    pos = lo
    while hi - pos > target:
        if hi - pos <= 2 * target:
            # The last cut splits what is left about evenly, so no piece is a sliver (a lone
            # word or two in a window of its own decodes badly and costs a whole pass).
            centre = (pos + hi) / 2.0
            a = env.index(max(centre - window / 2.0, hi - target))
            b = env.index(min(centre + window / 2.0, pos + target))
        else:
            a = env.index(pos + target - window)
            b = env.index(pos + target)
        seg = smooth[a : b + 1]
        # Quietest frame; among equals, the latest (longer chunks, fewer of them).
        best = a + int(len(seg) - 1 - np.argmin(seg[::-1]))
        cut = round(best * env.frame + env.frame / 2, 3)
        if cut <= pos:
            cut = pos + target
        cuts.append(cut)
        pos = cut
    return cuts


def plan_chunks(
    env: Envelope,
    *,
    target: float = 30.0,
    window: float = 8.0,
    smoothing: float = 0.3,
    overlap: float = 0.0,
    min_silence: float = MIN_SILENCE,
) -> list[Chunk]:
    """Chunks of the track's speech, each owning at most ``target`` s of it, cut in pauses.

    A chunk is fed at most ``target + 2 * overlap`` seconds (packed spans and joins included).

    The chunks' owned ranges tile [0, duration); a boundary between two regions lies in the
    middle of the silence between them. Deterministic in the audio alone, so a resumed job
    plans exactly the same chunks.
    """
    duration = env.duration
    if duration <= 0:
        return []
    regions = speech_regions(env, min_silence=min_silence)
    if not regions:
        return []
    k = max(1, round(smoothing / env.frame))
    power = np.power(10.0, env.db.astype(np.float64) / 10.0)
    smooth = np.convolve(power, np.ones(k) / k, mode="same")
    # Pieces of speech: (owned part of the region, fed span, continues the previous piece).
    pieces: list[tuple[Span, Span, bool]] = []
    budget = target + 2 * overlap
    for lo, hi in regions:
        # A region that fits one window whole needs no cut (its edges are silence already).
        inner = _cuts(env, smooth, lo, hi, target, window) if hi - lo > budget else []
        points = [lo, *inner, hi]
        for i in range(len(points) - 1):
            a, b = points[i], points[i + 1]
            fa = max(0.0, a - overlap) if i > 0 else a
            fb = min(duration, b + overlap) if i + 2 < len(points) else b
            pieces.append(((a, b), (fa, fb), i > 0))
    # Pack whole regions' pieces while the fed audio (with the joins) fits what one piece may
    # be fed; the pieces of one cut region go to different chunks, where seams join them.
    groups: list[list[tuple[Span, Span, bool]]] = []
    fed = 0.0
    for piece in pieces:
        length = piece[1][1] - piece[1][0]
        if groups and not piece[2] and fed + JOIN + length <= budget:
            groups[-1].append(piece)
            fed += JOIN + length
        else:
            groups.append([piece])
            fed = length
    chunks = []
    for i, group in enumerate(groups):
        start = 0.0 if i == 0 else _boundary(groups[i - 1][-1][0][1], group[0][0][0])
        end = (
            duration if i + 1 == len(groups) else _boundary(group[-1][0][1], groups[i + 1][0][0][0])
        )
        chunks.append(Chunk(i, start, end, tuple(f for _, f, _ in group)))
    return chunks


def _boundary(end_before: float, start_after: float) -> float:
    """The ownership boundary between two chunks: the cut itself, or the middle of a silence."""
    return round((end_before + start_after) / 2.0, 3)


def window_layout(spans: tuple[Span, ...]) -> list[tuple[float, float, float]]:
    """Where each fed span lies in the window the model hears: (local start, local end, track
    start), spans one after another with :data:`JOIN` seconds of silence between them."""
    out = []
    t = 0.0
    for a, b in spans:
        out.append((t, t + (b - a), a))
        t += (b - a) + JOIN
    return out


def to_track_time(words: list[TimedWord], spans: tuple[Span, ...]) -> list[TimedWord]:
    """Words timed in the window (see :func:`window_layout`) moved to track time.

    Each word belongs to the span holding its midpoint (the nearest one when it falls in a
    join) and is kept inside that span.
    """
    layout = window_layout(spans)
    out = []
    for w in words:
        mid = (w.start + w.end) / 2.0
        k = 0
        while k + 1 < len(layout) and mid >= (layout[k][1] + layout[k + 1][0]) / 2.0:
            k += 1
        lo, hi, at = layout[k]
        shift = at - lo
        start = min(max(w.start, lo), hi) + shift
        end = min(max(w.end, lo), hi) + shift
        out.append(replace(w, start=start, end=max(start, end)))
    return out
