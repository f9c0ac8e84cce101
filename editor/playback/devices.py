"""Audio output devices through sounddevice (PortAudio), behind a small backend interface.

sounddevice raises ``OSError`` at import when the PortAudio library is missing, so it is only
imported here, on first use, and that failure becomes one :class:`PlaybackError` sentence. The
CLI and the app import this module lazily, so ``wordcut --help`` never loads PortAudio.

:class:`Backend` is what the transport needs from an audio system; :class:`SoundDeviceBackend`
is the real one and the tests give a fake one that calls the callback on their schedule.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from editor.errors import PlaybackError

BLOCKSIZE = 256
"""Frames per callback: ~5.3 ms at 48 kHz. A splice waits for at most one running callback,
so the buffer's length is part of every seek's and edit's latency."""

LATENCY = 0.03
"""PortAudio's suggested output latency in seconds. PortAudio's "low" (~21 ms on ALSA's pulse
device) underran inside ALSA on this 2-core machine under load; 30 ms did not."""


@dataclass(frozen=True, slots=True)
class OutputDevice:
    """An output device as PortAudio lists it."""

    index: int
    name: str
    hostapi: str
    channels: int
    default_rate: int
    is_default: bool = False

    def describe(self) -> str:
        mark = "*" if self.is_default else " "
        return (
            f"{mark} {self.index:2d}  {self.name}  ({self.hostapi}, "
            f"{self.channels} ch, {self.default_rate} Hz)"
        )


class Stream(Protocol):
    """An open output stream, running its callback until closed."""

    @property
    def latency(self) -> float: ...

    @property
    def time(self) -> float: ...

    @property
    def active(self) -> bool: ...

    def start(self) -> None: ...

    def abort(self) -> None: ...

    def close(self) -> None: ...


StreamCallback = Callable[[Any, int, Any, Any], None]


class Backend(Protocol):
    """An audio system: its devices and a way to open a callback stream on one."""

    def devices(self) -> list[OutputDevice]: ...

    def refresh(self) -> None:
        """Look for devices again (after one vanished or appeared); no stream may be open."""
        ...

    def supports(self, device: OutputDevice, rate: int, channels: int) -> bool: ...

    def open(
        self,
        device: OutputDevice,
        rate: int,
        channels: int,
        callback: StreamCallback,
        finished: Callable[[], None],
        latency: float = LATENCY,
        blocksize: int = BLOCKSIZE,
    ) -> Stream: ...


_import: Callable[[str], ModuleType] = importlib.import_module
"""How sounddevice is imported (tests replace it to play a machine without PortAudio)."""


def load_sounddevice(importer: Callable[[str], ModuleType] | None = None) -> Any:
    """The sounddevice module, or a :class:`PlaybackError` saying what is missing."""
    try:
        return (importer or _import)("sounddevice")
    except OSError:
        raise PlaybackError(
            "PortAudio is not installed, so there is no audio output "
            "(install libportaudio2, or your system's portaudio package)"
        ) from None
    except ImportError:
        raise PlaybackError(
            "the sounddevice package is not installed (pip install sounddevice)"
        ) from None


class SoundDeviceBackend:
    """The real audio system: PortAudio through sounddevice."""

    def __init__(self, importer: Callable[[str], ModuleType] | None = None) -> None:
        self._sd = load_sounddevice(importer)

    def devices(self) -> list[OutputDevice]:
        sd = self._sd
        try:
            listed = sd.query_devices()
            hostapis = sd.query_hostapis()
            default_out = sd.default.device[1]
        except sd.PortAudioError as exc:
            raise PlaybackError(f"cannot list audio devices: {exc}") from None
        if default_out is None or default_out < 0:
            with contextlib.suppress(sd.PortAudioError, ValueError):
                default_out = sd.query_devices(kind="output")["index"]
        out: list[OutputDevice] = []
        for d in listed:
            if d["max_output_channels"] <= 0:
                continue
            out.append(
                OutputDevice(
                    index=int(d["index"]),
                    name=str(d["name"]),
                    hostapi=str(hostapis[d["hostapi"]]["name"]),
                    channels=int(d["max_output_channels"]),
                    default_rate=int(d["default_samplerate"]),
                    is_default=d["index"] == default_out,
                )
            )
        return out

    def refresh(self) -> None:
        sd = self._sd
        with contextlib.suppress(sd.PortAudioError):
            sd._terminate()
        try:
            sd._initialize()
        except sd.PortAudioError as exc:
            raise PlaybackError(f"cannot restart the audio system: {exc}") from None

    def supports(self, device: OutputDevice, rate: int, channels: int) -> bool:
        sd = self._sd
        try:
            sd.check_output_settings(
                device=device.index, samplerate=rate, channels=channels, dtype="float32"
            )
        except (sd.PortAudioError, ValueError):
            return False
        return True

    def open(
        self,
        device: OutputDevice,
        rate: int,
        channels: int,
        callback: StreamCallback,
        finished: Callable[[], None],
        latency: float = LATENCY,
        blocksize: int = BLOCKSIZE,
    ) -> Stream:
        sd = self._sd
        try:
            stream = sd.OutputStream(
                samplerate=rate,
                blocksize=blocksize,
                device=device.index,
                channels=channels,
                dtype="float32",
                latency=latency,
                callback=callback,
                finished_callback=finished,
            )
        except (sd.PortAudioError, ValueError) as exc:
            raise PlaybackError(f"cannot open audio device {device.name!r}: {exc}") from None
        try:
            stream.start()
        except sd.PortAudioError as exc:
            stream.close(ignore_errors=True)
            raise PlaybackError(f"cannot start audio device {device.name!r}: {exc}") from None
        result: Stream = stream
        return result


def choose_device(devices: list[OutputDevice], ref: str | int | None) -> OutputDevice:
    """The device ``ref`` names (an index, an exact name, or a unique part of one), or the
    default output when ``ref`` is ``None`` (the first output if none is marked default)."""
    if not devices:
        raise PlaybackError("no audio output device found")
    if ref is None:
        return next((d for d in devices if d.is_default), devices[0])
    text = str(ref).strip()
    if text.isdigit():
        index = int(text)
        for d in devices:
            if d.index == index:
                return d
        raise PlaybackError(f"no audio output device {index} (see wordcut play --list-devices)")
    exact = [d for d in devices if d.name == text]
    if exact:
        return exact[0]
    folded = text.casefold()
    partial = [d for d in devices if folded in d.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise PlaybackError(f"no audio output device named {text!r} (see --list-devices)")
    names = ", ".join(repr(d.name) for d in partial[:5])
    raise PlaybackError(f"audio device {text!r} is ambiguous: {names}")


def device_rate(backend: Backend, device: OutputDevice, rate: int, channels: int) -> int:
    """The rate to open ``device`` at: the project's if it takes it, else its own default."""
    if backend.supports(device, rate, channels):
        return rate
    if backend.supports(device, device.default_rate, channels):
        return device.default_rate
    raise PlaybackError(
        f"audio device {device.name!r} takes neither {rate} Hz nor its own "
        f"{device.default_rate} Hz with {channels} channel(s)"
    )
