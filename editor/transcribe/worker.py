"""The child process: loads the model once, transcribes chunk groups, reports over a pipe.

Runs under the ``spawn`` start method (a frozen app must not re-run itself, and CTranslate2's
threads do not survive ``fork``). The protocol is a handful of tuples:

parent → child: ``("work", chunk_index, audio, options)``
child → parent: ``("ready",)``, ``("done", chunk_index, [word json…])``,
``("failed", chunk_index, error type, message)``, ``("fatal", error type, message)``

Up to ``workers`` chunks are decoded at once on separate threads (each on its own model
replica). The child never decides anything about retries, gaps or checkpoints; it only turns
audio into words, so a crash here loses nothing the parent has not already saved; for the
same reason the parent ends it with a kill once every answer is in. When the parent goes away
(quit, crash, kill -9) the pipe closes and the child exits.
"""

from __future__ import annotations

import contextlib
import importlib
import signal
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from editor.transcribe.engine import DecodeOptions, Engine, EngineFactory
from editor.transcribe.model import ModelSpec
from editor.transcribe.words import words_to_json

DEFAULT_FACTORY = "editor.transcribe.engine:whisper_engine"


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    model: ModelSpec | None
    threads: int
    workers: int = 1
    factory: str = DEFAULT_FACTORY
    """``module:function`` building the engine; importable by name so ``spawn`` can find it."""


def load_factory(path: str) -> EngineFactory:
    module, _, name = path.partition(":")
    factory: EngineFactory = getattr(importlib.import_module(module), name)
    return factory


def _thread_only_tqdm_lock() -> None:
    """Give tqdm (used, silently, by faster-whisper) a plain thread lock.

    Otherwise its first bar creates a multiprocessing semaphore, and a child killed on cancel
    leaves the resource tracker warning about a leaked semaphore on the user's terminal.
    """
    with contextlib.suppress(ImportError):
        from tqdm import tqdm

        tqdm.set_lock(threading.RLock())


def worker_main(conn: Connection, config: WorkerConfig) -> None:
    """Child entry point (module-level so ``spawn`` can pickle it)."""
    # Ctrl+C reaches the whole process group; the parent decides what a cancel means and
    # stops this process itself, so the child must not die half-way through a reply.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _thread_only_tqdm_lock()
    send_lock = threading.Lock()

    def send(msg: tuple[Any, ...]) -> None:
        with send_lock:
            conn.send(msg)

    try:
        engine = load_factory(config.factory)(config.model, config.threads, config.workers)
    except Exception as exc:  # reported to the parent, which raises a typed error
        send(("fatal", type(exc).__name__, str(exc)))
        return
    send(("ready",))
    with ThreadPoolExecutor(max_workers=max(1, config.workers)) as pool:
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                break  # the parent is gone
            _, index, audio, options = msg
            pool.submit(_run_chunk, engine, send, index, audio, options)


def _run_chunk(engine: Engine, send: Any, index: int, audio: Any, options: DecodeOptions) -> None:
    try:
        msg: tuple[Any, ...] = ("done", index, words_to_json(engine.transcribe(audio, options)))
    except Exception as exc:
        detail = str(exc) or traceback.format_exc(limit=1).strip()
        msg = ("failed", index, type(exc).__name__, detail)
    # If the parent is gone the send fails; the main loop ends on its next recv.
    with contextlib.suppress(BrokenPipeError, EOFError, OSError):
        send(msg)
