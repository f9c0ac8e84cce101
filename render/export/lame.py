"""MP3 frame encoders: the system's LAME through ctypes, or PyAV's bundled one.

Why two: the LAME inside the PyAV wheel is built without optimisation — measured here it
encodes 3× slower than the distribution's ``libmp3lame`` that the ``ffmpeg`` CLI uses, which
no amount of pipelining can win back. So when a system ``libmp3lame`` is present (Debian's
``libmp3lame0``, Homebrew's ``lame``; installers can bundle it) it is called directly; otherwise
the encoder falls back to PyAV's. Both are configured the way FFmpeg configures LAME for
``-b:a 192k`` (CBR, joint stereo, LAME's default quality), and both hand back whole MP3 frames
as bytes, so the muxing code does not care which one ran. ctypes releases the GIL during the
call, so several encoders run in parallel threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any, Protocol

import av
import numpy as np
import numpy.typing as npt

from render.errors import ExportError
from render.export.aac import FrameChunker

MP3_FRAME = 1152
DECODER_DELAY = 528 + 1
"""The MP3 decoder's own delay, which FFmpeg's gapless accounting adds to LAME's."""

_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)
_MONO, _JOINT_STEREO = 3, 1


class FrameEncoder(Protocol):
    """Turns float32 audio into whole MP3 frames (bytes, one per 1152 samples)."""

    delay: int
    """LAME's encoder delay in samples (the decoder adds :data:`DECODER_DELAY`)."""

    def encode(self, block: npt.NDArray[np.float32]) -> list[bytes]:
        """Encode ``(frames, channels)`` float32 samples in [-1, 1]; return finished frames."""
        ...

    def flush(self) -> list[bytes]: ...

    def close(self) -> None: ...


def split_frames(buffer: bytearray) -> Iterator[bytes]:
    """Take every complete MPEG-1 Layer III frame off the front of ``buffer``."""
    pos = 0
    while len(buffer) - pos >= 4:
        b1, b2 = buffer[pos + 1], buffer[pos + 2]
        if buffer[pos] != 0xFF or (b1 & 0xFE) != 0xFA:
            raise ExportError("the MP3 encoder produced an invalid frame header")
        size = 144 * _BITRATES[b2 >> 4] * 1000 // _RATES[(b2 >> 2) & 3] + ((b2 >> 1) & 1)
        if len(buffer) - pos < size:
            break
        yield bytes(buffer[pos : pos + size])
        pos += size
    del buffer[:pos]


@cache
def system_lame() -> Any | None:
    """The system ``libmp3lame`` (ctypes), or ``None`` when absent or disabled.

    ``WORDCUT_MP3_ENCODER=pyav`` forces PyAV's encoder (for comparison and as an escape hatch).
    """
    if os.environ.get("WORDCUT_MP3_ENCODER", "").lower() == "pyav":
        return None
    name = ctypes.util.find_library("mp3lame")
    candidates = [name] if name else []
    candidates += ["libmp3lame.so.0", "libmp3lame.0.dylib", "libmp3lame.dll"]
    for candidate in candidates:
        try:
            lib = ctypes.CDLL(candidate)
        except OSError:
            continue
        try:
            _declare(lib)
        except AttributeError:  # a LAME older than 3.99 (no float input): not usable
            continue
        return lib
    return None


def _declare(lib: Any) -> None:
    """Give ctypes the signatures of the LAME calls used here."""
    lib.lame_init.restype = ctypes.c_void_p
    lib.lame_close.argtypes = [ctypes.c_void_p]
    for fn in (
        "lame_set_in_samplerate",
        "lame_set_out_samplerate",
        "lame_set_num_channels",
        "lame_set_brate",
        "lame_set_mode",
        "lame_set_bWriteVbrTag",
        "lame_set_disable_reservoir",
        "lame_set_VBR",
    ):
        getattr(lib, fn).argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.lame_init_params.argtypes = [ctypes.c_void_p]
    lib.lame_get_encoder_delay.argtypes = [ctypes.c_void_p]
    floats = ctypes.POINTER(ctypes.c_float)
    lib.lame_encode_buffer_ieee_float.argtypes = [
        ctypes.c_void_p,
        floats,
        floats,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
    ]
    lib.lame_encode_buffer_interleaved_ieee_float.argtypes = [
        ctypes.c_void_p,
        floats,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
    ]
    lib.lame_encode_flush.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]


class SystemLame:
    """LAME through ctypes: CBR, no Xing frame of its own (the muxer writes the tag)."""

    def __init__(self, sample_rate: int, channels: int, bitrate: int, reservoir: bool) -> None:
        lib = system_lame()
        if lib is None:
            raise ExportError("no system libmp3lame")
        self._lib = lib
        self._gfp = ctypes.c_void_p(lib.lame_init())
        if not self._gfp:
            raise ExportError("cannot start the MP3 encoder")
        self.channels = channels
        for fn, value in (
            ("lame_set_in_samplerate", sample_rate),
            ("lame_set_out_samplerate", sample_rate),
            ("lame_set_num_channels", channels),
            ("lame_set_mode", _MONO if channels == 1 else _JOINT_STEREO),
            ("lame_set_VBR", 0),
            ("lame_set_brate", bitrate // 1000),
            ("lame_set_bWriteVbrTag", 0),
            ("lame_set_disable_reservoir", 0 if reservoir else 1),
        ):
            getattr(lib, fn)(self._gfp, value)
        if lib.lame_init_params(self._gfp) < 0:
            self.close()
            raise ExportError(f"the MP3 encoder refused {sample_rate} Hz / {bitrate // 1000}k")
        self.delay = int(lib.lame_get_encoder_delay(self._gfp))
        self._out = ctypes.create_string_buffer(1 << 16)
        self._pending = bytearray()

    def encode(self, block: npt.NDArray[np.float32]) -> list[bytes]:
        n = block.shape[0]
        need = int(1.25 * n) + 7200
        if need > len(self._out):
            self._out = ctypes.create_string_buffer(need)
        data = np.ascontiguousarray(block, dtype=np.float32)
        floats = ctypes.POINTER(ctypes.c_float)
        if self.channels == 1:
            pcm = data.ctypes.data_as(floats)
            size = self._lib.lame_encode_buffer_ieee_float(
                self._gfp, pcm, pcm, n, self._out, len(self._out)
            )
        else:  # (frames, 2) C-order is already LAME's interleaved layout: no copy
            size = self._lib.lame_encode_buffer_interleaved_ieee_float(
                self._gfp, data.ctypes.data_as(floats), n, self._out, len(self._out)
            )
        return self._take(size)

    def flush(self) -> list[bytes]:
        size = self._lib.lame_encode_flush(self._gfp, self._out, len(self._out))
        frames = self._take(size)
        if self._pending:
            raise ExportError("the MP3 encoder ended mid-frame")
        return frames

    def _take(self, size: int) -> list[bytes]:
        if size < 0:
            raise ExportError(f"the MP3 encoder failed (LAME error {size})")
        self._pending += self._out.raw[:size]
        return list(split_frames(self._pending))

    def close(self) -> None:
        if self._gfp:
            self._lib.lame_close(self._gfp)
            self._gfp = ctypes.c_void_p()


class PyAvLame:
    """PyAV's bundled LAME (slower build), fed exact 1152-sample frames."""

    def __init__(self, sample_rate: int, channels: int, bitrate: int, reservoir: bool) -> None:
        from fractions import Fraction

        ctx: Any = av.CodecContext.create("libmp3lame", "w")
        ctx.sample_rate = sample_rate
        ctx.layout = "mono" if channels == 1 else "stereo"
        ctx.format = "fltp"
        ctx.bit_rate = bitrate
        ctx.time_base = Fraction(1, sample_rate)
        ctx.options = {"reservoir": "1" if reservoir else "0"}
        ctx.open()
        self._ctx = ctx
        self.delay = 576
        self._chunker = FrameChunker(MP3_FRAME, channels, sample_rate)

    def encode(self, block: npt.NDArray[np.float32]) -> list[bytes]:
        return self._send(self._chunker.frames(block))

    def flush(self) -> list[bytes]:
        return self._send(self._chunker.tail()) + [bytes(p) for p in self._ctx.encode(None)]

    def _send(self, frames: Iterable[av.AudioFrame]) -> list[bytes]:
        return [bytes(p) for frame in frames for p in self._ctx.encode(frame)]

    def close(self) -> None:
        self._ctx = None


def open_encoder(sample_rate: int, channels: int, bitrate: int, reservoir: bool) -> FrameEncoder:
    """The fastest MP3 encoder available here."""
    if system_lame() is not None:
        return SystemLame(sample_rate, channels, bitrate, reservoir)
    return PyAvLame(sample_rate, channels, bitrate, reservoir)
