"""Deliverables against the platforms' loudness checks, through the CLI a user runs.

For each of the issue's inputs — 5 minutes of repeatable pink noise (``sox -R``), white noise,
a 1 kHz square wave at −3 dBFS, a clipped speech recording (read speech from
``../shared/data`` driven 18 dB into the rails) and the demo episode — an EDL with two cuts is
rendered by ``wordcut render`` (loudness on: −16 LUFS, −1 dBTP) to WAV, MP3 192k and M4A, and
the file is metered by the ffmpeg CLI's ``ebur128=peak=true`` (integrated loudness, true peak),
as a podcast platform would. Wall time of each render is printed beside the WAV's, and the
decoded length is checked against the EDL's.

    .venv/bin/python bench/bench_truepeak.py [--seconds 300] [--formats wav,mp3,m4a]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "speech"
WORDCUT = ROOT / ".venv" / "bin" / "wordcut"
DEMO = ROOT / "resources" / "demo" / "demo-episode.flac"


def sox(*args: str) -> None:
    subprocess.run(["sox", *args], check=True, capture_output=True)


def materials(folder: Path, seconds: int) -> dict[str, Path]:
    out = {
        "pink": folder / "pink.wav",
        "white": folder / "white.wav",
        "square": folder / "square.wav",
        "clipped speech": folder / "clipped.wav",
    }
    sox("-R", "-n", "-r", "48000", "-c", "1", "-b", "16", str(out["pink"]),
        "synth", str(seconds), "pinknoise", "vol", "0.15")  # fmt: skip
    sox("-R", "-n", "-r", "48000", "-c", "1", "-b", "16", str(out["white"]),
        "synth", str(seconds), "whitenoise", "vol", "0.15")  # fmt: skip
    sox("-R", "-n", "-r", "48000", "-c", "1", "-b", "16", str(out["square"]),
        "synth", str(min(seconds, 60)), "square", "1000", "vol", "0.707")  # fmt: skip
    speech = SHARED / "mfa" / "acoustic_corpus.wav"
    sox(str(speech), "-r", "48000", "-c", "1", "-b", "16", str(out["clipped speech"]),
        "gain", "18")  # fmt: skip
    out["demo episode"] = DEMO
    return out


def duration(path: Path) -> float:
    run = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(run.stdout)


def decoded_seconds(path: Path) -> float:
    """Length as a player decodes it (MP3: gapless header honoured; M4A: declared edit list)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        if path.suffix == ".m4a" and stream.duration and stream.time_base:
            return float(stream.duration * stream.time_base)
        return sum(frame.samples for frame in container.decode(stream)) / rate


def meter(path: Path) -> tuple[float, float]:
    run = subprocess.run(
        ["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af",
         "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    summary = run.stderr[run.stderr.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak
    return float(integrated[1]), float(peak[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--formats", default="wav,mp3,m4a")
    args = parser.parse_args()
    if not shutil.which("ffmpeg") or not shutil.which("sox"):
        print("bench_truepeak: needs the ffmpeg and sox CLIs", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, source in materials(folder, args.seconds).items():
            length = duration(source)
            a, b = length / 3, 2 * length / 3
            edl = folder / "cut.edl.json"
            edl.write_text(json.dumps({
                "version": 1, "sample_rate": 48000, "tracks": [{"path": str(source)}],
                "segments": [{"start": 0, "end": a}, {"start": a + 1.0, "end": b},
                             {"start": b + 0.5, "end": length}],
            }))  # fmt: skip
            expected = length - 1.5
            for fmt in args.formats.split(","):
                out = folder / f"out.{fmt}"
                start = time.perf_counter()
                subprocess.run([str(WORDCUT), "render", "-q", str(edl), str(out)], check=True)
                wall = time.perf_counter() - start
                integrated, peak = meter(out)
                rows.append((name, fmt, integrated, peak, decoded_seconds(out) - expected, wall))
                print(f"{name:15} {fmt:4} {integrated:6.1f} LUFS {peak:5.1f} dBTP "
                      f"length {rows[-1][4] * 1000:+.1f} ms  {wall:.1f} s", flush=True)  # fmt: skip
    print()
    print("| input | format | integrated (LUFS) | true peak (dBTP) | render s |")
    print("|---|---|---|---|---|")
    for name, fmt, integrated, peak, _, wall in rows:
        print(f"| {name} | {fmt} | {integrated:.1f} | {peak:.1f} | {wall:.1f} |")
    bad = [r for r in rows if r[3] > -1.0 or abs(r[2] + 16.0) > (0.5 if r[1] == "wav" else 1.0)]
    print(f"\n{len(rows) - len(bad)} of {len(rows)} files meet −16 LUFS (±0.5 WAV, ±1.0 lossy) "
          "and ≤ −1.0 dBTP")  # fmt: skip
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
