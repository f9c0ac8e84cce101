"""Word timing benchmark: our refined word times vs plain faster-whisper, against aligner times.

Run: ``.venv/bin/python bench/bench_word_timing.py``. The references are the Montreal Forced
Aligner's word intervals for the two verbatim MFA recordings (``.TextGrid``, good to tens of
milliseconds; see ../shared/data/README.md). Both pipelines run on the bundled tiny.en model in
the same run; hypothesis words are paired with reference words by aligning their normalised
text (words the recogniser got wrong are not timed). For each pipeline it prints, over the
paired words:

* the median and 90th percentile of |start error| and |end error|;
* **tail clipped**: the share of words whose end comes more than 30 ms before the aligner's
  end — a cut placed at that end would clip the word's tail, which is what an editor must
  never do (docs/transcription.md, "Refine to speech/silence");
* **head clipped**: the same for starts more than 30 ms late;
* the same two shares for the edges an editor's cuts mostly land on: ends followed by a pause
  and starts preceded by one (≥ 100 ms between the aligner's words). Inside fluent speech
  there is no silence to refine against, so those edges stay where Whisper put them.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_transcribe import DATA, ours, plain  # noqa: E402

from tests.transcribe.textgrid import Timed, pairs, textgrid_words  # noqa: E402

RECORDINGS = ["mfa/acoustic_corpus", "mfa/cold_corpus"]
CLIP = 0.03
PAUSE = 0.1


def pause_edges(ref: list[Timed]) -> tuple[set[Timed], set[Timed]]:
    """Reference words followed by a pause, and those preceded by one."""
    before = {a for a, b in itertools.pairwise(ref) if b[1] - a[2] >= PAUSE}
    after = {b for a, b in itertools.pairwise(ref) if b[1] - a[2] >= PAUSE}
    return before | {ref[-1]}, after | {ref[0]}


def summary(
    paired: list[tuple[Timed, Timed]], ends_at_pause: set[Timed], starts_at_pause: set[Timed]
) -> str:
    ds = [abs(h[1] - r[1]) for h, r in paired]
    de = [abs(h[2] - r[2]) for h, r in paired]
    tail = sum(1 for h, r in paired if h[2] < r[2] - CLIP)
    head = sum(1 for h, r in paired if h[1] > r[1] + CLIP)
    n = len(paired)
    pe = [(h, r) for h, r in paired if r in ends_at_pause]
    ps = [(h, r) for h, r in paired if r in starts_at_pause]
    tail_p = sum(1 for h, r in pe if h[2] < r[2] - CLIP)
    head_p = sum(1 for h, r in ps if h[1] > r[1] + CLIP)

    def p90(xs: list[float]) -> float:
        return statistics.quantiles(xs, n=10)[-1]

    return (
        f"{n} words timed; |start error| median {1000 * statistics.median(ds):.0f} ms, "
        f"p90 {1000 * p90(ds):.0f} ms; |end error| median {1000 * statistics.median(de):.0f} ms, "
        f"p90 {1000 * p90(de):.0f} ms; tail clipped {tail}/{n} = {100 * tail / n:.0f} %; "
        f"head clipped {head}/{n} = {100 * head / n:.0f} %; at pauses: tail clipped "
        f"{tail_p}/{len(pe)}, head clipped {head_p}/{len(ps)}"
    )


def main() -> None:
    if not DATA.is_dir():
        sys.exit(f"no speech data at {DATA}")
    with tempfile.TemporaryDirectory() as tmp:
        runs = {
            "plain": plain,
            "ours --verbatim": lambda p: ours(p, Path(tmp), verbatim=True),
        }
        for name, fn in runs.items():
            paired: list[tuple[Timed, Timed]] = []
            ends: set[Timed] = set()
            starts: set[Timed] = set()
            for rec in RECORDINGS:
                ref = textgrid_words(DATA / f"{rec}.TextGrid")
                paired += pairs(fn(DATA / f"{rec}.wav"), ref)
                e, s = pause_edges(ref)
                ends |= e
                starts |= s
            print(f"{name}: {summary(paired, ends, starts)}")


if __name__ == "__main__":
    main()
