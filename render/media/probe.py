"""Open a source file, say what is in it, and turn every way that can fail into a MediaError.

All of ``render.media`` opens sources through :func:`open_audio`, so "missing", "a folder",
"empty", "not audio" and "no audio stream" are worded once and always name the file. Probing
decodes the first audio frame as well: containers happily "open" a text file or a truncated
header, and the user should hear about that at probe time, not halfway through an import.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import av
import av.container
import av.error
from av.audio.stream import AudioStream

from render.errors import MediaError
from render.media.info import MediaInfo

HASH_CHUNK = 1 << 20
"""Bytes read per hashing step: large enough that hashlib (which drops the GIL) dominates."""

_PROBE_PACKETS = 64
"""Packets read at most while looking for a first decodable frame during probing."""


def check_source(path: str | Path) -> tuple[Path, int]:
    """Return ``(path, size)`` for a readable, non-empty regular file, else raise MediaError."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise MediaError(path, "file not found") from None
    except OSError as exc:
        raise MediaError(path, f"cannot be read ({exc.strerror or exc})") from None
    if path.is_dir():
        raise MediaError(path, "is a folder, not a media file")
    if st.st_size == 0:
        raise MediaError(path, "file is empty (0 bytes)")
    if not os.access(path, os.R_OK):
        raise MediaError(path, "cannot be read (permission denied)")
    return path, st.st_size


@contextlib.contextmanager
def open_audio(path: Path) -> Iterator[tuple[av.container.InputContainer, AudioStream]]:
    """Open ``path`` with FFmpeg and yield its container and first audio stream; always closes."""
    try:
        container = av.open(str(path), mode="r")
    except av.error.InvalidDataError:
        raise MediaError(path, "not a recognised audio file, or too damaged to read") from None
    except av.error.FFmpegError as exc:
        raise MediaError(path, f"cannot be opened ({_ffmpeg_reason(exc)})") from None
    except OSError as exc:
        raise MediaError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        if not container.streams.audio:
            kinds = sorted({s.type for s in container.streams})
            found = f" (found: {', '.join(kinds)})" if kinds else ""
            raise MediaError(path, f"no audio stream{found}")
        stream = container.streams.audio[0]
        ctx = stream.codec_context
        if not ctx.sample_rate or not ctx.channels:
            raise MediaError(path, "audio stream has no sample rate or channels (corrupt header?)")
        yield container, stream
    finally:
        container.close()


def probe(path: str | Path, *, hash: bool = True, allow_damaged: bool = False) -> MediaInfo:
    """Describe ``path``'s first audio stream; raises :class:`MediaError` if it cannot be used.

    ``hash=False`` skips reading the whole file for its SHA-256 (``sha256`` is then ``""``) and
    the truncation check, for quick looks at large files. ``frames`` and ``duration`` are the
    container's estimates. A file that holds less audio than its header declares (a cut-off
    download or copy) is refused, or with ``allow_damaged`` described with a warning.
    """
    path, size = check_source(path)
    warnings: tuple[str, ...] = ()
    with open_audio(path) as (container, stream):
        ctx = stream.codec_context
        sample_format = _first_frame_format(path, container, stream)
        duration = _declared_duration(container, stream)
        stated = _stated(path, container, duration) if hash else None
        if stated is not None:
            problem = truncation_problem(stated, _packet_duration(path, stream))
            if problem is not None and not allow_damaged:
                raise MediaError(path, problem)
            warnings = () if problem is None else (problem,)
        info = MediaInfo(
            path=path,
            size=size,
            sha256="",
            codec=ctx.codec.canonical_name,
            container=container.format.name,
            sample_rate=ctx.sample_rate,
            channels=ctx.channels,
            duration=duration or 0.0,
            frames=None if duration is None else round(duration * ctx.sample_rate),
            bit_rate=ctx.bit_rate or None,
            sample_format=sample_format,
            lossless=bool(ctx.codec.lossless),
            warnings=warnings,
        )
    if hash:
        info = _replace_hash(info, sha256_file(path))
    return info


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks (memory stays flat for any size)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(HASH_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise MediaError(path, f"cannot be read ({exc.strerror or exc})") from None
    return digest.hexdigest()


def declared_duration(path: Path) -> float | None:
    """The duration the file's header states, in seconds, or ``None`` when it states none.

    FFmpeg's estimate from the bit rate (a raw MP3 without a Xing header, ADTS AAC) is not a
    statement: a variable-rate file can be far shorter than that guess without being truncated.
    """
    with open_audio(path) as (container, stream):
        return _stated(path, container, _declared_duration(container, stream))


def truncation_problem(declared: float | None, actual: float) -> str | None:
    """The warning for a file holding less audio than its header declares, or ``None``.

    A tolerance of 2 % (at least one second) absorbs headers that round or estimate.
    """
    if not declared or declared - actual <= max(1.0, declared * 0.02):
        return None
    return (
        f"file looks truncated: it holds {actual:.1f} s of the {declared:.1f} s its header declares"
    )


def _stated(
    path: Path, container: av.container.InputContainer, duration: float | None
) -> float | None:
    """``duration`` if the header states the length (see below), else ``None``."""
    if duration is None or not _header_states_length(path, container):
        return None
    return duration


def _header_states_length(path: Path, container: av.container.InputContainer) -> bool:
    """Whether the container's duration comes from a header that states it, not an estimate.

    WAV, FLAC, MP4 and Ogg state their length; a raw MP3 does only when its first frame carries
    a Xing/Info/VBRI header (LAME and FFmpeg write one), and raw ADTS AAC never does. Without such
    a header FFmpeg guesses the length from the bit rate, so "shorter than declared" would
    be a false alarm (a joined or variable-rate file), not a truncation.
    """
    name = container.format.name
    if name == "aac":
        return False
    if name != "mp3":
        return True
    with open(path, "rb") as f:
        head = f.read(10)
        start = 0
        if head[:3] == b"ID3" and len(head) == 10:
            start = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9])
        f.seek(start)
        frame = f.read(4096)
    sync = next(
        (i for i in range(len(frame) - 1) if frame[i] == 0xFF and frame[i + 1] & 0xE0 == 0xE0),
        None,
    )
    if sync is None:
        return False
    first = frame[sync : sync + 200]
    if b"VBRI" in first:
        return True
    at = max(first.find(b"Xing"), first.find(b"Info"))
    if at < 0:
        return False
    flags = int.from_bytes(first[at + 4 : at + 8], "big")
    if flags & 0x2:  # a stated stream size: a file larger than that is several files joined
        field = at + 8 + (4 if flags & 0x1 else 0)
        stated = int.from_bytes(first[field : field + 4], "big")
        if stated and path.stat().st_size - start > stated * 1.02:
            return False
    return True


def _packet_duration(path: Path, stream: AudioStream) -> float:
    """Seconds of audio actually in the file, from its packets (demuxed, not decoded: cheap)."""
    time_base = stream.time_base
    if time_base is None:
        return 0.0
    first: int | None = None
    end = 0
    try:
        with av.open(str(path), mode="r") as container:
            audio = container.streams.audio[0]
            for packet in container.demux(audio):
                if packet.pts is None:
                    continue
                if first is None:
                    first = packet.pts
                end = max(end, packet.pts + (packet.duration or 0))
    except av.error.FFmpegError:
        pass  # a damaged tail: what was demuxed before it is what the file holds
    return 0.0 if first is None else float((end - first) * time_base)


def _declared_duration(container: av.container.InputContainer, stream: AudioStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    return None


def _first_frame_format(
    path: Path, container: av.container.InputContainer, stream: AudioStream
) -> str:
    """Decode until the first audio frame and return its sample format; MediaError if none."""
    failure = ""
    try:
        for n, packet in enumerate(container.demux(stream)):
            if n >= _PROBE_PACKETS:
                break
            try:
                frames = stream.codec_context.decode(packet)
            except av.error.FFmpegError as exc:
                failure = _ffmpeg_reason(exc)
                continue
            for frame in frames:
                return str(frame.format.name)
    except av.error.FFmpegError as exc:
        failure = _ffmpeg_reason(exc)
    detail = f" ({failure})" if failure else ""
    raise MediaError(path, f"no decodable audio{detail}")


def _replace_hash(info: MediaInfo, sha256: str) -> MediaInfo:
    from dataclasses import replace

    return replace(info, sha256=sha256)


def _ffmpeg_reason(exc: av.error.FFmpegError) -> str:
    """FFmpeg's own wording without the errno and file name PyAV wraps around it."""
    return str(exc.strerror or exc).strip() or type(exc).__name__
