"""The recogniser behind the worker: faster-whisper, one chunk group per call.

Why this shape. On a small CPU, what makes Whisper fast is keeping every core busy with
useful work: each chunk goes through ``BatchedInferencePipeline`` (one ≤30 s window, one
encoder pass, no temperature fallback, no conditioning on previous text — which also resists
repetition loops on long audio), and the worker decodes ``workers`` chunks at once, each on its
own single-threaded model replica. Silero VAD (500 ms minimum silence) runs on each chunk
first: a chunk with no speech never reaches the model, so silence cannot be hallucinated into
words, and each chunk is trimmed to its speech.

One window, one pass has a failure plain faster-whisper does not: decoding without timestamps,
the model may end its text early (after a pause, or where the voice changes) and leave the
rest of the window unsaid — on a 4-minute build of the shared speech it dropped all of JFK's
11 s. Plain transcription recovers because it seeks past what it decoded and decodes again.
So here, after the pass, any stretch of VAD speech of at least ``MISSED_SPEECH`` seconds that no
word covers is decoded again on its own (at most ``REDECODE_ROUNDS`` times), and the words it
yields are added where the first pass had none.

An engine is anything with ``transcribe(audio, options) -> words``; tests inject fakes
through :data:`EngineFactory` so the job machinery is tested without a model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from editor.transcribe.audio import RATE
from editor.transcribe.fillers import VERBATIM_PROMPT
from editor.transcribe.model import ModelSpec, load_whisper
from editor.transcribe.words import TimedWord

VAD_MIN_SILENCE_MS = 500
SPEECH_MARGIN = 0.2
MISSED_SPEECH = 1.0
"""Seconds of detected speech without a word that make the engine decode that stretch again."""
COVER_MARGIN = 0.25
"""Seconds either side of a word counted as covered by it (word times are approximate)."""
REDECODE_ROUNDS = 2
ALIGNMENT_LAG = 0.08
"""Seconds by which Whisper's word times trail the speech, taken off every start and end.

The times come from cross-attention alignment, which lags the audio. Against the Montreal
Forced Aligner's word intervals for the shared ``mfa`` recordings (2 recordings, 122 words), the
bundled tiny.en's raw times were late by a median 80–110 ms at word starts inside fluent speech
and 90–120 ms at word ends (docs/transcription.md, "Cleaning the words"). Left in, a cut
between two words that run together (deleting one, or taking one for an overdub) carries the
next word's onset and clips the word's own. Edges at pauses are then snapped to the speech by
:mod:`editor.transcribe.timing`, so the shift matters where there is no silence to find."""


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    """What changes the words: part of the job key, so checkpoints never mix options."""

    language: str | None = "en"
    verbatim: bool = False
    beam_size: int = 3

    def as_dict(self) -> dict[str, Any]:
        return {"language": self.language, "verbatim": self.verbatim, "beam": self.beam_size}


class Engine(Protocol):
    def transcribe(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> list[TimedWord]:
        """Words of one chunk (16 kHz mono), in chunk-local seconds."""
        ...


EngineFactory = Callable[[ModelSpec | None, int, int], Engine]
"""(model, threads, workers) -> engine; must be importable by name for the spawned child."""


Span = tuple[float, float]


def speech_spans(audio: npt.NDArray[np.float32]) -> list[Span]:
    """Speech found by Silero VAD, in seconds (padded by its default 400 ms)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(audio) == 0:
        return []
    found = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=VAD_MIN_SILENCE_MS))
    return [(s["start"] / RATE, s["end"] / RATE) for s in found]


def speech_span(audio: npt.NDArray[np.float32]) -> tuple[float, float] | None:
    """First and last speech second found by Silero VAD, or None for a chunk with no speech."""
    spans = speech_spans(audio)
    if not spans:
        return None
    return _outer(spans, len(audio) / RATE)


def _outer(spans: list[Span], duration: float) -> Span:
    return max(0.0, spans[0][0] - SPEECH_MARGIN), min(duration, spans[-1][1] + SPEECH_MARGIN)


def missed_speech(speech: list[Span], words: list[TimedWord]) -> list[Span]:
    """Stretches of ``speech`` at least :data:`MISSED_SPEECH` long that no word covers.

    Each stretch reaches from the end of the word before it to the start of the word after it
    (within its speech span), so a re-decode hears the missed words whole.
    """
    covered = sorted((w.start - COVER_MARGIN, w.end + COVER_MARGIN) for w in words)
    out: list[Span] = []
    for lo, hi in speech:
        t = lo
        for a, b in covered:
            if b <= t:
                continue
            if a >= hi:
                break
            if a - t >= MISSED_SPEECH:
                out.append((t, a))
            t = max(t, b)
        if hi - t >= MISSED_SPEECH:
            out.append((t, hi))
    return out


def without_lag(w: TimedWord) -> TimedWord:
    """``w`` with :data:`ALIGNMENT_LAG` taken off its times (never before the chunk starts).

    Applied to the finished words only: which stretches count as missed speech is judged on the
    model's own times, so the correction changes no decoding."""
    start = max(0.0, w.start - ALIGNMENT_LAG)
    return replace(w, start=start, end=max(start, w.end - ALIGNMENT_LAG))


class WhisperEngine:
    """faster-whisper with word timestamps and per-word probabilities."""

    def __init__(self, model: Any) -> None:
        from faster_whisper import BatchedInferencePipeline

        self.model = model
        self._pipeline = BatchedInferencePipeline

    def transcribe(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> list[TimedWord]:
        speech = speech_spans(audio)
        if not speech:
            return []
        words = self._decode(audio, [_outer(speech, len(audio) / RATE)], options)
        for _ in range(REDECODE_ROUNDS):
            missed = missed_speech(speech, words)
            if not missed:
                break
            found = self._decode(audio, missed, options)
            taken = [(w.start, w.end) for w in words]
            new = [w for w in found if not any(a <= w.mid <= b for a, b in taken)]
            if not new:
                break
            words = sorted([*words, *new], key=lambda w: w.start)
        return [without_lag(w) for w in words]

    def _decode(
        self, audio: npt.NDArray[np.float32], clips: list[Span], options: DecodeOptions
    ) -> list[TimedWord]:
        """Words of ``clips`` (seconds; each ≤ 30 s), one window per clip."""
        # A pipeline per call: calls may come from several threads (one per model replica).
        segments, _ = self._pipeline(self.model).transcribe(
            audio,
            language=options.language,
            beam_size=options.beam_size,
            batch_size=1,
            word_timestamps=True,
            clip_timestamps=[{"start": a, "end": b} for a, b in clips],
            initial_prompt=VERBATIM_PROMPT if options.verbatim else None,
        )
        out: list[TimedWord] = []
        for seg in segments:
            for w in seg.words or ():
                text = w.word.strip()
                if text:
                    out.append(TimedWord(text, w.start, w.end, float(w.probability)))
        return out


def whisper_engine(model: ModelSpec | None, threads: int, workers: int) -> Engine:
    """The real engine (the default factory)."""
    if model is None:
        raise ValueError("the Whisper engine needs a model")
    return WhisperEngine(load_whisper(model, threads=threads, workers=workers))
