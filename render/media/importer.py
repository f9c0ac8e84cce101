"""Import a source file into a track's cache: decode, store and compute peaks in one pass.

The work is split over two threads joined by a small bounded queue, so memory stays flat for
files of any length and both cores are busy:

* a decoder thread runs PyAV (which releases the GIL while decoding and resampling) and hands
  over blocks of about 2.7 s;
* the calling thread writes each block to the PCM file (past the page cache where the OS
  allows, see :mod:`render.media.pcmwriter`), folds it into the peaks, reports
  progress and checks for cancel — so ``progress`` and ``cancel`` are always called on the
  caller's thread;
* a third, short-lived thread hashes the source file (hashlib releases the GIL too).

Everything is written into a temporary folder beside the cache folder and renamed onto it only
when complete (:func:`render.atomic.atomic_dir`), so a cancel, an error or a crash leaves the
previous state — never a half cache. The PCM is not fsynced: the cache is rebuildable from the
source, and :func:`render.media.cache.open_cache` refuses a cache whose sizes do not match.

Storage type: lossy sources (MP3, AAC, Opus...) and 16-bit lossless ones are stored as int16 —
their content has no more to give, and it halves disk use and write time (90 minutes of stereo
is 1 GB instead of 2); deeper lossless sources (24-bit FLAC/WAV, float WAV) keep float32.
"""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import replace
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from render.atomic import atomic_dir, write_text
from render.errors import MediaError, WriteError
from render.jobs import CancelFn, ProgressFn, check_cancel, never_cancel, no_progress
from render.media.cache import (
    META_FILE,
    PCM_FILE,
    PEAKS_FILE,
    CachedMedia,
    build_meta,
    open_cache,
)
from render.media.decode import DecodeReport, StoreFormat, decode_blocks, output_channels
from render.media.info import MediaInfo
from render.media.pcmwriter import PcmWriter
from render.media.peaks import PeaksBuilder
from render.media.probe import declared_duration, probe, sha256_file, truncation_problem

SampleFormat = Literal["auto", "s16", "f32"]

BLOCK_FRAMES = 1 << 17
"""Frames per block handed between threads (a multiple of the peaks' finest bin)."""
QUEUE_BLOCKS = 4
"""Blocks in flight at most: bounds memory to a few MB whatever the file's length."""

_SIXTEEN_BIT = {"u8", "u8p", "s16", "s16p"}
_DTYPES: dict[StoreFormat, str] = {"s16": "<i2", "flt": "<f4"}


def import_media(
    src: str | Path,
    cache_dir: str | Path,
    *,
    sample_rate: int = 48000,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
    sample_format: SampleFormat = "auto",
    strict: bool = False,
) -> CachedMedia:
    """Decode ``src`` into the cache folder ``cache_dir`` and return the opened cache.

    If ``cache_dir`` already holds a complete cache of the same file (same SHA-256) at the same
    rate, it is returned without decoding. ``progress(done, total)`` counts output frames
    (``total`` is the container's estimate, never less than ``done``). A damaged file is
    imported as far as it decodes, with the problem in ``info.warnings``; ``strict=True``
    refuses it instead. Raises :class:`MediaError` (bad source, unwritable cache) or
    :class:`render.errors.Cancelled`; in both cases nothing is left behind.
    """
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    cache_dir = Path(cache_dir)
    info = probe(src, hash=False)
    _check_target(cache_dir)
    store = _store_format(info, sample_format)
    reused, sha256 = _existing_cache(info, cache_dir, sample_rate, sample_format)
    if reused is not None:
        return reused
    check_cancel(cancel)
    try:
        with atomic_dir(cache_dir) as tmp:
            _build(info, sha256, tmp, sample_rate, store, progress, cancel, strict)
    except WriteError as exc:  # atomic_dir names the folder it could not make
        raise MediaError(cache_dir, f"cannot write the cache ({exc.problem})") from None
    except OSError as exc:
        raise MediaError(cache_dir, f"cannot write the cache ({exc.strerror or exc})") from None
    return open_cache(cache_dir)


def _check_target(cache_dir: Path) -> None:
    """Refuse to replace anything but a cache: a wrong path must never delete a user's files."""
    if cache_dir.is_symlink() or (cache_dir.exists() and not cache_dir.is_dir()):
        raise MediaError(cache_dir, "exists and is not a cache folder; not replacing it")
    if cache_dir.is_dir():
        strangers = sorted(
            p.name for p in cache_dir.iterdir() if p.name not in {META_FILE, PCM_FILE, PEAKS_FILE}
        )
        if strangers:
            raise MediaError(
                cache_dir,
                f"holds files that are not part of a media cache ({', '.join(strangers[:3])}); "
                "not replacing it",
            )


def _store_format(info: MediaInfo, requested: SampleFormat) -> StoreFormat:
    if requested == "s16":
        return "s16"
    if requested == "f32":
        return "flt"
    if not info.lossless or info.sample_format in _SIXTEEN_BIT:
        return "s16"
    return "flt"


def _existing_cache(
    info: MediaInfo, cache_dir: Path, sample_rate: int, requested: SampleFormat
) -> tuple[CachedMedia | None, str | None]:
    """``(cache, None)`` if ``cache_dir`` already holds this source at this rate; else
    ``(None, sha256)`` when the source had to be hashed to decide, or ``(None, None)`` when
    there was nothing to compare (the importer then hashes while decoding)."""
    if not (cache_dir / META_FILE).exists():
        return None, None
    try:
        cached = open_cache(cache_dir)
    except MediaError:
        return None, None  # a broken cache is simply rebuilt
    if cached.info.size != info.size or cached.sample_rate != sample_rate:
        cached.close()
        return None, None
    try:
        sha256 = sha256_file(info.path)
    except MediaError:
        cached.close()
        raise
    wanted = {"s16": np.dtype("<i2"), "f32": np.dtype("<f4")}.get(requested)
    if cached.info.sha256 == sha256 and wanted in (None, cached.stored_dtype):
        cached.info = replace(cached.info, path=info.path)  # the same bytes may have moved
        return cached, None
    cached.close()
    return None, sha256


def _build(
    info: MediaInfo,
    sha256: str | None,
    folder: Path,
    sample_rate: int,
    store: StoreFormat,
    progress: ProgressFn,
    cancel: CancelFn,
    strict: bool,
) -> None:
    """Fill ``folder`` with a complete cache of ``info.path``."""
    hasher = _Hasher(info.path) if sha256 is None else None
    channels = output_channels(info.channels)
    report = DecodeReport()
    decoder = _Decoder(info.path, sample_rate, channels, store, report)
    builder = PeaksBuilder(channels, 1 / 32768 if store == "s16" else 1.0)
    total = round(info.duration * sample_rate)
    frames = 0
    try:
        with PcmWriter(folder / PCM_FILE) as pcm:
            for block in decoder:
                pcm.write(block)
                builder.add(block)
                frames += len(block)
                progress(frames, max(total, frames))
                check_cancel(cancel)
    finally:
        decoder.stop()
        if hasher is not None:
            hasher.join()
    digest = hasher.result() if hasher is not None else sha256
    if report.source_frames == 0 or frames == 0:
        raise MediaError(info.path, "no audio could be decoded")
    warnings = _warnings(info, report)
    if strict and warnings:
        raise MediaError(info.path, warnings[0])
    source = replace(
        info,
        sha256=digest or "",
        frames=report.source_frames,
        duration=report.source_frames / info.sample_rate,
        warnings=tuple(warnings),
    )
    peaks = builder.finish(sample_rate, frames)
    peaks.write(folder / PEAKS_FILE)
    meta = build_meta(source, sample_rate, channels, frames, _DTYPES[store], peaks)
    write_text(folder / META_FILE, json.dumps(meta, indent=1))
    progress(frames, frames)


def _warnings(info: MediaInfo, report: DecodeReport) -> list[str]:
    """Problems worth telling the user about a file that still imported."""
    found = []
    declared = declared_duration(info.path)
    truncated = truncation_problem(declared, report.source_frames / info.sample_rate)
    if truncated is not None:
        found.append(truncated)
    if report.stopped_early:
        found.append(f"reading stopped early: {report.stopped_early}")
    if report.bad_packets:
        where = "" if report.first_bad_at is None else f", first at {report.first_bad_at:.2f} s"
        found.append(f"{report.bad_packets} damaged packets skipped{where}")
    return found


_DONE = object()


class _Decoder:
    """Runs :func:`decode_blocks` on its own thread behind a bounded queue."""

    def __init__(
        self, path: Path, sample_rate: int, channels: int, store: StoreFormat, report: DecodeReport
    ) -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=QUEUE_BLOCKS)
        self._stopping = threading.Event()
        self._finished = False
        self._thread = threading.Thread(
            target=self._run,
            args=(path, sample_rate, channels, store, report),
            name=f"decode {path.name}",
            daemon=True,
        )
        self._thread.start()

    def _run(
        self, path: Path, sample_rate: int, channels: int, store: StoreFormat, report: DecodeReport
    ) -> None:
        outcome: object = _DONE
        try:
            blocks = decode_blocks(
                path,
                sample_rate=sample_rate,
                channels=channels,
                store=store,
                block_frames=BLOCK_FRAMES,
                report=report,
            )
            try:
                for block in blocks:
                    if self._stopping.is_set():
                        break
                    self._queue.put(block)
            finally:
                blocks.close()
        except BaseException as exc:  # handed to the consuming thread, which re-raises it
            outcome = exc
        self._queue.put(outcome)

    def __iter__(self) -> _Decoder:
        return self

    def __next__(self) -> npt.NDArray[np.generic]:
        """The next decoded block; re-raises the decoder thread's error."""
        if self._finished:
            raise StopIteration
        item = self._queue.get()
        if isinstance(item, BaseException):
            self._finished = True
            raise item
        if item is _DONE:
            self._finished = True
            raise StopIteration
        assert isinstance(item, np.ndarray)
        return item

    def stop(self) -> None:
        """Ask the thread to end, drain what it queued so it can, and wait for it."""
        self._stopping.set()
        while not self._finished:
            item = self._queue.get()
            if item is _DONE or isinstance(item, BaseException):
                self._finished = True
        self._thread.join()


class _Hasher:
    """SHA-256 of the source on a background thread, overlapping the decode."""

    def __init__(self, path: Path) -> None:
        self._digest = ""
        self._error: MediaError | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            self._digest = sha256_file(path)
        except MediaError as exc:
            self._error = exc

    def join(self) -> None:
        self._thread.join()

    def result(self) -> str:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._digest
