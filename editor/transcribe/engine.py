"""The recogniser behind the worker: faster-whisper, one chunk group per call.

Why this shape. On a small CPU, what makes Whisper fast is keeping every core busy with
useful work: each chunk goes through ``BatchedInferencePipeline`` (one ≤30 s window, one
encoder pass, no temperature fallback, no conditioning on previous text — which also resists
repetition loops on long audio), and the worker decodes ``workers`` chunks at once, each on its
own single-threaded model replica. Silero VAD (500 ms minimum silence) runs on each chunk
first: a chunk with no speech never reaches the model, so silence cannot be hallucinated into
words, and each chunk is trimmed to its speech.

An engine is anything with ``transcribe(audio, options) -> words``; tests inject fakes
through :data:`EngineFactory` so the job machinery is tested without a model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from editor.transcribe.audio import RATE
from editor.transcribe.fillers import VERBATIM_PROMPT
from editor.transcribe.model import ModelSpec, load_whisper
from editor.transcribe.words import TimedWord

VAD_MIN_SILENCE_MS = 500
SPEECH_MARGIN = 0.2


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    """What changes the words: part of the job key, so checkpoints never mix options."""

    language: str | None = "en"
    verbatim: bool = False
    beam_size: int = 8

    def as_dict(self) -> dict[str, Any]:
        return {"language": self.language, "verbatim": self.verbatim, "beam": self.beam_size}


class Engine(Protocol):
    def transcribe(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> list[TimedWord]:
        """Words of one chunk (16 kHz mono), in chunk-local seconds."""
        ...


EngineFactory = Callable[[ModelSpec | None, int, int], Engine]
"""(model, threads, workers) -> engine; must be importable by name for the spawned child."""


def speech_span(audio: npt.NDArray[np.float32]) -> tuple[float, float] | None:
    """First and last speech second found by Silero VAD, or None for a chunk with no speech."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(audio) == 0:
        return None
    spans = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=VAD_MIN_SILENCE_MS))
    if not spans:
        return None
    start = max(0.0, spans[0]["start"] / RATE - SPEECH_MARGIN)
    end = min(len(audio) / RATE, spans[-1]["end"] / RATE + SPEECH_MARGIN)
    return start, end


class WhisperEngine:
    """faster-whisper with word timestamps and per-word probabilities."""

    def __init__(self, model: Any) -> None:
        from faster_whisper import BatchedInferencePipeline

        self.model = model
        self._pipeline = BatchedInferencePipeline

    def transcribe(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> list[TimedWord]:
        span = speech_span(audio)
        if span is None:
            return []
        # A pipeline per call: calls may come from several threads (one per model replica).
        segments, _ = self._pipeline(self.model).transcribe(
            audio,
            language=options.language,
            beam_size=options.beam_size,
            batch_size=1,
            word_timestamps=True,
            clip_timestamps=[{"start": span[0], "end": span[1]}],
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
