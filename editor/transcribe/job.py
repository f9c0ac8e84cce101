"""One track's transcription job, parent side: plan, resume, dispatch, retry, gap, assemble.

The parent owns every decision and all durable state; the child (``worker.py``) only turns audio
into words. For each run:

1. load the checkpoints for this job key; finished chunks are not redone;
2. start the child (``spawn``; it loads the model meanwhile), build the track's loudness
   envelope and plan chunks of its speech, ≤30 s each, cut at pauses, long silences left out
   (deterministic, so a resumed run plans the same chunks; a resumed run plans before it
   starts a child, which a fully checkpointed track never needs);
3. keep ``workers`` chunks in flight, save each finished chunk in its own transaction, report
   progress with an ETA;
4. a chunk that fails is retried with exponential backoff; after three failures it is saved as
   a gap ("transcription unavailable") and the rest goes on; a crashed child is restarted and
   counts as a failure of what it had in flight;
5. cancel (or any error) terminates the child at once — CTranslate2 cannot be interrupted
   cooperatively, and nothing it holds is durable — and raises a typed error;
6. assemble: owned words per chunk, seams de-duplicated, repetition loops dropped, times clamped,
   de-overlapped and snapped to speech edges, fillers marked.
"""

from __future__ import annotations

import functools
import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from editor.errors import TranscribeCancelled, TranscribeError
from editor.transcribe.audio import RATE, AudioSource, Samples
from editor.transcribe.checkpoints import Checkpoints, ChunkRecord, job_key
from editor.transcribe.chunking import JOIN, Chunk, plan_chunks, to_track_time
from editor.transcribe.engine import ALIGNMENT_LAG, DecodeOptions
from editor.transcribe.envelope import Envelope, envelope_of_blocks
from editor.transcribe.fillers import mark_fillers
from editor.transcribe.hallucination import drop_repetition_loops
from editor.transcribe.model import ModelSpec, ModelUnavailable
from editor.transcribe.seams import Heard, stitch
from editor.transcribe.timing import finalise_times
from editor.transcribe.words import TimedWord, words_from_json
from editor.transcribe.worker import DEFAULT_FACTORY, WorkerConfig, worker_main

MAX_ATTEMPTS = 3
SAVED_WORDS = "heard"
"""What a checkpoint holds: every word the chunk heard, context included (joined at assembly).
Part of the job key, so rows saved under an older scheme are never misread."""
PLAN = "speech-regions-packed"
"""How chunks are planned (:mod:`.chunking`); part of the job key for the same reason."""


@dataclass(frozen=True, slots=True)
class JobConfig:
    model: ModelSpec | None
    options: DecodeOptions = field(default_factory=DecodeOptions)
    threads: int = 2
    workers: int = 2
    chunk_seconds: float = 29.0
    cut_window: float = 8.0
    """Chunks are cut at the quietest point of the last ``cut_window`` s before the target."""
    overlap: float = 0.5
    backoff: float = 1.0
    """Seconds before the first retry of a failed chunk; doubled for each further retry."""
    factory: str = DEFAULT_FACTORY
    retry_gaps: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    """What a progress bar shows; ``eta`` is None until the first chunk of this run finished."""

    done_seconds: float
    total_seconds: float
    chunks_done: int
    chunks_total: int
    gaps: int
    eta: float | None


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch with no transcript because its chunk failed three times (retry later)."""

    start: float
    end: float
    error: str


@dataclass(frozen=True, slots=True)
class TrackTranscript:
    words: list[TimedWord]
    gaps: list[Gap]
    chunks: int
    redone: int
    """Chunks transcribed by this run (the rest came from checkpoints)."""


@dataclass(slots=True)
class _State:
    pending: list[Chunk]
    records: dict[int, ChunkRecord]
    """Every finished chunk (and gap) by index: the checkpoints, plus what this run saves."""
    attempts: dict[int, int] = field(default_factory=dict)
    not_before: dict[int, float] = field(default_factory=dict)
    in_flight: dict[int, Chunk] = field(default_factory=dict)


ProgressFn = Callable[[Progress], None]
CancelFn = Callable[[], bool]


def _no_progress(p: Progress) -> None:
    pass


def _never() -> bool:
    return False


class TranscriptionJob:
    """Transcribe one track, resuming from and saving to ``checkpoints``."""

    def __init__(
        self,
        source: AudioSource,
        conn_factory: Callable[[], Any],
        project_id: str,
        track_id: str,
        config: JobConfig,
        *,
        progress: ProgressFn = _no_progress,
        cancel: CancelFn = _never,
    ) -> None:
        self.source = source
        self.config = config
        self.progress = progress
        self.cancel = cancel
        model_id = config.model.ident if config.model is not None else config.factory
        options = {
            **config.options.as_dict(),
            "chunk": config.chunk_seconds,
            "overlap": config.overlap,
            "cut_window": config.cut_window,
            "checkpoint": SAVED_WORDS,
            "plan": PLAN,
            "lag": ALIGNMENT_LAG,
        }
        self.key = job_key(model_id, options, source.ident)
        self.checkpoints = Checkpoints(conn_factory(), project_id, track_id, self.key)
        self.startup_seconds = 0.0
        """Seconds this run spent before the model was ready (child start, model load)."""
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ready = False

    # --- public ------------------------------------------------------------------------------

    @functools.cached_property
    def envelope(self) -> Envelope:
        """The track's loudness envelope, built once: chunking, timing and bleed all use it."""
        return envelope_of_blocks(self.source.blocks(60.0), self.source.level_rate)

    def run(self) -> TrackTranscript:
        if self.config.retry_gaps:
            self.checkpoints.clear_gaps()
        records = self.checkpoints.load()
        t0 = time.monotonic()
        try:
            # The child imports faster-whisper and loads the model (about a second) while this
            # process reads the cache for the envelope and plans the chunks. A resumed job
            # plans first: when every chunk is checkpointed, no child is needed at all.
            if not records:
                self._start_child()
            env = self.envelope
            chunks = plan_chunks(
                env,
                target=self.config.chunk_seconds,
                window=self.config.cut_window,
                overlap=self.config.overlap,
            )
            todo = [c for c in chunks if c.index not in records]
            if todo:
                self._transcribe(chunks, todo, records, t0)
            else:
                self._kill_child()  # started early, then nothing to do: it holds nothing
        except BaseException:
            self._kill_child()  # Ctrl+C, cancel, a failed save: stop now, not gracefully
            raise
        # The child holds nothing durable and every answer is in: kill it rather than wait
        # for its interpreter and CTranslate2 to tear down (~0.2 s on every run).
        self._kill_child()
        return self._assemble(chunks, records, env, len(todo))

    def close(self) -> None:
        """Release the checkpoint connection (the child is never left running by ``run``)."""
        self._kill_child()
        self.checkpoints.conn.close()

    def __enter__(self) -> TranscriptionJob:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- dispatch loop -----------------------------------------------------------------------

    def _transcribe(
        self, chunks: list[Chunk], todo: list[Chunk], records: dict[int, ChunkRecord], t0: float
    ) -> None:
        state = _State(pending=list(todo), records=records)
        total = sum(c.length for c in chunks)
        started: float | None = None
        done_here = 0.0
        self._report(chunks, records, total, None)
        if self._proc is None:
            self._start_child()
        while state.pending or state.in_flight:
            self._check_cancel()
            if started is None and self._conn is not None and self._ready:
                started = time.monotonic()
                self.startup_seconds = started - t0
            self._dispatch(state)
            msg = self._receive(state, timeout=0.05)
            if msg is None:
                continue
            kind, chunk = msg[0], state.in_flight.pop(msg[1])
            if kind == "done":
                words = self._heard(chunk, words_from_json(msg[2]))
                attempts = state.attempts.get(chunk.index, 0) + 1
                self.checkpoints.save_done(chunk, words, attempts)
                records[chunk.index] = ChunkRecord(
                    chunk.index, chunk.start, chunk.end, "done", attempts, words
                )
                done_here += chunk.length
            else:
                self._failed(state, chunk, f"{msg[2]}: {msg[3]}")
            eta = None
            if started is not None and done_here > 0:
                rate = done_here / max(time.monotonic() - started, 1e-6)
                remaining = sum(c.length for c in chunks if c.index not in records)
                eta = remaining / rate
            self._report(chunks, records, total, eta)

    def _dispatch(self, state: _State) -> None:
        """Keep ``workers`` chunks in flight, the earliest ready ones first."""
        if not self._ready:
            return
        now = time.monotonic()
        while len(state.in_flight) < max(1, self.config.workers):
            ready = [c for c in state.pending if state.not_before.get(c.index, 0.0) <= now]
            if not ready:
                return
            chunk = ready[0]
            state.pending.remove(chunk)
            audio = self._window(chunk)
            state.in_flight[chunk.index] = chunk
            assert self._conn is not None
            self._conn.send(("work", chunk.index, audio, self.config.options))

    def _failed(self, state: _State, chunk: Chunk, error: str) -> None:
        """Count a failure: retry after a backoff, or save a gap after the third."""
        n = state.attempts.get(chunk.index, 0) + 1
        state.attempts[chunk.index] = n
        if n >= MAX_ATTEMPTS:
            self.checkpoints.save_gap(chunk, n, error)
            state.records[chunk.index] = ChunkRecord(
                chunk.index, chunk.start, chunk.end, "gap", n, [], error
            )
        else:
            state.not_before[chunk.index] = time.monotonic() + self.config.backoff * 2 ** (n - 1)
            state.pending.append(chunk)
            state.pending.sort(key=lambda c: c.index)

    def _window(self, chunk: Chunk) -> Samples:
        """The audio the model hears for ``chunk``: its fed spans, with short silences between."""
        spans = chunk.fed(self.config.overlap, self.source.duration)
        if len(spans) == 1:
            return self.source.read(*spans[0])
        join = np.zeros(round(JOIN * RATE), np.float32)
        parts: list[Samples] = []
        for k, (lo, hi) in enumerate(spans):
            want = round((hi - lo) * RATE)
            pcm = self.source.read(lo, hi)[:want]
            if len(pcm) < want:  # keep the layout exact: window_layout counts in seconds
                pcm = np.concatenate([pcm, np.zeros(want - len(pcm), np.float32)])
            parts += [join, pcm] if k else [pcm]
        return np.concatenate(parts)

    def _heard(self, chunk: Chunk, local: list[TimedWord]) -> list[TimedWord]:
        """A chunk's words in track time; which of them are kept is decided at assembly."""
        return to_track_time(local, chunk.fed(self.config.overlap, self.source.duration))

    def _report(
        self, chunks: list[Chunk], records: dict[int, ChunkRecord], total: float, eta: float | None
    ) -> None:
        done = sum(r.end - r.start for r in records.values())
        gaps = sum(1 for r in records.values() if r.status == "gap")
        self.progress(Progress(min(done, total), total, len(records), len(chunks), gaps, eta))

    def _check_cancel(self) -> None:
        if self.cancel():
            self._kill_child()
            raise TranscribeCancelled("transcription cancelled; finished chunks are kept")

    # --- the child ---------------------------------------------------------------------------

    def _start_child(self) -> None:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        cfg = WorkerConfig(
            self.config.model, self.config.threads, self.config.workers, self.config.factory
        )
        proc = ctx.Process(
            target=worker_main, args=(child, cfg), daemon=True, name="wordcut-transcribe"
        )
        proc.start()
        child.close()
        self._proc, self._conn, self._ready = proc, parent, False

    def _receive(self, state: _State, timeout: float) -> tuple[Any, ...] | None:
        """The next result message; handles 'ready', 'fatal' and a dead child itself."""
        conn, proc = self._conn, self._proc
        assert conn is not None and proc is not None
        try:
            if not conn.poll(timeout):
                if proc.is_alive():
                    return None
                raise EOFError
            msg: tuple[Any, ...] = conn.recv()
        except (EOFError, OSError):
            self._child_died(state)
            return None
        if msg[0] == "ready":
            self._ready = True
            return None
        if msg[0] == "fatal":
            self._kill_child()
            if msg[1] in ("ModelUnavailable", "FileNotFoundError"):
                raise ModelUnavailable(msg[2])
            raise TranscribeError(f"the transcription engine cannot start: {msg[2]}")
        return msg

    def _child_died(self, state: _State) -> None:
        """Count what the child held as failed and start a new one."""
        code = self._proc.exitcode if self._proc is not None else None
        self._kill_child()
        if not self._ready and not state.in_flight:
            raise TranscribeError(f"the transcription process died while starting (exit {code})")
        lost = list(state.in_flight.values())
        state.in_flight.clear()
        for chunk in lost:
            self._failed(state, chunk, f"the transcription process died (exit {code})")
        self._start_child()

    def _kill_child(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc, self._conn, self._ready = None, None, False
        if proc is not None and proc.is_alive():
            proc.kill()
        if proc is not None:
            proc.join(5)
        if conn is not None:
            conn.close()

    # --- assembly ----------------------------------------------------------------------------

    def _assemble(
        self, chunks: list[Chunk], records: dict[int, ChunkRecord], env: Envelope, redone: int
    ) -> TrackTranscript:
        parts = []
        gaps = []
        for c in chunks:
            r = records.get(c.index)
            if r is not None and r.status == "gap":
                gaps.append(Gap(r.start, r.end, r.error or "transcription unavailable"))
            lo, hi = c.padded(self.config.overlap, self.source.duration)
            done = r.words if r is not None and r.status == "done" else None
            parts.append(Heard(c, lo, hi, done))
        words = drop_repetition_loops(stitch(parts))
        words = finalise_times(words, env, self.source.duration)
        return TrackTranscript(mark_fillers(words), gaps, len(chunks), redone)
