"""Import benchmark: decode + cache + peaks of a long MP3 against the ffmpeg CLI's decode.

The bar (docs/benchmarks.md, "Import"): ``import_media`` of a 90-minute 48 kHz stereo MP3 takes
at most 1.2x as long as ``ffmpeg -i x.mp3 -f s16le -y /dev/null`` measured in the same run.
Each measurement runs in its own child process so that its peak RSS is its own (``os.wait4``);
the two alternate run by run so that a noisy neighbour hurts both alike. Medians are printed.

    .venv/bin/python bench/bench_import.py                 # 90 minutes, 3 runs
    .venv/bin/python bench/bench_import.py --minutes 10 --runs 5

The test MP3 is built once in bench/out/ (git-ignored) by looping real speech from the shared
data folder when it is there, else from an amplitude-modulated tone-and-noise "voice".
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SPEECH = ROOT / ".." / "shared" / "data" / "speech" / "sonnets" / "sonnets_I-III_concat.16k.wav"

CHILD = """
import sys, time
from render.media import import_media
t = time.perf_counter()
cache = import_media(sys.argv[1], sys.argv[2])
print(time.perf_counter() - t, cache.frames, cache.stored_dtype.str)
cache.close()
"""


def make_mp3(minutes: float) -> Path:
    """A ``minutes``-long 48 kHz stereo 128 kb/s MP3 of speech (looped) or speech-like sound."""
    target = OUT / f"import_{minutes:g}min.mp3"
    if target.exists():
        return target
    OUT.mkdir(parents=True, exist_ok=True)
    seconds = str(minutes * 60)
    if SPEECH.exists():
        source = ["-stream_loop", "-1", "-i", str(SPEECH)]
    else:
        voice = (
            "sine=f=150:r=48000,volume='0.3+0.3*sin(2*PI*4*t)':eval=frame[v];"
            "anoisesrc=c=pink:r=48000:a=0.05[n];[v][n]amix=inputs=2"
        )
        source = ["-f", "lavfi", "-i", voice]
    tmp = target.with_suffix(".part.mp3")
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", *source, "-t", seconds]
    cmd += ["-ar", "48000", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k", "-y", str(tmp)]
    print(f"building {target.name} ...", flush=True)
    subprocess.run(cmd, check=True)
    tmp.replace(target)
    return target


def run_child(cmd: list[str]) -> tuple[float, int, str, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in KiB, its stdout, CPU seconds)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None
    output = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed with exit code {proc.returncode}")
    return wall, usage.ru_maxrss, output, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=90.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    mp3 = make_mp3(args.minutes)
    ffmpeg = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(mp3)]
    ffmpeg += ["-f", "s16le", "-y", "/dev/null"]
    cache_dir = OUT / "import_cache"
    ours = [sys.executable, "-c", CHILD, str(mp3), str(cache_dir)]

    run_child(ffmpeg)  # warm the page cache with the MP3 for both sides
    ref_times, ref_rss, our_times, our_walls, our_rss = [], [], [], [], []
    ref_cpu, our_cpu = [], []
    detail = ""
    for i in range(args.runs):
        wall, rss, _, cpu = run_child(ffmpeg)
        ref_times.append(wall)
        ref_cpu.append(cpu)
        ref_rss.append(rss)
        shutil.rmtree(cache_dir, ignore_errors=True)
        wall, rss, output, cpu = run_child(ours)
        our_cpu.append(cpu)
        elapsed, frames, dtype = output.split()
        our_times.append(float(elapsed))
        our_walls.append(wall)
        our_rss.append(rss)
        size = sum(f.stat().st_size for f in cache_dir.iterdir())
        detail = f"{int(frames)} frames, cache {size / 2**20:.0f} MiB ({dtype})"
        print(
            f"run {i + 1}: ffmpeg {ref_times[-1]:.2f} s | import_media {elapsed[:5]} s "
            f"(process {wall:.2f} s) | CPU s: ffmpeg {ref_cpu[-1]:.2f}, ours {cpu:.2f}",
            flush=True,
        )
        shutil.rmtree(cache_dir, ignore_errors=True)

    ref = statistics.median(ref_times)
    got = statistics.median(our_times)
    print(f"\n{args.minutes:g}-minute MP3, {mp3.stat().st_size / 2**20:.0f} MiB, {detail}")
    print(
        f"ffmpeg -f s16le /dev/null : median {ref:.2f} s, CPU {statistics.median(ref_cpu):.2f} s, "
        f"peak RSS {max(ref_rss) / 1024:.0f} MiB"
    )
    print(
        f"import_media              : median {got:.2f} s "
        f"(whole process {statistics.median(our_walls):.2f} s), "
        f"CPU {statistics.median(our_cpu):.2f} s, peak RSS {max(our_rss) / 1024:.0f} MiB"
    )
    print(
        f"ratio import/ffmpeg       : {got / ref:.2f}x "
        f"(whole process {statistics.median(our_walls) / ref:.2f}x; bar 1.2x)"
    )


if __name__ == "__main__":
    main()
