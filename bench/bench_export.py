"""Export benchmark: ``wordcut render`` against the ``ffmpeg`` CLI doing the same cuts.

Generates a long 48 kHz stereo episode (real speech from ../shared/data looped with pauses, or
noise bursts if that folder is absent) and an EDL of ~280 kept segments, writes the equivalent
``ffmpeg -f concat`` list (``inpoint``/``outpoint``), and in the same run times:

* MP3 192k with loudness off — ours vs ffmpeg (the bar: ratio ≤ 1.0);
* MP3 192k with loudness on (−16 LUFS, −1 dBTP) — ours vs the same ffmpeg MP3 (bar: ≤ 1.5);
* WAV 16-bit — ours vs ffmpeg;

reporting medians of ``--runs``, each process's peak RSS (GNU time), each output's duration
error against the EDL (outputs decoded with ffmpeg, samples counted — ffmpeg honours the
MP3's gapless header), the loudness-on output measured by ffmpeg's ``ebur128`` filter, a click
check at the EDL joins and at the parallel-encoder span joins, and optionally (``--long-minutes``)
the peak RSS of a 3-hour render. Figures are printed as a Markdown table for docs/benchmarks.md.

    .venv/bin/python bench/bench_export.py                 # 90 min, 3 runs, plus a 3-hour RSS run
    .venv/bin/python bench/bench_export.py --minutes 10 --runs 1 --long-minutes 0   # quick
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SPEECH = ROOT / ".." / "shared" / "data" / "speech" / "sonnets"
RATE = 48_000
WORDCUT = [sys.executable, "-c", "import sys; from editor.cli import main; sys.exit(main())"]

sys.path.insert(0, str(ROOT))


# --- test material -----------------------------------------------------------------------------


def speech_material(rng: np.random.Generator) -> list[np.ndarray]:
    """Real read speech at 48 kHz stereo, one array per recording (noise bursts if absent)."""
    clips: list[np.ndarray] = []
    for path in sorted(SPEECH.glob("sonnet_p*.mp3")):
        with av.open(str(path)) as container:
            resampler = av.AudioResampler(format="flt", layout="stereo", rate=RATE)
            parts = []
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    parts.append(out.to_ndarray().reshape(-1, 2))
            for out in resampler.resample(None):
                parts.append(out.to_ndarray().reshape(-1, 2))
        clips.append(np.concatenate(parts).astype(np.float32))
    if not clips:
        print("note: ../shared/data/speech absent; using noise bursts", file=sys.stderr)
        for _ in range(3):
            n = RATE * 50
            env = (np.sin(np.linspace(0, 200, n)) > 0).astype(np.float32) * 0.2
            clips.append((rng.standard_normal((n, 2)) * env[:, None]).astype(np.float32))
    return clips


def make_episode(path: Path, minutes: float, seed: int = 1) -> int:
    """Write a ``minutes``-long episode (speech with pauses, varying level); return frames."""
    if path.exists():
        return int(sf.info(str(path)).frames)
    rng = np.random.default_rng(seed)
    clips = speech_material(rng)
    total = int(minutes * 60 * RATE)
    tmp = path.with_suffix(".tmp.wav")
    written = 0
    with sf.SoundFile(tmp, "w", RATE, 2, subtype="PCM_16") as out:
        while written < total:
            clip = clips[rng.integers(len(clips))]
            a = int(rng.integers(0, len(clip) // 2))
            b = min(len(clip), a + int(rng.integers(RATE * 5, RATE * 25)))
            piece = clip[a:b] * np.float32(10 ** (rng.uniform(-6, 3) / 20))
            pause = np.zeros((int(rng.uniform(0.2, 2.5) * RATE), 2), np.float32)
            pause += rng.standard_normal(pause.shape).astype(np.float32) * 1e-4
            for chunk in (piece, pause):
                chunk = chunk[: total - written]
                out.write(np.clip(chunk, -1, 1))
                written += len(chunk)
    tmp.replace(path)
    return total


def make_edl(source: Path, frames: int, segments: int, seed: int = 2) -> list[tuple[float, float]]:
    """~``segments`` kept ranges with cuts between them (about 20 % removed), on ms boundaries."""
    rng = np.random.default_rng(seed)
    seconds = frames / RATE
    slot = seconds / segments
    ranges = []
    for i in range(segments):
        lo = i * slot
        cut = rng.uniform(0.1, 0.4) * slot
        start = round(lo + cut * rng.uniform(0.3, 0.7), 3)
        end = round(lo + slot - cut * rng.uniform(0.3, 0.7), 3)
        ranges.append((start, min(end, math.floor(seconds * 1000) / 1000)))
    return ranges


def write_inputs(folder: Path, minutes: float, segments: int) -> tuple[Path, Path, int]:
    """Episode, EDL and ffmpeg concat list; return (edl, concat list, expected frames)."""
    folder.mkdir(parents=True, exist_ok=True)
    episode = folder / f"episode-{minutes:g}min.wav"
    frames = make_episode(episode, minutes)
    ranges = make_edl(episode, frames, segments)
    edl = {
        "version": 1,
        "sample_rate": RATE,
        "crossfade_ms": 10.0,
        "tracks": [{"path": episode.name}],
        "segments": [{"start": a, "end": b} for a, b in ranges],
    }
    edl_path = folder / f"episode-{minutes:g}min.edl.json"
    edl_path.write_text(json.dumps(edl))
    concat = folder / f"episode-{minutes:g}min.concat.txt"
    lines = ["ffconcat version 1.0"]
    for a, b in ranges:
        lines += [f"file '{episode.name}'", f"inpoint {a:.3f}", f"outpoint {b:.3f}"]
    concat.write_text("\n".join(lines) + "\n")
    expected = sum(round(b * RATE) - round(a * RATE) for a, b in ranges)
    return edl_path, concat, expected


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    rss_mb: float
    cpu_seconds: float
    """User + system CPU time of the process (all its threads)."""


def timed(cmd: list[str]) -> Run:
    """Run ``cmd``; its wall time and peak RSS.

    RSS comes from GNU time (``%M``): a child's ``wait4`` figure would include this (large)
    Python process, because Linux carries the pre-exec high-water mark across ``exec``.
    """
    report = OUT / "time.txt"
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-o", str(report), "-f", "%M %U %S", *cmd],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    rss_kb, user, system = report.read_text().split()[-3:]
    return Run(seconds, int(rss_kb) / 1024, float(user) + float(system))


def decoded_frames(path: Path) -> int:
    """Frames ffmpeg decodes from ``path`` at 48 kHz (gapless trimming honoured)."""
    proc = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-",
        ],
        capture_output=True,
        check=True,
    )
    return len(proc.stdout) // 2


def decode_float(path: Path) -> np.ndarray:
    proc = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "2", "-"],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(proc.stdout, dtype=np.float32).reshape(-1, 2)


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's own meter."""
    proc = subprocess.run(
        ["ffmpeg", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = proc.stderr[proc.stderr.rfind("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])  # type: ignore[index]
    peak = float(re.search(r"Peak:\s+(-?[\d.inf]+) dBFS", summary)[1])  # type: ignore[index]
    return integrated, peak


def window_rms(x: np.ndarray, at: int, half: int) -> float:
    seg = x[max(0, at - half) : at + half]
    return float(np.sqrt(np.mean(seg.astype(np.float64) ** 2))) if len(seg) else 0.0


def source_join_bar(program: np.ndarray, edl: Any, joins: list[int]) -> tuple[int, float]:
    """The issue's no-click bar, as stated: at every join, the largest sample-to-sample step of
    the program (over the crossfade, ±5 ms) is no larger than the largest step in the 50 ms of
    source around the cut (±25 ms around each side's cut point). Returns (joins over, worst
    ratio). The bench's episode is one track, so the source is that track's WAV."""
    from render.edl import SourceRange

    (track,) = edl.tracks
    src = sf.SoundFile(str(track.path))
    ranges = [seg.frames(RATE) for seg in edl.segments if isinstance(seg, SourceRange)]
    half, ctx = RATE * 5 // 1000, RATE * 25 // 1000

    def steps(a: int, b: int) -> float:
        src.seek(max(0, a))
        block = src.read(b - max(0, a), dtype="float32", always_2d=True)
        return float(np.abs(np.diff(block, axis=0)).max()) if len(block) > 1 else 0.0

    over, worst = 0, 0.0
    for j, ((_, a_end), (b_start, _)) in zip(joins, itertools.pairwise(ranges), strict=False):
        at_join = float(np.abs(np.diff(program[j - half : j + half + 1], axis=0)).max())
        around = max(steps(a_end - ctx, a_end + ctx), steps(b_start - ctx, b_start + ctx))
        ratio = at_join / max(around, 1e-9)
        worst = max(worst, ratio)
        over += ratio > 1.0 + 1e-6
    src.close()
    return over, worst


def click_check(wav: Path, mp3: Path, edl_path: Path, span_starts: list[int]) -> dict[str, float]:
    """Clicks at joins.

    EDL joins (our WAV, loudness off): a click is a sample-to-sample step at the join well
    above any step the audio makes within 25 ms around it. Per join, the largest step within
    ±2.5 ms over the largest step in the 2.5–25 ms on either side: report the worst join and
    how many exceed 1.5 (speech itself puts a few joins slightly above 1).
    MP3 span joins (where two encoder threads' output meet): the MP3's coding error relative to
    the signal, (MP3 − WAV) / WAV in RMS over 20 ms at the join, as a percentile of the same
    ratio over 400 windows spread across the program (a click would be at the top).
    """
    from render.edl import load
    from render.reader import EdlReader

    x, _ = sf.read(str(wav), dtype="float32")
    with EdlReader(load(edl_path)) as reader:
        joins = reader.segment_starts()[1:]
    near, around = RATE * 25 // 10000, RATE * 25 // 1000
    ratios = []
    for j in joins:
        seg = np.abs(np.diff(x[j - around : j + around + 1], axis=0)).max(axis=1)
        centre = seg[around - near : around + near].max()
        rest = max(seg[: around - near].max(), seg[around + near :].max())
        ratios.append(float(centre / max(rest, 1e-9)))
    bar_over, bar_worst = source_join_bar(x, load(edl_path), joins)
    y = decode_float(mp3)[: len(x)]
    err = y - x[: len(y)]
    w = RATE // 100

    def ratio(at: int) -> float:
        return window_rms(err, at, w) / max(window_rms(x, at, w), 1e-6)

    spread = [ratio(int(i)) for i in np.linspace(w, len(err) - w, 400)]
    worst = max((ratio(s) for s in span_starts), default=0.0)
    return {
        "edl_joins_over": float(sum(r > 1.5 for r in ratios)),
        "edl_worst_ratio": max(ratios, default=0.0),
        "edl_joins": float(len(joins)),
        "bar_joins_over": float(bar_over),
        "bar_worst_ratio": bar_worst,
        "span_join_percentile": float(np.mean(np.array(spread) < worst) * 100),
        "span_join_ratio": worst,
        "typical_ratio": float(np.median(spread)),
    }


# --- the benchmark -----------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=90.0)
    ap.add_argument("--segments", type=int, default=280)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--long-minutes", type=float, default=180.0, help="0 skips the RSS run")
    args = ap.parse_args()

    edl, concat, expected = write_inputs(OUT, args.minutes, args.segments)
    print(
        f"episode {args.minutes:g} min, {args.segments} segments, program {expected} frames "
        f"({expected / RATE / 60:.1f} min), {os.cpu_count()} CPUs"
    )
    outs = {k: OUT / f"{k}" for k in ("ours.mp3", "ff.mp3", "ours-loud.mp3", "ours.wav", "ff.wav")}
    ff_concat = ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(concat)]
    jobs = {
        "ffmpeg mp3": [*ff_concat, "-c:a", "libmp3lame", "-b:a", "192k", str(outs["ff.mp3"])],
        "ours mp3": [
            *WORDCUT,
            "render",
            str(edl),
            str(outs["ours.mp3"]),
            "--no-loudness",
            "--bitrate",
            "192k",
            "-q",
        ],
        "ours mp3 loud": [
            *WORDCUT,
            "render",
            str(edl),
            str(outs["ours-loud.mp3"]),
            "--bitrate",
            "192k",
            "-q",
        ],
        "ffmpeg wav": [*ff_concat, "-c:a", "pcm_s16le", str(outs["ff.wav"])],
        "ours wav": [*WORDCUT, "render", str(edl), str(outs["ours.wav"]), "--no-loudness", "-q"],
    }
    results: dict[str, list[Run]] = {k: [] for k in jobs}
    for i in range(args.runs):  # interleaved, so drift in machine load hits both sides
        for name, cmd in jobs.items():
            run = timed(cmd)
            results[name].append(run)
            print(
                f"  run {i + 1} {name:14s} {run.seconds:7.2f} s wall {run.cpu_seconds:7.2f} s CPU "
                f"{run.rss_mb:6.1f} MB",
                flush=True,
            )

    med = {k: statistics.median(r.seconds for r in v) for k, v in results.items()}
    cpu = {k: statistics.median(r.cpu_seconds for r in v) for k, v in results.items()}
    rss = {k: max(r.rss_mb for r in v) for k, v in results.items()}
    durations = {name: decoded_frames(path) - expected for name, path in outs.items()}
    loud_i, loud_tp = ebur128(outs["ours-loud.mp3"])
    from render.export.mp3 import plan_spans

    spans = [s.first for s in plan_spans(expected, min(os.cpu_count() or 1, 4), RATE)[1:]]
    clicks = click_check(outs["ours.wav"], outs["ours.mp3"], edl, spans)

    long_rss = None
    if args.long_minutes:
        ledl, _, _ = write_inputs(
            OUT, args.long_minutes, round(args.segments * args.long_minutes / args.minutes)
        )
        long_rss = timed([*WORDCUT, "render", str(ledl), str(OUT / "long.mp3"), "-q"]).rss_mb

    print()
    print(
        f"| measure ({args.minutes:g} min, {args.segments} cuts, median of {args.runs}) "
        "| ours | ffmpeg | ratio |"
    )
    print("|---|---|---|---|")
    for label, ours, ref in (
        ("MP3 192k, loudness off: wall s", "ours mp3", "ffmpeg mp3"),
        ("MP3 192k, loudness on: wall s", "ours mp3 loud", "ffmpeg mp3"),
        ("WAV 16-bit: wall s", "ours wav", "ffmpeg wav"),
    ):
        print(f"| {label} | {med[ours]:.2f} | {med[ref]:.2f} | {med[ours] / med[ref]:.2f}× |")
        print(
            f"| {label.replace('wall', 'CPU (user+sys)')} | {cpu[ours]:.2f} | {cpu[ref]:.2f} "
            f"| {cpu[ours] / cpu[ref]:.2f}× |"
        )
    for label, ours, ref in (
        ("MP3", "ours mp3", "ffmpeg mp3"),
        ("MP3 loud", "ours mp3 loud", None),
        ("WAV", "ours wav", "ffmpeg wav"),
    ):
        ref_txt = f"{rss[ref]:.0f}" if ref else "—"
        print(f"| peak RSS MB, {label} | {rss[ours]:.0f} | {ref_txt} | |")
    for label, ours, ref in (
        ("MP3", "ours.mp3", "ff.mp3"),
        ("MP3 loud", "ours-loud.mp3", None),
        ("WAV", "ours.wav", "ff.wav"),
    ):
        o = durations[ours]
        ref_txt = f"{durations[ref]} ({durations[ref] / RATE * 1000:+.1f} ms)" if ref else "—"
        print(
            f"| duration error vs EDL, {label}: samples | {o} ({o / RATE * 1000:+.3f} ms) "
            f"| {ref_txt} | |"
        )
    print(
        f"| loudness-on output by ffmpeg ebur128 | {loud_i:.2f} LUFS, {loud_tp:.2f} dBTP "
        "| target −16, ≤ −1.0 | |"
    )
    print(
        "| EDL joins: step at join / largest step in the 50 ms of source around each cut: "
        f"worst; joins over 1 | {clicks['bar_worst_ratio']:.3f}; {clicks['bar_joins_over']:.0f} of "
        f"{clicks['edl_joins']:.0f} | ≤ 1 (the issue's bar) | |\n"
        f"| EDL joins, heuristic (step at join / largest step 2.5–25 ms away): worst; over 1.5 "
        f"| {clicks['edl_worst_ratio']:.2f}; {clicks['edl_joins_over']:.0f} of "
        f"{clicks['edl_joins']:.0f} | | |"
    )
    print(
        "| MP3 span join: coding error / signal at the join (percentile among 400 windows) "
        f"| {clicks['span_join_ratio']:.3f} ({clicks['span_join_percentile']:.0f}th) "
        f"| median {clicks['typical_ratio']:.3f} | |"
    )
    if long_rss is not None:
        print(
            f"| peak RSS MB, {args.long_minutes:g}-min MP3 (loudness on) | {long_rss:.0f} "
            f"| {args.minutes:g}-min: {rss['ours mp3 loud']:.0f} "
            f"| {long_rss / rss['ours mp3 loud']:.2f}× |"
        )


if __name__ == "__main__":
    main()
