"""``wordcut --self-test``: does this installation work, end to end, on this machine?

Why it exists: an installer build can be complete on the build machine and broken on the
user's — a native library missing (PortAudio, ICU, an ffmpeg codec), a data file left out
(faster-whisper's VAD model, the bundled speech model), a frozen ``spawn`` child that re-runs
the app instead of the worker. Each step below exercises one of those the way the app does, so
a support request can start from its output and CI can gate a build on its exit status:

1. ``imports``     every module of ``editor``, ``sync`` and ``render`` and the native stack;
2. ``render``      decode the demo episode → render an edited cut to MP3 with loudness,
                   tags and chapters → read the tags back and decode the result;
   ``codecs``      a tone encoded to MP3, M4A, FLAC, WAV and Opus and decoded as an import
                   does; an M4A export's title read back (the bundle leaves out FFmpeg's
                   video and TLS libraries: this shows no audio path needed them);
3. ``audio``       open the default audio output through PortAudio and play 0.2 s of silence
                   (a null device counts: the point is that PortAudio loads and opens);
4. ``transcribe``  a few seconds of the demo's speech with the bundled model, in a ``spawn``
                   child process exactly like a real transcription job;
5. ``window``      the desktop app's first window, offscreen, saved as a PNG.

One line per step (``ok`` or ``FAILED: <why>``), a summary line, exit status 0 only if every
step passed. Nothing of the user's is touched: the library, settings and outputs live in a
temporary folder that is removed afterwards. Nothing here imports Qt, numpy or the media stack
at module level, so building the CLI parser stays cheap.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEMO_SPEECH = (1.0, 5.0)
"""Seconds of the demo episode transcribed (a short stretch: the step checks the model runs)."""

CUT = ((0.0, 2.0), (5.0, 7.0))
"""The edited programme rendered from the demo: two ranges, one join."""

TRANSCRIBE_TIMEOUT_S = 180.0
NATIVE_MODULES = (
    "numpy",
    "av",
    "soundfile",
    "mutagen",
    "msgspec",
    "websockets",
    "platformdirs",
    "ctranslate2",
    "onnxruntime",
    "tokenizers",
    "faster_whisper",
    "PySide6.QtCore",
    "PySide6.QtGui",
    "PySide6.QtWidgets",
    "pyqtgraph",
)
OUR_PACKAGES = ("render", "sync", "editor")


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one step found: ``detail`` is a short phrase for the report line."""

    name: str
    ok: bool
    detail: str
    seconds: float

    def line(self) -> str:
        state = "ok" if self.ok else "FAILED:"
        return f"self-test: {self.name:<10} {state} {one_line(self.detail)} ({self.seconds:.1f} s)"


def one_line(text: str, limit: int = 300) -> str:
    """A message on one line: NumPy's import error is 20 lines of advice around one cause."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    cause = [ln for ln in lines if ln.startswith("Original error was:")]
    joined = " ".join(cause or lines)
    return joined if len(joined) <= limit else joined[: limit - 3] + "..."


class StepFailed(Exception):
    """A step's expected failure: its message is the report line's reason."""


def _demo_media() -> Path:
    from editor.cli.demo_cmds import DEMO_MEDIA

    if not DEMO_MEDIA.is_file():
        raise StepFailed(f"{DEMO_MEDIA}: the bundled demo episode is missing")
    return DEMO_MEDIA


# -- 1. imports ---------------------------------------------------------------------------------


def _module_names() -> list[str]:
    """Every module of our packages, found the way the running interpreter sees them."""
    import importlib
    import pkgutil

    names: list[str] = []
    for package in OUR_PACKAGES:
        pkg = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
            if info.name.rsplit(".", 1)[-1] == "__main__":
                continue  # running it would start the command
            names.append(info.name)
    return names


def step_imports(_work: Path) -> str:
    import importlib

    failed: list[str] = []
    for name in NATIVE_MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a native library missing shows up as any exception type
            failed.append(f"{name} ({type(exc).__name__}: {one_line(str(exc), 160)})")
    ours = _module_names()
    for name in ours:
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed.append(f"{name} ({type(exc).__name__}: {one_line(str(exc), 160)})")
    if failed:
        raise StepFailed(f"{len(failed)} module(s) failed: " + "; ".join(failed[:3]))
    return f"{len(ours)} Wordcut modules, {len(NATIVE_MODULES)} libraries"


# -- 2. decode -> render -> tag ------------------------------------------------------------------


def step_render(work: Path) -> str:
    import json

    import av
    import mutagen.id3

    from editor.cli import main as cli_main

    demo = _demo_media()
    edl = work / "cut.edl.json"
    segments = [{"start": a, "end": b} for a, b in CUT]
    edl.write_text(
        json.dumps({"version": 1, "tracks": [{"path": str(demo)}], "segments": segments}),
        encoding="utf-8",
    )
    chapters = work / "chapters.txt"
    chapters.write_text("00:00:00 Opening\n00:00:02 After the cut\n", encoding="utf-8")
    out = work / "cut.mp3"
    argv = [
        "render",
        str(edl),
        str(out),
        "--quiet",
        "--title",
        "Wordcut self-test",
        "--chapters",
        str(chapters),
    ]
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            status = cli_main(argv)
    finally:
        from editor.logs import install_logging

        install_logging()  # the nested main() took the self-test's log handler down with it
    if status != 0 or not out.is_file():
        raise StepFailed(f"wordcut render exited {status}: {err.getvalue().strip()[:200]}")
    read_id3: Any = mutagen.id3.ID3  # mutagen is untyped
    tags = read_id3(out)
    title = str(tags.get("TIT2", ""))
    chaps = tags.getall("CHAP")
    if title != "Wordcut self-test" or len(chaps) != 2 or not tags.getall("CTOC"):
        raise StepFailed(f"tags read back wrong: title={title!r}, {len(chaps)} chapters")
    expected = sum(b - a for a, b in CUT)
    with av.open(str(out)) as container:
        frames = sum(f.samples for f in container.decode(audio=0))
        rate = container.streams.audio[0].sample_rate
    seconds = frames / rate
    if abs(seconds - expected) > 0.1:
        raise StepFailed(f"rendered {seconds:.2f} s, expected {expected:.2f} s")
    return f"{seconds:.2f} s MP3, title and {len(chaps)} chapters read back"


# -- 2b. every audio format ----------------------------------------------------------------------

FORMATS = (
    ("mp3", "libmp3lame", "fltp", 44100),
    ("m4a", "aac", "fltp", 44100),
    ("flac", "flac", "s16", 44100),
    ("wav", "pcm_s16le", "s16", 44100),
    ("opus", "libopus", "flt", 48000),
)
"""The formats a podcaster brings or exports: (extension, encoder, sample format, rate)."""


def step_codecs(work: Path) -> str:
    """Encode a tone in each of :data:`FORMATS`, then decode it the way an import does.

    Why: the installer leaves out the FFmpeg libraries an audio editor never calls (video
    codecs, TLS; packaging/stub_libs.py); this shows every audio encoder and decoder the app
    relies on is still there, and an M4A export with its tags reads back.
    """
    import json

    import av
    import mutagen.mp4
    import numpy as np

    from editor.cli import main as cli_main
    from render.media.decode import DecodeReport, decode_blocks

    done = []
    for ext, codec, fmt, rate in FORMATS:
        path = work / f"tone.{ext}"
        tone = (0.3 * np.sin(np.arange(rate) * 2 * np.pi * 440 / rate)).astype(np.float32)
        with av.open(str(path), "w") as container:
            stream: Any = container.add_stream(codec, rate=rate)  # an audio stream
            stream.layout = "mono"
            data = tone[None, :] if fmt.endswith("p") else tone.reshape(1, -1)
            if fmt.startswith("s16"):
                data = (data * 32767).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(data, format=fmt, layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
        report = DecodeReport()
        blocks = decode_blocks(
            path, sample_rate=48000, channels=1, store="flt", block_frames=4800, report=report
        )
        seconds = sum(len(b) for b in blocks) / 48000
        if not 0.9 <= seconds <= 1.1 or report.bad_packets:
            raise StepFailed(f"{ext}: decoded {seconds:.2f} s of a 1 s tone")
        done.append(ext)

    edl = work / "cut-m4a.edl.json"
    segments = [{"start": a, "end": b} for a, b in CUT]
    doc = {"version": 1, "tracks": [{"path": str(_demo_media())}], "segments": segments}
    edl.write_text(json.dumps(doc), encoding="utf-8")
    out = work / "cut.m4a"
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            status = cli_main(["render", str(edl), str(out), "--quiet", "--title", "Wordcut"])
    finally:
        from editor.logs import install_logging

        install_logging()
    if status != 0 or not out.is_file():
        raise StepFailed(f"wordcut render to M4A exited {status}: {err.getvalue().strip()[:200]}")
    read_mp4: Any = mutagen.mp4.MP4  # mutagen is untyped
    title = read_mp4(out).tags.get("\xa9nam", [""])[0]
    if title != "Wordcut":
        raise StepFailed(f"M4A title read back as {title!r}")
    return f"encoded and decoded {', '.join(done)}; M4A export with its title read back"


# -- 3. audio output -----------------------------------------------------------------------------


def step_audio(_work: Path) -> str:
    import numpy as np

    from editor.errors import EditorError
    from editor.playback.devices import load_sounddevice

    try:
        sd = load_sounddevice()
    except EditorError as exc:
        raise StepFailed(str(exc)) from None
    try:
        device = sd.query_devices(kind="output")
    except Exception as exc:
        raise StepFailed(f"PortAudio loaded but there is no audio output device ({exc})") from None
    rate = int(device.get("default_samplerate") or 48000)
    channels = max(1, min(2, int(device["max_output_channels"])))
    try:
        with sd.OutputStream(samplerate=rate, channels=channels, dtype="float32") as stream:
            stream.write(np.zeros((rate // 5, channels), dtype=np.float32))
    except Exception as exc:
        raise StepFailed(f"cannot open {device['name']!r}: {exc}") from None
    api = sd.query_hostapis(device["hostapi"])["name"]
    return f"played 0.2 s on {device['name']!r} ({api}, {rate} Hz)"


# -- 4. transcription ----------------------------------------------------------------------------


def transcribe_clip(path: str, start: float, end: float) -> list[str]:
    """Child-process body: the words of ``path`` between ``start`` and ``end`` (seconds).

    Module-level so that ``spawn`` can find it by name, as it finds the real worker.
    """
    from editor.transcribe.audio import file_source
    from editor.transcribe.engine import DecodeOptions, whisper_engine
    from editor.transcribe.model import default_threads, resolve_model

    audio = file_source(Path(path)).read(start, end)
    engine = whisper_engine(resolve_model(None), default_threads(), 1)
    return [w.text for w in engine.transcribe(audio, DecodeOptions())]


def step_transcribe(_work: Path) -> str:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from editor.transcribe.model import resolve_model

    spec = resolve_model(None)  # the bundled model is there and complete, or a clear reason
    demo = _demo_media()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        future = pool.submit(transcribe_clip, str(demo), *DEMO_SPEECH)
        words = future.result(timeout=TRANSCRIBE_TIMEOUT_S)
    if not words:
        raise StepFailed("the model heard no words in the demo's speech")
    model = Path(spec.source).name
    text = " ".join(words)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{len(words)} words with {model}: {text!r}"


# -- 5. window -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _qt_messages_to_log() -> Any:
    """Qt's own notes (the offscreen plug-in's "does not support raise()") go to the log, not
    the report: they are written by C++ straight to stderr, past ``redirect_stderr``."""
    import logging

    from PySide6.QtCore import qInstallMessageHandler

    qt_log = logging.getLogger("wordcut.selftest.qt")

    def handler(_mode: Any, _context: Any, message: str) -> None:
        qt_log.info("%s", message)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def step_window(work: Path) -> str:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from editor.ui.app import main as app_main

    shot = work / "window.png"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), _qt_messages_to_log():
        status = app_main(None, shot)
    if status != 0 or not shot.is_file():
        raise StepFailed(f"the window did not open (status {status}): {err.getvalue().strip()}")
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    if image.isNull() or image.width() < 200 or image.height() < 200:
        raise StepFailed(f"the screenshot is not a window ({image.width()}x{image.height()})")
    return f"start screen {image.width()}x{image.height()} saved offscreen"


STEPS: tuple[tuple[str, Callable[[Path], str]], ...] = (
    ("imports", step_imports),
    ("render", step_render),
    ("codecs", step_codecs),
    ("audio", step_audio),
    ("transcribe", step_transcribe),
    ("window", step_window),
)


def _run_step(name: str, body: Callable[[Path], str], work: Path) -> StepResult:
    started = time.perf_counter()
    try:
        detail = body(work)
        ok = True
    except StepFailed as exc:
        detail, ok = str(exc), False
    except Exception as exc:  # a broken installation shows up as anything: report, don't crash
        import logging

        logging.getLogger(__name__).exception("self-test step %s", name)
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return StepResult(name, ok, detail, time.perf_counter() - started)


def header() -> str:
    """What is being tested: version, frozen or not, where it runs from."""
    from importlib import metadata

    try:
        version = metadata.version("wordcut")
    except metadata.PackageNotFoundError:
        version = "unknown version"
    kind = "installer build" if getattr(sys, "frozen", False) else "Python install"
    return f"self-test: Wordcut {version}, {kind} at {Path(sys.executable).parent}"


@contextlib.contextmanager
def _private_environment(work: Path) -> Any:
    """Point the library and (on Linux) Qt's settings at ``work`` for the duration."""
    keys = ("WORDCUT_HOME", "XDG_CONFIG_HOME", "QT_QPA_PLATFORM")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ["WORDCUT_HOME"] = str(work / "home")
    if sys.platform.startswith("linux"):
        os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_self_test(
    steps: Sequence[str] | None = None, out: Callable[[str], None] | None = None
) -> int:
    """Run the steps (all by default), print one line each; 0 if all passed, else 1."""
    say = out or (lambda line: print(line, flush=True))
    chosen = [(n, f) for n, f in STEPS if steps is None or n in steps]
    say(header())
    results: list[StepResult] = []
    with tempfile.TemporaryDirectory(prefix="wordcut-selftest-") as tmp:
        work = Path(tmp)
        with _private_environment(work):
            for name, body in chosen:
                result = _run_step(name, body, work)
                results.append(result)
                say(result.line())
    failed = [r.name for r in results if not r.ok]
    if failed:
        say(f"self-test: FAILED ({len(failed)} of {len(results)} steps: {', '.join(failed)})")
        return 1
    say(f"self-test: passed ({len(results)} of {len(results)} steps)")
    return 0


class SelfTestAction(argparse.Action):
    """``--self-test``: runs at parse time (like ``--help``) and exits with the result."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("nargs", 0)
        kwargs.setdefault(
            "help", "check this installation (imports, render, audio, transcription, window)"
        )
        super().__init__(option_strings, dest, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        parser.exit(run_self_test())
