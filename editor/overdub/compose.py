"""One line, start to finish: run the backend, fill its holes, match loudness, time the words.

The result, :class:`Clip`, is what gets stored and inserted: samples at the project rate, each
typed word with its time in the clip and the backend that said it, and the words nothing could
say (the caller refuses a clip that still has any).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from editor.overdub import level
from editor.overdub.backend import (
    Generated,
    Samples,
    TokenSpan,
    VoiceBackend,
    VoiceRequest,
)
from editor.overdub.joins import Assembler, fade_edges
from editor.overdub.text import Line, LineWord


@dataclass(frozen=True, slots=True)
class ClipWord:
    """A typed word of the line, where it plays in the clip, and which backend said it."""

    text: str
    start: float
    end: float
    backend: str


@dataclass(frozen=True, slots=True)
class Clip:
    samples: Samples
    sample_rate: int
    words: tuple[ClipWord, ...]
    uncovered: tuple[str, ...]
    """Typed words no backend produced (the clip leaves a short pause where they belong)."""
    backends: tuple[str, ...]
    gain_db: float
    target_lufs: float
    notes: tuple[str, ...] = ()

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True, slots=True)
class _Span:
    span: TokenSpan
    backend: str


def compose(request: VoiceRequest, backend: VoiceBackend, fill: VoiceBackend | None = None) -> Clip:
    """Say ``request.line`` with ``backend``; ``fill`` says what it left out (if given)."""
    ctx, line = request.context, request.line
    rate = ctx.sample_rate
    target = level.target_loudness(ctx)
    made = _checked(backend.generate(request), rate, ctx.channels)
    samples = made.samples
    spans = [_Span(s, backend.name) for s in made.spans]
    holes = list(made.holes)
    notes = list(made.notes)
    used = [backend.name]
    if fill is not None and holes:
        shift = 0.0
        remaining = []
        for hole in holes:
            said = tuple(LineWord(t, (t,)) for t in line.tokens[hole.first : hole.last + 1])
            sub = VoiceRequest(Line(" ".join(w.display for w in said), said), ctx, None)
            filled = _checked(fill.generate(sub), rate, ctx.channels)
            if not filled.spans:
                remaining.append(hole)
                continue
            part, _ = level.match(filled.samples, rate, target)
            at = hole.at + shift
            samples, start, added = _insert(samples, part, at, rate, ctx.channels)
            spans = [
                _Span(_moved(s.span, added), s.backend) if s.span.start >= at else s for s in spans
            ]
            spans.extend(
                _Span(
                    replace(_moved(s, start), first=hole.first + s.first, last=hole.first + s.last),
                    fill.name,
                )
                for s in filled.spans
            )
            shift += added
            notes.extend(n for n in filled.notes if n not in notes)
            if fill.name not in used:
                used.append(fill.name)
        holes = remaining
    samples, gain = level.match(samples, rate, target)
    samples = fade_edges(samples, rate)
    missing = {t for h in holes for t in range(h.first, h.last + 1)}
    words, uncovered = _word_times(line, spans, missing, len(samples) / rate)
    return Clip(samples, rate, words, uncovered, tuple(used), gain, target, tuple(notes))


def _checked(made: Generated, rate: int, channels: int) -> Generated:
    """A backend's output at the clip's rate and channel count (plug-ins may get it wrong)."""
    from editor.errors import OverdubError

    if made.sample_rate != rate:
        raise OverdubError(
            f"the voice backend returned {made.sample_rate} Hz audio; the project needs {rate} Hz"
        )
    x = np.asarray(made.samples, dtype=np.float32)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.shape[1] != channels:
        x = np.repeat(x[:, :1], channels, axis=1) if x.shape[1] == 1 else x[:, :channels]
    if not np.all(np.isfinite(x)):
        raise OverdubError("the voice backend returned audio with invalid (NaN) samples")
    return Generated(x, rate, made.spans, made.holes, made.notes)


def _moved(s: TokenSpan, by: float) -> TokenSpan:
    return replace(s, start=s.start + by, end=s.end + by)


def _insert(
    x: Samples, part: Samples, at: float, rate: int, channels: int
) -> tuple[Samples, float, float]:
    """``part`` crossfaded into ``x`` at ``at`` seconds; returns the result, where ``part``
    starts in it, and how many seconds longer it got."""
    cut = min(len(x), max(0, round(at * rate)))
    out = Assembler(rate, channels)
    out.append(x[:cut])
    start = out.append(part)
    out.append(x[cut:])
    result = out.result()
    return result, start, (len(result) - len(x)) / rate


def _word_times(
    line: Line, spans: list[_Span], missing: set[int], duration: float
) -> tuple[tuple[ClipWord, ...], tuple[str, ...]]:
    """Each typed word's time in the clip (kept inside it: spans are in seconds, the clip in
    whole frames), and the typed words no span covers."""
    owner = line.token_owner()
    per_word: dict[int, list[_Span]] = {}
    for s in spans:
        for t in range(s.span.first, s.span.last + 1):
            if 0 <= t < len(owner):
                per_word.setdefault(owner[t], []).append(s)
    words: list[ClipWord] = []
    uncovered: list[str] = []
    for i, w in enumerate(line.words):
        tokens = [k for k, o in enumerate(owner) if o == i]
        if any(t in missing for t in tokens) or i not in per_word:
            uncovered.append(w.display)
            continue
        got = per_word[i]
        start = min(max(0.0, min(s.span.start for s in got)), duration)
        end = min(max(start, max(s.span.end for s in got)), duration)
        words.append(ClipWord(w.display, start, end, got[0].backend))
    return tuple(words), tuple(uncovered)
