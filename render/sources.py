"""Opening audio files for the program reader: random access to PCM at the project rate.

The reader (``render.reader``) needs to read any span of any file, at the project's sample
rate, as float32 frames. Two kinds of source give it that:

* :class:`SoundFileSource` for WAV/FLAC/AIFF already at the project rate: libsndfile seeks to
  the exact frame, so nothing needs decoding twice.
* :class:`DecodingSource` for everything else PyAV decodes (MP3, M4A/AAC, OGG/Opus, other
  rates): it decodes forward, resamples with ``av.AudioResampler`` and, when a read jumps
  backwards or far ahead, seeks the container. Positions stay sample-accurate: every sample
  index means "the n-th sample a plain sequential decode + resample of the file would produce".

The decoding source's promises rest on three facts (checked by ``tests/render/test_sources*``):

1. Container seeks land on a packet boundary whose ``pts`` is exact, so a decoded frame's ``pts``
   tells us where it lies in the sequential decode (which starts at the pts of its first frame:
   for MP3 that already excludes the encoder's start padding, skipped by FFmpeg).
2. A decoder restarted a few hundred milliseconds early produces bit-identical output from then
   on (MP3's bit reservoir and overlap need a few frames; we allow :data:`DECODER_WARMUP_S`).
3. swresample's FIR resampler, restarted at an input sample that maps to a whole output sample
   (a multiple of ``src_rate / gcd``), reproduces the sequential output after a few dozen
   samples; we restart :data:`RESAMPLER_WARMUP` output frames early and discard them.

Where a fact cannot be relied on (a stream without timestamps, a seek that lands late) the
source decodes from the beginning instead: slower, never wrong. One thing no seek can
reproduce: AAC's perceptual noise substitution draws noise from a generator whose state runs
through the whole stream, so noise-filled bands of such a file differ (not in position, only in
the noise) after a seek. Files imported into the project cache are decoded once and never hit
this.

Another engineer's ``render.media.CachedMedia`` has the same shape; the reader accepts anything
that satisfies :class:`AudioSource`.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import av
import av.error
import numpy as np
import numpy.typing as npt
import soundfile as sf

from render.errors import MediaError
from render.media.probe import declared_duration, truncation_problem

Frames = npt.NDArray[np.float32]
"""A block of audio: float32, shape ``(frames, channels)``."""

SOUNDFILE_FORMATS = frozenset({"WAV", "WAVEX", "FLAC", "AIFF", "W64", "RF64"})
"""Containers libsndfile seeks in exactly and cheaply; others go through PyAV."""

DECODER_WARMUP_S = 0.5
"""Seconds decoded and thrown away after a seek, before the first sample we keep."""

RESAMPLER_WARMUP = 1024
"""Output frames the restarted resampler produces and we throw away after a seek."""

FAR_AHEAD_S = 5.0
"""A forward jump longer than this seeks instead of decoding through the gap."""


class AudioSource(Protocol):
    """Random access to a file's PCM at the project rate.

    Reads outside ``[0, frames)`` give zeros, so callers can read pre-roll and post-roll around
    a cut without bounds checks. A source is not safe to share between threads: give each
    thread its own (the reader's ``clone`` does).
    """

    @property
    def sample_rate(self) -> int: ...

    @property
    def channels(self) -> int: ...

    @property
    def frames(self) -> int: ...

    def read(self, start: int, count: int) -> Frames:
        """``count`` frames from ``start`` as float32 ``(count, channels)``."""
        ...

    def close(self) -> None: ...


SourceOpener = Callable[[Path, int], AudioSource]
"""How the reader opens a file at a sample rate; :func:`open_source` unless a cache is used."""


def open_source(path: Path, sample_rate: int) -> AudioSource:
    """Open ``path`` for reading at ``sample_rate``, choosing the cheapest exact way.

    Raises :class:`MediaError` naming the file for a missing, empty, unreadable or non-audio
    file.
    """
    path = Path(path)
    _check_file(path)
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, OSError):
        info = None
    if info is not None and info.format in SOUNDFILE_FORMATS and info.samplerate == sample_rate:
        if info.frames <= 0:
            raise MediaError(path, "contains no audio samples")
        return SoundFileSource(path)
    return DecodingSource(path, sample_rate)


def _check_file(path: Path) -> None:
    """Turn the common "wrong file" cases into one clear message before any decoder sees it."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise MediaError(path, "no such file") from None
    except OSError as exc:
        raise MediaError(path, f"cannot read: {exc.strerror or exc}") from None
    if not path.is_file():
        raise MediaError(path, "not a file")
    if st.st_size == 0:
        raise MediaError(path, "the file is empty")


def _place(
    block: Frames, start: int, count: int, frames: int, read: Callable[[int, int], Frames]
) -> Frames:
    """Fill ``block`` (zeros) with the part of ``[start, start+count)`` inside ``[0, frames)``."""
    lo = max(start, 0)
    hi = min(start + count, frames)
    if lo < hi:
        data = read(lo, hi - lo)
        block[lo - start : lo - start + len(data)] = data
    return block


class SoundFileSource:
    """A WAV/FLAC file already at the project rate, read through libsndfile's exact seek."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._file = sf.SoundFile(str(self.path))
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise MediaError(self.path, f"cannot open as audio: {exc}") from None
        self.sample_rate: int = self._file.samplerate
        self.channels: int = self._file.channels
        self.frames: int = self._file.frames

    def read(self, start: int, count: int) -> Frames:
        """``count`` frames from ``start``; zeros outside the file."""
        if count < 0:
            raise ValueError(f"count must not be negative, not {count}")
        if self._file.closed:
            raise ValueError(f"{self.path}: the source is closed")
        block = np.zeros((count, self.channels), dtype=np.float32)
        return _place(block, start, count, self.frames, self._read_inside)

    def _read_inside(self, start: int, count: int) -> Frames:
        try:
            self._file.seek(start)
            data: Frames = self._file.read(count, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise MediaError(
                self.path, f"cannot read frames {start}..{start + count}: {exc}"
            ) from None
        return data

    def close(self) -> None:
        """Release the file handle; safe to call twice."""
        self._file.close()

    def __repr__(self) -> str:
        return f"SoundFileSource({str(self.path)!r}, {self.sample_rate} Hz, {self.frames} frames)"


# --- decoding source ---------------------------------------------------------------------------


class _Probe:
    """What a sequential decode reveals once: length at the project rate, first timestamp, and
    whether that length falls short of what the header declares (a truncated file)."""

    __slots__ = ("first_pts", "frames", "problem")

    def __init__(self, frames: int, first_pts: int | None, problem: str | None) -> None:
        self.frames = frames
        self.first_pts = first_pts
        self.problem = problem


_PROBES: OrderedDict[tuple[str, int, int, int], _Probe] = OrderedDict()
_PROBES_LOCK = threading.Lock()
_PROBES_MAX = 256


def _probe_key(path: Path, sample_rate: int) -> tuple[str, int, int, int]:
    """Identify a file's content cheaply (path, size, mtime) so re-opens skip the length scan."""
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, sample_rate)


class DecodingSource:
    """Any file PyAV decodes, resampled to the project rate, read with sample-accurate seeks.

    Opening scans the file once (decode + resample, counting frames) because neither the
    container's duration nor its frame count is exact; the result is remembered per file
    content, so re-opening (``EdlReader.clone``) is cheap.
    """

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.path = Path(path)
        self.sample_rate: int = sample_rate
        self._container: Any = None
        self._chunks: Iterator[Frames] = iter(())
        self._buf: Frames = np.zeros((0, 1), dtype=np.float32)
        self._buf_pos = 0
        container, stream = self._open()
        try:
            self._src_rate: int = stream.rate
            self.channels: int = stream.channels
            self._layout: str = stream.layout.name
            self._time_base: Fraction | None = stream.time_base
        finally:
            container.close()
        if not self._src_rate or self.channels <= 0:
            raise MediaError(self.path, "the audio stream has no sample rate or channels")
        g = math.gcd(self._src_rate, sample_rate)
        self._step_in = self._src_rate // g
        self._step_out = sample_rate // g
        self._buf = np.zeros((0, self.channels), dtype=np.float32)
        probe = self._probe()
        self.frames: int = probe.frames
        self._first_pts = probe.first_pts
        if self.frames <= 0:
            raise MediaError(self.path, "contains no audio samples")
        if probe.problem is not None:
            raise MediaError(self.path, probe.problem)
        self._restart()

    # -- opening and scanning -------------------------------------------------------------------

    def _open(self) -> tuple[Any, Any]:
        try:
            container = av.open(str(self.path), "r")
        except av.error.FFmpegError as exc:
            raise MediaError(self.path, f"not an audio file PyAV can decode ({exc})") from None
        except OSError as exc:
            raise MediaError(self.path, f"cannot open: {exc}") from None
        if not container.streams.audio:
            container.close()
            raise MediaError(self.path, "contains no audio stream")
        return container, container.streams.audio[0]

    def _probe(self) -> _Probe:
        key = _probe_key(self.path, self.sample_rate)
        with _PROBES_LOCK:
            known = _PROBES.get(key)
            if known is not None:
                _PROBES.move_to_end(key)
                return known
        frames = 0
        first_pts: list[int | None] = []
        container, stream = self._open()
        try:
            for block in self._decode(container, stream, None, first_pts):
                frames += len(block)
        finally:
            container.close()
        problem = truncation_problem(declared_duration(self.path), frames / self.sample_rate)
        probe = _Probe(frames, first_pts[0] if first_pts else None, problem)
        with _PROBES_LOCK:
            _PROBES[key] = probe
            while len(_PROBES) > _PROBES_MAX:
                _PROBES.popitem(last=False)
        return probe

    def _frame_index(self, pts: int | None) -> int | None:
        """A frame's ``pts`` as a sample index at the source rate, or None if unusable."""
        if pts is None or self._time_base is None:
            return None
        return round(pts * self._time_base * self._src_rate)

    def _decode(
        self,
        container: Any,
        stream: Any,
        start_at: int | None,
        first_pts: list[int | None] | None = None,
    ) -> Iterator[Frames]:
        """Decoded, resampled float32 blocks.

        With ``start_at`` None, from the file's beginning (the sequential decode). Otherwise the
        container has just been seeked and input before source sample ``start_at`` (relative to
        the sequential decode's first sample) is dropped, so the fresh resampler starts on the
        sample grid it would have had.
        """
        resampler = av.AudioResampler(format="flt", layout=self._layout, rate=self.sample_rate)
        channels = self.channels
        landed = start_at is None
        try:
            for frame in container.decode(stream):
                if first_pts is not None and not first_pts:
                    first_pts.append(self._frame_index(frame.pts))
                if not landed:
                    landed = True
                    self._check_landing(frame, start_at)
                if start_at is not None:
                    frame = self._trim_to(frame, start_at)
                    if frame is None:
                        continue
                    start_at = None
                frame.pts = None
                for out in resampler.resample(frame):
                    yield _packed(out, channels)
            for out in resampler.resample(None):
                yield _packed(out, channels)
        except av.error.FFmpegError as exc:
            raise MediaError(self.path, f"cannot decode: {exc}") from None

    def _check_landing(self, frame: Any, start_at: int | None) -> None:
        """Refuse a seek that landed too late to warm the decoder up before ``start_at``."""
        index = self._frame_index(frame.pts)
        if index is None or self._first_pts is None or start_at is None:
            raise _SeekFailed
        lead = round(DECODER_WARMUP_S * self._src_rate) // 2
        if index - self._first_pts > start_at - lead:
            raise _SeekFailed

    def _trim_to(self, frame: Any, start_at: int) -> Any:
        """The part of ``frame`` from source sample ``start_at`` on, or None if it ends before."""
        index = self._frame_index(frame.pts)
        if index is None or self._first_pts is None:
            raise _SeekFailed
        skip = start_at - (index - self._first_pts)
        if skip >= frame.samples:
            return None
        if skip == 0:
            return frame
        data = frame.to_ndarray()
        data = data[:, skip:] if frame.format.is_planar else data[:, skip * self.channels :]
        trimmed = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(data), format=frame.format.name, layout=frame.layout.name
        )
        trimmed.sample_rate = frame.sample_rate
        return trimmed

    # -- positioning ----------------------------------------------------------------------------

    def _restart(self) -> None:
        """Decode from the very beginning: the reference every position is measured against."""
        self._close_container()
        container, stream = self._open()
        self._container = container
        self._chunks = self._decode(container, stream, None)
        self._buf = np.zeros((0, self.channels), dtype=np.float32)
        self._buf_pos = 0

    def _seek(self, target: int) -> None:
        """Position so that the next decoded block starts at or a little before ``target``."""
        src_target = target * self._step_in // self._step_out
        warm_in = RESAMPLER_WARMUP * self._step_in // self._step_out + self._step_in
        start_at = (src_target - warm_in) // self._step_in * self._step_in
        seek_to = start_at - round(DECODER_WARMUP_S * self._src_rate)
        if seek_to <= 0 or self._first_pts is None or self._time_base is None:
            self._restart()
            return
        if self._container is None:
            self._container = self._open()[0]
        container = self._container
        stream = container.streams.audio[0]
        try:
            ts = int((seek_to + self._first_pts) / (self._time_base * self._src_rate))
            container.seek(ts, stream=stream, backward=True)
        except av.error.FFmpegError:
            self._restart()
            return
        chunks = self._decode(container, stream, start_at)
        try:
            first = next(chunks, None)
        except _SeekFailed:
            self._restart()
            return
        self._chunks = chunks
        self._buf = first if first is not None else np.zeros((0, self.channels), np.float32)
        self._buf_pos = start_at * self._step_out // self._step_in

    # -- reading --------------------------------------------------------------------------------

    def read(self, start: int, count: int) -> Frames:
        """``count`` frames from ``start``; zeros outside the file."""
        if count < 0:
            raise ValueError(f"count must not be negative, not {count}")
        if self._container is None:
            raise ValueError(f"{self.path}: the source is closed")
        block = np.zeros((count, self.channels), dtype=np.float32)
        return _place(block, start, count, self.frames, self._read_inside)

    def _read_inside(self, start: int, count: int) -> Frames:
        buf_end = self._buf_pos + len(self._buf)
        if start < self._buf_pos or start > buf_end + FAR_AHEAD_S * self.sample_rate:
            self._seek(start)
        out = np.zeros((count, self.channels), dtype=np.float32)
        pos = start
        end = start + count
        while pos < end:
            buf_end = self._buf_pos + len(self._buf)
            if pos < buf_end:
                take = min(end, buf_end) - pos
                out[pos - start : pos - start + take] = self._buf[pos - self._buf_pos :][:take]
                pos += take
                continue
            try:
                nxt = next(self._chunks, None)
            except _SeekFailed:  # pragma: no cover - only the first block can fail a seek
                raise MediaError(self.path, "lost position while decoding") from None
            if nxt is None:
                break  # the file ended early (changed since it was scanned): the rest is silence
            self._buf_pos = buf_end
            self._buf = nxt
        return out

    def _close_container(self) -> None:
        if self._container is not None:
            self._chunks = iter(())
            self._container.close()
            self._container = None

    def close(self) -> None:
        """Release the container; safe to call twice."""
        self._close_container()

    def __repr__(self) -> str:
        return f"DecodingSource({str(self.path)!r}, {self.sample_rate} Hz, {self.frames} frames)"


def _packed(frame: av.AudioFrame, channels: int) -> Frames:
    """A resampled packed-float frame as a ``(frames, channels)`` float32 array."""
    data: Frames = np.asarray(frame.to_ndarray(), dtype=np.float32).reshape(-1, channels)
    return data


class _SeekFailed(Exception):
    """Internal: a seek landed where it cannot be trusted; the caller decodes from the start."""
