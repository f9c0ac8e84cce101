"""Overdub benchmark: the splice backend on real speech, against the issue's bars.

Run: ``.venv/bin/python bench/bench_overdub.py [--sentences 20] [--home DIR]``.

Material: Shakespeare's sonnets I–III read by one LibriVox reader (../shared/data, 2:40, one
speaker), imported and transcribed by the bundled model through the real ``wordcut`` commands
(the library is kept in ``bench/out/overdub-home`` so a rerun skips the transcription). The
reader's consent sample is espeak-ng reading the statement, verified by the bundled model as
``wordcut voice add`` does.

Sentences "re-ordered from the speaker's own words": phrases of the *reference* text (the words
the reader really said, split at punctuation) drawn from different lines by a seeded shuffle and
joined until the sentence has 10 words. Each replaces a different 10-word stretch of the
program. For each it measures:

* **coverage** — the share of requested words the splice backend found in the recording;
* **time** — text → finished clip (context, choice, assembly, loudness match) for the 10-word
  line; the reference measured in the same run is espeak-ng (``--backend speech``) saying the
  same line through the same path;
* **intelligibility** — the clip transcribed by the bundled model, WER against the requested
  text (uncovered words count as deletions);
* **clicks** — at every join, the clip's largest sample step in the gap between the two joined
  words against the recording's own largest step within 25 ms around both cut words (the
  reader's rule; tests/overdub/test_splice.py checks the same);
* **loudness** — the clip's BS.1770 integrated loudness against the speaker's 8 s either side
  of the replaced words (the export's own meter).

Last, the time for a 10-word line when the speaker has 15,000 recorded words (a 90-minute
episode's worth: the transcript tiled over the same audio), since the choice scales with how
often each word was said.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.overdub import level  # noqa: E402
from editor.overdub.backend import RecordedWord, VoiceContext, VoiceRequest  # noqa: E402
from editor.overdub.compose import compose  # noqa: E402
from editor.overdub.context import line_range, speaker_context  # noqa: E402
from editor.overdub.speech import SpeechBackend  # noqa: E402
from editor.overdub.splice import SpliceBackend  # noqa: E402
from editor.overdub.text import parse_line  # noqa: E402
from editor.transcribe.wer import normalise, wer  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "speech" / "sonnets"
AUDIO = DATA / "sonnets_I-III_concat.16k.wav"
TEXT = DATA / "sonnets_I-III_concat.txt"
OUT = ROOT / "bench" / "out"
SPEAKER = "Reader"
WORDS = 10


def cli(home: Path, *args: str) -> None:
    """Run a wordcut command in-process against ``home`` (quietly; raise if it fails)."""
    from editor.cli import main

    os.environ["WORDCUT_HOME"] = str(home)
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    if code != 0:
        raise SystemExit(f"wordcut {' '.join(args)} failed ({code})")


def build_library(home: Path) -> None:
    """Project "sonnets": the reading imported and transcribed, and the reader's profile."""
    from editor.overdub.consent import consent_record, statement, verify_sample
    from editor.store import open_store

    marker = home / "bench-ready"
    if marker.exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    print("building the library (import + transcription with the bundled model)…", flush=True)
    cli(home, "new", "sonnets")
    cli(home, "import", "sonnets", str(AUDIO), "--label", SPEAKER)
    cli(home, "transcribe", "sonnets")
    sample = home / "consent.wav"
    subprocess.run(["espeak-ng", "-w", str(sample), statement(SPEAKER)], check=True)
    found = verify_sample(sample, SPEAKER)
    store = open_store(home)
    try:
        store.add_voice_profile(
            host=SPEAKER,
            reference_media=sample,
            consent=consent_record(SPEAKER, os.environ["WORDCUT_USER"], found),
            reference_sha256=found.sample_sha256,
        )
    finally:
        store.close()
    marker.write_text(f"consent statement WER {found.wer:.3f}\n")


def sentences(count: int, seed: int = 12) -> list[str]:
    """10-word sentences from the reference text's phrases, re-ordered across lines."""
    phrases: list[list[str]] = []
    for line in TEXT.read_text(encoding="utf-8").splitlines():
        for chunk in re.split(r"[,;:.!?]", line):
            words = chunk.split()
            if len(words) >= 2:
                phrases.append(words)
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        picked: list[str] = []
        for phrase in rng.sample(phrases, 8):
            picked.extend(phrase)
            if len(picked) >= WORDS:
                break
        out.append(" ".join(picked[:WORDS]).lower() + ".")
    return out


def max_step(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x, axis=0)).max()) if len(x) > 1 else 0.0


def join_clicks(ctx: VoiceContext, made: Any) -> tuple[int, int, float]:
    """(joins, joins over the bar, worst ratio) for one spliced clip (see the module doc)."""
    by_id = {w.id: w for w in ctx.words}
    rate = ctx.sample_rate
    joins = over = 0
    worst = 0.0
    for a, b in zip(made.spans, made.spans[1:], strict=False):
        wa, wb = by_id[a.source], by_id[b.source]
        if abs((wb.start - wb.room_before) - wa.end) < 1e-6 and wb.start >= wa.end:
            continue  # consecutive recorded words: no join
        joins += 1
        lo, hi = round(a.end * rate), round(b.start * rate)
        step = max_step(made.samples[max(0, lo - 1) : hi + 1])
        bound = max(
            max_step(ctx.audio(wa.end - 0.025, wa.end + min(wa.room_after, 0.3) + 0.025)),
            max_step(ctx.audio(wb.start - min(wb.room_before, 0.3) - 0.025, wb.start + 0.025)),
        )
        ratio = step / max(bound, 1e-9)
        worst = max(worst, ratio)
        over += ratio > 1 + 1e-6
    return joins, over, worst


def ffmpeg_lufs(x: np.ndarray, rate: int, scratch: Path) -> float:
    """Integrated loudness by the ffmpeg CLI's own ``ebur128`` (an independent meter)."""
    import soundfile as sf

    sf.write(str(scratch), x, rate, subtype="FLOAT")
    proc = subprocess.run(
        ["ffmpeg", "-nostats", "-i", str(scratch), "-af", "ebur128", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = proc.stderr[proc.stderr.rfind("Summary:") :]
    found = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    return float(found[1]) if found else float("nan")


def to_16k(x: np.ndarray, rate: int) -> np.ndarray:
    from render.export.resample import resample_blocks

    mono = np.ascontiguousarray(x.mean(axis=1, keepdims=True), dtype=np.float32)
    return np.concatenate(list(resample_blocks([mono], len(mono), rate, 16000, 1)))[:, 0]


def tiled(ctx: VoiceContext, words_wanted: int) -> VoiceContext:
    """The speaker's words repeated over the same audio until there are ``words_wanted``."""
    span = max(w.end for w in ctx.words) + 5.0
    reps = -(-words_wanted // len(ctx.words))
    words = [
        RecordedWord(
            f"{w.id}#{k}",
            w.tokens,
            w.start + k * span,
            w.end + k * span,
            w.room_before,
            w.room_after,
            w.deleted,
        )
        for k in range(reps)
        for w in ctx.words
    ][:words_wanted]

    def audio(a: float, b: float) -> np.ndarray:
        k = int(max(a, 0.0) // span)
        return ctx.audio(a - k * span, b - k * span)

    return VoiceContext(
        ctx.speaker,
        ctx.sample_rate,
        ctx.channels,
        tuple(words),
        audio,
        ctx.line_start,
        ctx.line_end,
        ctx.words_per_minute,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--home", type=Path, default=OUT / "overdub-home")
    args = parser.parse_args()
    if not AUDIO.is_file():
        raise SystemExit(f"speech data not found at {DATA}")
    os.environ.setdefault("WORDCUT_USER", "bench-reader")
    build_library(args.home)

    from editor.overdub.consent import bundled_transcriber
    from editor.project import open_project
    from editor.store import open_store

    hear = bundled_transcriber()
    store = open_store(args.home)
    project = open_project(store, "sonnets")
    ids = [w.id for w in project.document.words]
    rows: list[dict[str, Any]] = []
    splice, speech = SpliceBackend(), SpeechBackend()
    for k, text in enumerate(sentences(args.sentences)):
        first = 5 + (k * 13) % (len(ids) - WORDS - 10)
        rng = line_range(project.document, ids[first], ids[first + WORDS - 1])
        t0 = time.perf_counter()
        line = parse_line(text)
        ctx = speaker_context(project, rng)
        clip = compose(VoiceRequest(line, ctx, None), splice)
        t_splice = time.perf_counter() - t0
        t0 = time.perf_counter()
        ctx2 = speaker_context(project, rng)
        compose(VoiceRequest(parse_line(text), ctx2, None), speech)
        t_speech = time.perf_counter() - t0
        raw = splice.generate(VoiceRequest(line, ctx, None))
        joins, over, worst = join_clicks(ctx, raw)
        heard = hear(to_16k(clip.samples, clip.sample_rate))
        filled_wer = None
        if clip.uncovered:
            ctx3 = speaker_context(project, rng)
            filled = compose(VoiceRequest(line, ctx3, None), splice, speech)
            filled_wer = wer(text, hear(to_16k(filled.samples, filled.sample_rate))).rate
        lufs, target = level.loudness(clip.samples, ctx.sample_rate), level.target_loudness(ctx)
        OUT.mkdir(parents=True, exist_ok=True)
        ff_error = abs(
            ffmpeg_lufs(clip.samples, ctx.sample_rate, OUT / "overdub-clip.wav")
            - ffmpeg_lufs(level.context_audio(ctx), ctx.sample_rate, OUT / "overdub-context.wav")
        )
        covered = 1 - len(clip.uncovered) / len(line.words)
        rows.append(
            {
                "text": text,
                "heard": heard.strip(),
                "coverage": covered,
                "wer": wer(text, heard).rate,
                "wer_filled": wer(text, heard).rate if filled_wer is None else filled_wer,
                "seconds": t_splice,
                "speech_seconds": t_speech,
                "joins": joins,
                "joins_over": over,
                "worst_join_ratio": worst,
                "loudness_error_lu": abs(lufs - target),
                "loudness_error_ffmpeg_lu": ff_error,
                "uncovered": list(clip.uncovered),
            }
        )
        print(
            f"{covered:5.0%} cover  WER {rows[-1]['wer']:5.1%}  {t_splice:5.2f} s "
            f"(espeak {t_speech:4.2f} s)  joins {joins} over {over}  "
            f"ΔL {abs(lufs - target):4.2f} LU (ffmpeg {ff_error:4.2f})  | {text}",
            flush=True,
        )

    # scale: the same lines against a 15,000-word speaker history
    rng = line_range(project.document, ids[20], ids[29])
    big = tiled(speaker_context(project, rng), 15_000)
    scale_times = []
    for text in sentences(5, seed=99):
        t0 = time.perf_counter()
        compose(VoiceRequest(parse_line(text), big, None), splice)
        scale_times.append(time.perf_counter() - t0)
    project.close()
    store.close()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    full = [r for r in rows if r["coverage"] == 1.0]
    summary = {
        "sentences": len(rows),
        "speaker_words": len([w for w in ctx.words]),
        "coverage_mean": statistics.fmean(r["coverage"] for r in rows),
        "coverage_min": min(r["coverage"] for r in rows),
        "wer_mean": statistics.fmean(r["wer"] for r in rows),
        "wer_mean_fully_covered": statistics.fmean(r["wer"] for r in full) if full else None,
        "wer_median_fully_covered": statistics.median(r["wer"] for r in full) if full else None,
        "fully_covered": len(full),
        "wer_mean_with_speech_fill": statistics.fmean(r["wer_filled"] for r in rows),
        "seconds_median": med("seconds"),
        "seconds_max": max(r["seconds"] for r in rows),
        "speech_seconds_median": med("speech_seconds"),
        "joins": sum(r["joins"] for r in rows),
        "joins_over": sum(r["joins_over"] for r in rows),
        "worst_join_ratio": max(r["worst_join_ratio"] for r in rows),
        "loudness_error_max_lu": max(r["loudness_error_lu"] for r in rows),
        "loudness_error_median_lu": med("loudness_error_lu"),
        "loudness_error_ffmpeg_max_lu": max(r["loudness_error_ffmpeg_lu"] for r in rows),
        "loudness_error_ffmpeg_median_lu": med("loudness_error_ffmpeg_lu"),
        "seconds_15k_words_median": statistics.median(scale_times),
        "seconds_15k_words_max": max(scale_times),
        "uncovered_words": sorted({w for r in rows for w in r["uncovered"]}),
        "normalised_tokens_checked": sum(len(normalise(r["text"])) for r in rows),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "overdub.json").write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
