"""Overdub read-back over many sentence draws: the in-context figure of ``bench_overdub.py`` for
several seeds at once, so a change is judged on more lines than the two documented sets.

Run: ``.venv/bin/python bench/bench_overdub_seeds.py --speaker sonnets|mfa
[--seeds 1 2 3 4 5 6 7 12] [--sentences 20] [--context 10] [--rescore]``.

Each seed draws its own 20 sentences from the speaker's transcript phrases
(:func:`bench_overdub.sentences`) into the same 20 replaced stretches; each line is made by the
splice backend as ``wordcut overdub`` makes it and read back in its place in the edited
programme by the bundled model, exactly as ``bench_overdub.py`` does (midpoint and text-aligned
WER). One seed's mean moves by 2–5 points when the recogniser drops or keeps a single line, so a
20-line set cannot tell a 2-point change from noise; eight seeds (160 lines) can. The unedited
floor is the same for every seed (the stretches do not depend on it) and is printed once.

Then, over all the lines, where the errors fall (``by_source``): each requested word is
charged its read-back errors (a Levenshtein alignment, as ``bench_overdub.errors_by_word``)
and filed by the recording it was spliced from (the speaker's parts: mfa's "acoustic" and
"cold" recordings, the three sonnets), by the part the line was placed in, and by whether the
transcript had that recorded word right (its text aligned with the text the speaker really
read). A weak spot shows up as one cell: words from one recording read wrong in another's
context, or the transcript's own mistakes coming back.

Libraries are the ones ``bench_overdub.py`` builds (``bench/out/overdub-<speaker>``); a missing
one is built first. Writes ``bench/out/overdub-seeds-<speaker>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_overdub as bo  # puts the repository on the path

from editor.overdub.backend import VoiceRequest
from editor.overdub.compose import compose
from editor.overdub.context import speaker_context
from editor.overdub.splice import SpliceBackend
from editor.overdub.text import parse_line


def one_seed(project: Any, ids: list[str], seed: int, count: int, hear: Any, context: float) -> Any:
    """The in-context read-back of one seed's sentences: per-line rows and the two means."""
    splice = SpliceBackend()
    key = f"{context:g}s"
    rows = []
    for k, text in enumerate(bo.sentences(bo.transcript_phrases(project, seed), count, seed)):
        rng = bo.replaced_range(project, ids, k, "spread", count)
        line = parse_line(text)
        clip = compose(VoiceRequest(line, speaker_context(project, rng), None), splice)
        got = bo.in_context(project, rng, line, clip, text, hear, [context])[key]
        rows.append({"text": text, **got})
    return {
        "seed": seed,
        "wer_mean": statistics.fmean(r["wer"] for r in rows),
        "wer_mean_aligned": statistics.fmean(r["wer_aligned"] for r in rows),
        "rows": rows,
    }


def speaker_parts(name: str) -> list[tuple[str, float]]:
    """(label, start second) of each recording joined into the speaker's track."""
    if name == "sonnets":
        tsv = (bo.DATA / "sonnets" / "sonnets_I-III_concat.segments.tsv").read_text()
        rows = [line.split("\t") for line in tsv.splitlines()[1:] if line.strip()]
        return [(row[2], float(row[0])) for row in rows]
    import soundfile as sf

    first = sf.info(str(bo.DATA / "mfa" / "acoustic_corpus.wav")).duration
    return [("acoustic", 0.0), ("cold", first + 0.5)]  # joined with 1 s between them


def by_source(project: Any, ids: list[str], seeds: list[Any], parts: Any, reference: str) -> Any:
    """Read-back errors per requested word, filed by where its audio and its line came from and
    whether the transcript heard that recorded word right (see the module doc)."""
    import difflib

    from editor.transcribe.wer import normalise

    words = project.document.words
    part_of = {
        w.id: max((p for p in parts if p[1] <= w.start), key=lambda p: p[1])[0] for w in words
    }
    keyed = [(w.id, t) for w in words for t in normalise(w.text)[:1]]
    truth = normalise(reference)
    matcher = difflib.SequenceMatcher(None, [t for _, t in keyed], truth, autojunk=False)
    right = {keyed[b.a + n][0] for b in matcher.get_matching_blocks() for n in range(b.size)}
    splice = SpliceBackend()
    cells: dict[str, list[int]] = {}
    for result in seeds:
        for k, row in enumerate(result["rows"]):
            rng = bo.replaced_range(project, ids, k, "spread", len(result["rows"]))
            made = splice.generate(
                VoiceRequest(parse_line(row["text"]), speaker_context(project, rng), None)
            )
            source = {t: s.source for s in made.spans for t in range(s.first, s.last + 1)}
            for t, errors in enumerate(bo.errors_by_word(row["text"], row["heard"])):
                sid = source.get(t)
                key = (
                    f"from {part_of[sid] if sid else 'nowhere'} into {part_of[rng.first]}, "
                    f"transcript {'right' if sid in right else 'wrong'}"
                )
                cell = cells.setdefault(key, [0, 0])
                cell[0] += 1
                cell[1] += errors
    total = sum(n for n, _ in cells.values())
    return {
        key: {"words": n, "error_rate": e / n, "wer_points": 100 * e / total}
        for key, (n, e) in sorted(cells.items())
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speaker", choices=("sonnets", "mfa"), default="sonnets")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6, 7, 12])
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--context", type=float, default=10.0, metavar="SECONDS")
    parser.add_argument(
        "--rescore",
        action="store_true",
        help="recompute by_source from the saved run of --speaker (no model, no new run)",
    )
    args = parser.parse_args()
    if args.context < 0:
        raise SystemExit("--context: seconds must not be negative")
    if not (bo.DATA / "sonnets").is_dir():
        raise SystemExit(f"speech data not found at {bo.DATA}")
    home = bo.OUT / ("overdub-home" if args.speaker == "sonnets" else f"overdub-{args.speaker}")
    os.environ.setdefault("WORDCUT_USER", "bench-reader")
    audio, reference = bo.speaker_material(args.speaker)
    bo.build_library(home, audio)

    from editor.project import open_project
    from editor.store import open_store

    store = open_store(home)
    project = open_project(store, "sonnets")
    ids = [w.id for w in project.document.words]
    saved = bo.OUT / f"overdub-seeds-{args.speaker}.json"
    if args.rescore:
        if not saved.is_file():
            raise SystemExit(f"--rescore: no saved run at {saved}; run without --rescore first")
        run = json.loads(saved.read_text())
        run["summary"]["by_source"] = by_source(
            project, ids, run["seeds"], speaker_parts(args.speaker), reference
        )
        saved.write_text(json.dumps(run, indent=1))
        print(json.dumps(run["summary"]["by_source"], indent=1))
        return
    hear = bo.timed_transcriber()
    t0 = time.perf_counter()
    seeds = []
    for seed in args.seeds:
        result = one_seed(project, ids, seed, args.sentences, hear, args.context)
        seeds.append(result)
        print(
            f"seed {seed:3d}: {result['wer_mean']:5.1%} "
            f"(by text {result['wer_mean_aligned']:5.1%})",
            flush=True,
        )
    ranges = [
        bo.replaced_range(project, ids, k, "spread", args.sentences) for k in range(args.sentences)
    ]
    floor = bo.context_floor(project, ranges, hear, [args.context])["summary"][f"{args.context:g}s"]
    sources = by_source(project, ids, seeds, speaker_parts(args.speaker), reference)
    project.close()
    store.close()
    summary = {
        "speaker": args.speaker,
        "seeds": args.seeds,
        "lines": args.sentences * len(args.seeds),
        "context_seconds": args.context,
        "wer_mean": statistics.fmean(s["wer_mean"] for s in seeds),
        "wer_mean_aligned": statistics.fmean(s["wer_mean_aligned"] for s in seeds),
        "seeds_at_or_under_20": sum(s["wer_mean"] <= 0.20 for s in seeds),
        "unedited_floor": floor["wer_mean"],
        "unedited_floor_aligned": floor["wer_mean_aligned"],
        "seconds": time.perf_counter() - t0,
        "load_average": os.getloadavg(),
        "by_source": sources,
    }
    bo.OUT.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps({"summary": summary, "seeds": seeds}, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
