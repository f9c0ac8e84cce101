"""Overdub benchmark: the splice backend on real speech, against the issue's bars.

Run: ``.venv/bin/python bench/bench_overdub.py [--speaker sonnets|mfa] [--seed N]
[--sentences 20] [--context 10 1] [--ranges spread|phrase] [--own-only] [--reader plain|engine]
[--home DIR]``.

Speakers (../shared/data, one person each, imported and transcribed by the bundled model through
the real ``wordcut`` commands; each library is kept in ``bench/out/overdub-<speaker>`` so a rerun
skips the transcription):

* ``sonnets`` — Shakespeare's sonnets I–III read by one LibriVox reader (2:40, read verse);
* ``mfa`` — the Montreal Forced Aligner test speaker: his "acoustic" and "cold" recordings
  joined with 1 s between them (53 s, conversational, with fillers).

The consent sample is espeak-ng reading the statement, verified by the bundled model as
``wordcut voice add`` does.

Two sets of 10-word sentences, each drawn by a seeded shuffle of phrases from different places
and joined until the sentence has 10 words; each replaces a different 10-word stretch:

* **(a) the speaker's own words** — phrases of the project's *transcript* (the words the
  bundled model heard, split at its punctuation and at pauses of 0.3 s or more, fillers left
  out). This is what the bar means ("sentences re-ordered from the speaker's own words") and
  all splice can know: a word is in the recording for Wordcut only if the transcript has it.
* **(b) the reference text** — phrases of the text the speaker really read. Where the
  transcript misheard a word, splice cannot find it: the line has holes, measured both as they
  are (a hole is a deletion) and filled by the speech backend (``--fill speech``).

For each line it measures:

* **coverage** — the share of requested words the splice backend found in the recording;
* **time** — text → finished clip (context, choice, assembly, loudness match) for the 10-word
  line; the reference measured in the same run is espeak-ng (``--backend speech``) saying the
  same line through the same path;
* **intelligibility, in context** (the primary figure) — the line as a listener meets it: the
  project's programme with the edit applied as ``wordcut overdub`` would commit it (on a copy of
  the document, through the export's EDL reader), ``--context`` seconds either side of the clip
  (10 s by default, about one recogniser window; also 1 s, what ``--preview`` renders),
  transcribed by the bundled model with word timestamps; the words whose midpoints fall inside
  the clip's span are scored against the requested text. Its floor is the same measure on the
  *unedited* programme: the replaced words in their own context, the words inside their span
  against the transcript's words — paired with the lines, range for range;
* **intelligibility, isolated** (kept for comparison with earlier runs) — the clip alone,
  transcribed by the bundled model, WER against the requested text (uncovered words count as
  deletions); its floor is 10-word stretches of the recording cut where splice cuts,
  transcribed alone;
* **clicks** — at every join, the clip's largest sample step in the gap between the two joined
  words against the recording's own largest step within 25 ms around both cut words, at the
  gain splice laid each unit in at (the reader's rule; tests/overdub/test_splice.py checks the
  same);
* **loudness** — the clip's BS.1770 integrated loudness against the speaker's 8 s either side
  of the replaced words (the export's own meter).

``--reader engine`` reads the line back in context with ``wordcut transcribe``'s engine on the
same bundled model (``editor.transcribe.engine``: beam 3, and speech the window left unsaid
decoded again) instead of the plain call; the floor is read the same way, so each pairs with
its own instrument. Every in-context read-back is also scored by text (``aligned_errors``), no
word timestamps needed.

Each read-back also says where its errors fall: on the line's first and last requested words
(where it meets the programme around it) or on the words inside it (its own joins), by a
Levenshtein alignment. ``--rescore bench/out/overdub-*.json`` prints these figures again from
saved runs without the model.

With ``--fill-plain`` the speech fill is espeak-ng as it was before it was matched to the
speaker (default pitch, no band limit), to measure what the matching does.

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
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from editor.overdub import level  # noqa: E402
from editor.overdub.audible import audible_audio  # noqa: E402
from editor.overdub.backend import RecordedWord, VoiceContext, VoiceRequest  # noqa: E402
from editor.overdub.compose import compose  # noqa: E402
from editor.overdub.context import line_range, speaker_context  # noqa: E402
from editor.overdub.speech import SpeechBackend  # noqa: E402
from editor.overdub.splice import SpliceBackend  # noqa: E402
from editor.overdub.text import parse_line  # noqa: E402
from editor.transcribe.wer import normalise, wer  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "speech"
OUT = ROOT / "bench" / "out"
SPEAKER = "Reader"
WORDS = 10
PHRASE_PAUSE = 0.3
"""A transcript phrase ends at punctuation or at a pause this long."""


def speaker_material(name: str) -> tuple[Path, str]:
    """The recording to import and the reference text the speaker read, for one speaker."""
    if name == "sonnets":
        folder = DATA / "sonnets"
        return folder / "sonnets_I-III_concat.16k.wav", (
            folder / "sonnets_I-III_concat.txt"
        ).read_text(encoding="utf-8")
    if name == "mfa":
        import soundfile as sf

        folder = DATA / "mfa"
        parts = [
            sf.read(str(folder / f"{n}_corpus.wav"), dtype="float32") for n in ("acoustic", "cold")
        ]
        rate = parts[0][1]
        joined = np.concatenate([parts[0][0], np.zeros(rate, np.float32), parts[1][0]])
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "overdub-mfa-speaker.wav"
        sf.write(str(path), joined, rate, subtype="PCM_16")
        text = "\n".join(
            (folder / f"{n}_corpus.txt").read_text(encoding="utf-8") for n in ("acoustic", "cold")
        )
        return path, text
    raise SystemExit(f"unknown speaker {name!r}: sonnets or mfa")


def cli(home: Path, *args: str) -> None:
    """Run a wordcut command in-process against ``home`` (quietly; raise if it fails)."""
    from editor.cli import main

    os.environ["WORDCUT_HOME"] = str(home)
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    if code != 0:
        raise SystemExit(f"wordcut {' '.join(args)} failed ({code})")


def build_library(home: Path, audio: Path) -> None:
    """Project "sonnets": the reading imported and transcribed, and the reader's profile."""
    from editor.overdub.consent import consent_record, statement, verify_sample
    from editor.store import open_store

    marker = home / "bench-ready"
    if marker.exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    print(
        "building the library (import + transcription with the bundled model)…",
        flush=True,
    )
    cli(home, "new", "sonnets")
    cli(home, "import", "sonnets", str(audio), "--label", SPEAKER)
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


FILLERS = {"um", "uh", "er", "ah", "yknow", "hmm", "mm"}
"""Nobody types these into a correction: left out of both sets' phrases."""
LONG_PHRASE = 8


def split_long(words: list[str], rng: random.Random) -> list[list[str]]:
    """A phrase longer than ``LONG_PHRASE`` words (an unpunctuated transcript or text) cut into
    pieces of 3–6 words at seeded places, so one long stretch does not make every sentence."""
    if len(words) <= LONG_PHRASE:
        return [words]
    out, k = [], 0
    while k < len(words):
        n = rng.randint(3, 6)
        out.append(words[k : k + n])
        k += n
    return [p for p in out if len(p) >= 2]


def reference_phrases(text: str, seed: int) -> list[list[str]]:
    """(b): phrases of the text the speaker read, split at punctuation and line ends (long
    unpunctuated ones cut, see :func:`split_long`), fillers left out."""
    rng = random.Random(seed)
    phrases: list[list[str]] = []
    for line in text.splitlines():
        for chunk in re.split(r"[,;:.!?]", line):
            words = [w for w in chunk.split() if w.lower() not in FILLERS]
            if len(words) >= 2:
                phrases.extend(split_long(words, rng))
    return phrases


def transcript_phrases(project: Any, seed: int) -> list[list[str]]:
    """(a): phrases of the project's transcript of the speaker — the words splice can know —
    split at the transcript's punctuation and at pauses of ``PHRASE_PAUSE`` or more; fillers
    (which nobody types into a correction) end a phrase too."""
    rng = random.Random(seed)
    doc = project.document
    words = sorted(doc.words, key=lambda w: w.start)
    phrases: list[list[str]] = []
    current: list[str] = []

    def close() -> None:
        if len(current) >= 2:
            phrases.extend(split_long(list(current), rng))
        current.clear()

    for k, w in enumerate(words):
        text = doc.text_of(w.id).strip()
        bare = re.sub(r"[^\w']", "", text)
        if w.filler or not bare or bare.lower() in FILLERS:
            close()
            continue
        current.append(bare)
        gap = words[k + 1].start - w.end if k + 1 < len(words) else 1e9
        if re.search(r"[,;:.!?]$", text) or gap >= PHRASE_PAUSE:
            close()
    close()
    return phrases


def sentences(phrases: list[list[str]], count: int, seed: int) -> list[str]:
    """10-word sentences from ``phrases``, re-ordered across the recording by a seeded
    shuffle."""
    rng = random.Random(seed)
    out: list[str] = []
    tries = 0
    while len(out) < count:
        picked: list[str] = []
        for phrase in rng.sample(phrases, min(8, len(phrases))):
            picked.extend(phrase)
            if len(picked) >= WORDS:
                break
        sentence = " ".join(picked[:WORDS]).lower() + "."
        tries += 1
        if sentence not in out or tries > 50 * count:  # distinct sentences while there are
            out.append(sentence)
    return out


def max_step(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x, axis=0)).max()) if len(x) > 1 else 0.0


def join_clicks(ctx: VoiceContext, made: Any) -> tuple[int, int, float]:
    """(joins, joins over the bar, worst ratio) for one spliced clip (see the module doc)."""
    by_id = {w.id: w for w in ctx.words}
    rate = ctx.sample_rate
    joins = over = 0
    worst = 0.0

    def band(a: float, b: float) -> np.ndarray:  # the recording as splice takes it
        return audible_audio(ctx.audio, rate, a, b)

    for a, b in zip(made.spans, made.spans[1:], strict=False):
        wa, wb = by_id[a.source], by_id[b.source]
        if abs((wb.start - wb.room_before) - wa.end) < 1e-6 and wb.start >= wa.end:
            continue  # consecutive recorded words: no join
        joins += 1
        lo, hi = round(a.end * rate), round(b.start * rate)
        step = max_step(made.samples[max(0, lo - 1) : hi + 1])
        # the recording's own steps at the gain each unit was laid in at (splice levels units)
        bound = max(
            max_step(band(wa.end - 0.025, wa.end + min(wa.room_after, 0.3) + 0.025))
            * 10 ** (a.gain_db / 20),
            max_step(band(wb.start - min(wb.room_before, 0.3) - 0.025, wb.start + 0.025))
            * 10 ** (b.gain_db / 20),
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


TimedText = list[tuple[str, float, float]]


def timed_transcriber() -> Any:
    """The bundled model as :func:`editor.overdub.consent.bundled_transcriber` runs it (same
    model, language and beam), with word timestamps: samples (16 kHz mono) -> (word, start,
    end) in seconds from the excerpt's start.

    The times have the model's alignment lag taken off, as the project's own word times do
    (``editor.transcribe.engine.ALIGNMENT_LAG``): :func:`heard_inside` compares them with spans
    on the programme's clock, and a reader 80 ms late would hand a line's last word to the
    programme after it, and the word before the line to the line."""
    from editor.transcribe.engine import ALIGNMENT_LAG
    from editor.transcribe.model import default_threads, load_whisper, resolve_model

    model = load_whisper(resolve_model(None), threads=default_threads())

    def transcribe(samples: np.ndarray) -> TimedText:
        segments, _ = model.transcribe(samples, language="en", beam_size=5, word_timestamps=True)
        return [
            (w.word.strip(), float(w.start) - ALIGNMENT_LAG, float(w.end) - ALIGNMENT_LAG)
            for seg in segments
            for w in seg.words or ()
            if w.word.strip()
        ]

    return transcribe


def engine_transcriber() -> Any:
    """The bundled model as ``wordcut transcribe`` runs it (``editor.transcribe.engine``:
    Silero-trimmed window, beam 3, speech the window left unsaid decoded again), one
    single-threaded replica in this process: samples (16 kHz mono) -> (word, start, end). An
    excerpt (10 s + the line + 10 s) fits one window, so this is the engine's whole path but
    the chunking, which a 25 s excerpt does not need."""
    from editor.transcribe.engine import DecodeOptions, WhisperEngine
    from editor.transcribe.model import load_whisper, resolve_model

    engine = WhisperEngine(load_whisper(resolve_model(None), threads=1))
    options = DecodeOptions()

    def transcribe(samples: np.ndarray) -> TimedText:
        words = engine.transcribe(np.ascontiguousarray(samples, dtype=np.float32), options)
        return [(w.text, w.start, w.end) for w in words]

    return transcribe


def edited_programme(
    project: Any, rng: Any, line: Any, clip: Any, folder: Path
) -> tuple[Any, float, float]:
    """The programme with the line committed as ``wordcut overdub`` would commit it — delete
    the range, the clip after the anchor — on a copy of the document (the project is not
    changed), exactly as ``--preview`` renders it (:func:`editor.overdub.edit.programme_with`).
    Returns the EDL and the clip's span in programme seconds."""
    from editor.overdub.edit import Prepared, programme_with

    prepared = Prepared(rng, line, clip, None, "splice")
    return programme_with(project, prepared, folder / "in-context-line.wav")


def excerpt(edl: Any, a: float, b: float, context: float) -> tuple[np.ndarray, float, float]:
    """``context`` seconds of the programme either side of ``a..b`` (programme seconds), at
    16 kHz mono, and ``a..b`` in seconds from the excerpt's start."""
    from render.reader import EdlReader

    with EdlReader(edl) as reader:
        rate = reader.sample_rate
        lo = max(0, round((a - context) * rate))
        hi = min(reader.frames, round((b + context) * rate))
        audio = np.clip(reader.read(lo, hi - lo), -1.0, 1.0)
    return to_16k(audio, rate), a - lo / rate, b - lo / rate


def heard_inside(timed: TimedText, a: float, b: float) -> str:
    """The recognised words whose midpoints fall inside ``a..b``: what the listener heard there."""
    return " ".join(w for w, s, e in timed if a <= (s + e) / 2 <= b)


def around(project: Any, spans: Any, rng: Any, context: float) -> tuple[str, str]:
    """The transcript's words in the ``context`` seconds of programme before the first replaced
    word and after the last one (a word counts if its midpoint is inside), by ``spans``, the
    *unedited* programme's map: what the listener hears around the line, in the edited
    programme as in the unedited one, since the edit only changes what lies between them."""
    doc = project.document
    a = spans.word_span(rng.first)
    b = spans.word_span(rng.last)
    assert a is not None and b is not None
    before, after = [], []
    for w in doc.words:
        span = spans.word_span(w.id)
        if span is None or w.id in rng.ids:
            continue
        mid = (span[0] + span[1]) / 2
        if a[0] - context <= mid < a[0]:
            before.append(doc.text_of(w.id))
        elif b[1] < mid <= b[1] + context:
            after.append(doc.text_of(w.id))
    return " ".join(before), " ".join(after)


def aligned_errors(before: str, line: str, after: str, heard: str) -> tuple[int, int]:
    """(errors charged to ``line``, its words): the whole excerpt as heard, aligned by text
    (Levenshtein, the costs of :func:`editor.transcribe.wer.wer`) with the transcript's words
    around the line and the requested words; the line is charged the substitutions and
    deletions of its own words and every insertion from just before its first word to just
    after its last — so a word the recogniser heard at a seam counts against the line, never
    against the programme around it. Unlike :func:`heard_inside` this needs no word timestamps
    (the tiny model's are off by up to a few hundred ms, enough to move an edge word in or out
    of the clip's span)."""
    pre, mid, post = normalise(before), normalise(line), normalise(after)
    lo, hi = len(pre), len(pre) + len(mid)
    charged = 0
    for kind, i in alignment(pre + mid + post, normalise(heard)):
        if kind == "insert":  # between ref[i - 1] and ref[i]
            charged += lo <= i <= hi
        elif kind != "match":
            charged += lo <= i < hi
    return charged, len(mid)


def read_back(
    timed: TimedText, ea: float, eb: float, around_text: tuple[str, str], text: str
) -> dict[str, Any]:
    """One in-context read-back scored both ways: words inside the clip's span (``wer``,
    ``heard``) and the whole excerpt aligned by text (``wer_aligned``, ``heard_all``)."""
    heard = heard_inside(timed, ea, eb)
    heard_all = " ".join(w for w, _, _ in timed)
    errors, words = aligned_errors(around_text[0], text, around_text[1], heard_all)
    return {
        "wer": wer(text, heard).rate,
        "heard": heard,
        "wer_aligned": errors / max(words, 1),
        "heard_all": heard_all,
        "around": list(around_text),
    }


def in_context(
    project: Any,
    rng: Any,
    line: Any,
    clip: Any,
    text: str,
    hear_timed: Any,
    contexts: list[float],
) -> dict[str, dict[str, Any]]:
    """The line read back in its place in the edited programme, for each context length:
    ``{"10s": {"wer": …, "heard": …}, …}`` (see the module doc)."""
    out = {}
    spans = project.program_map(project.edl())
    # A folder of its own: two runs at once must not read each other's clip.
    with tempfile.TemporaryDirectory(prefix="bench-overdub-") as folder:
        edl, a, b = edited_programme(project, rng, line, clip, Path(folder))
        for c in contexts:
            audio, ea, eb = excerpt(edl, a, b, c)
            words_around = around(project, spans, rng, c)
            out[f"{c:g}s"] = read_back(hear_timed(audio), ea, eb, words_around, text)
    return out


def context_floor(
    project: Any, ranges: list[Any], hear_timed: Any, contexts: list[float]
) -> dict[str, Any]:
    """The in-context measure on the *unedited* programme: each line's replaced words in their
    own context, the words heard inside their span (first word's start to last word's end)
    against the transcript's words for them — the same ranges as the lines, so the two pair."""
    doc = project.document
    edl = project.edl()
    spans = project.program_map(edl)
    rows = []
    for rng in ranges:
        a = spans.word_span(rng.first)
        b = spans.word_span(rng.last)
        assert a is not None and b is not None
        text = " ".join(doc.text_of(w) for w in rng.ids)
        row: dict[str, Any] = {"text": text}
        for c in contexts:
            audio, ea, eb = excerpt(edl, a[0], b[1], c)
            words_around = around(project, spans, rng, c)
            row[f"{c:g}s"] = read_back(hear_timed(audio), ea, eb, words_around, text)
        rows.append(row)
    summary = {}
    for c in contexts:
        rates = [r[f"{c:g}s"]["wer"] for r in rows]
        summary[f"{c:g}s"] = {
            "wer_mean": statistics.fmean(rates),
            "wer_median": statistics.median(rates),
            "wer_mean_aligned": statistics.fmean(r[f"{c:g}s"]["wer_aligned"] for r in rows),
            "wer_points_by_position": by_position(
                [(r["text"], r[f"{c:g}s"]["heard"]) for r in rows]
            ),
        }
    return {"summary": {"stretches": len(rows), **summary}, "rows": rows}


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


def measure_line(
    project: Any,
    ids: list[str],
    k: int,
    text: str,
    hear: Any,
    splice: Any,
    speech: Any,
    fill: Any,
    hear_timed: Any,
    contexts: list[float],
    ranges: str = "spread",
    count: int = 20,
) -> tuple[dict[str, Any], VoiceContext]:
    """One sentence through splice (as is, and with the speech fill when it has holes) and
    through espeak-ng alone (the time reference); read back alone and in context."""
    rng = replaced_range(project, ids, k, ranges, count)
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
    context = in_context(project, rng, line, clip, text, hear_timed, contexts)
    filled_wer = None
    filled_heard = None
    filled_context = None
    if clip.uncovered:
        ctx3 = speaker_context(project, rng)
        filled = compose(VoiceRequest(line, ctx3, None), splice, fill)
        filled_heard = hear(to_16k(filled.samples, filled.sample_rate)).strip()
        filled_wer = wer(text, filled_heard).rate
        filled_context = in_context(project, rng, line, filled, text, hear_timed, contexts)
    lufs, target = (
        level.loudness(clip.samples, ctx.sample_rate),
        level.target_loudness(ctx),
    )
    # A folder of its own: two runs at once had measured each other's clip (3.2 LU "off").
    with tempfile.TemporaryDirectory(prefix="bench-overdub-lufs-") as folder:
        ff_error = abs(
            ffmpeg_lufs(clip.samples, ctx.sample_rate, Path(folder) / "clip.wav")
            - ffmpeg_lufs(level.context_audio(ctx), ctx.sample_rate, Path(folder) / "context.wav")
        )
    covered = 1 - len(clip.uncovered) / len(line.words)
    row = {
        "text": text,
        "heard": heard.strip(),
        "heard_filled": filled_heard,
        "coverage": covered,
        "wer": wer(text, heard).rate,
        "wer_filled": wer(text, heard).rate if filled_wer is None else filled_wer,
        "context": context,
        "context_filled": context if filled_context is None else filled_context,
        "seconds": t_splice,
        "speech_seconds": t_speech,
        "joins": joins,
        "joins_over": over,
        "worst_join_ratio": worst,
        "loudness_error_lu": abs(lufs - target),
        "loudness_error_ffmpeg_lu": ff_error,
        "uncovered": list(clip.uncovered),
    }
    return row, ctx


def replaced_range(
    project: Any, ids: list[str], k: int, mode: str = "spread", count: int = 20
) -> Any:
    """The words line ``k`` of ``count`` replaces (the same in both sets).

    ``spread``: a 10-word stretch, spread over the recording at a fixed step, wherever it falls
    — often mid-phrase, so an unrelated sentence is dropped between two words said without a
    pause. ``phrase``: a whole phrase, as a correction replaces a flubbed line — from a word
    after a pause or punctuation (see :data:`PHRASE_PAUSE`) to the last word before the next
    one at least 5 words on (at most 15 words), starts spread evenly over the recording."""
    if mode == "spread":
        first = 5 + (k * 13) % (len(ids) - WORDS - 10)
        return line_range(project.document, ids[first], ids[first + WORDS - 1])
    doc = project.document
    spans = [(w.start, w.end) for w in doc.words]
    ends = [
        k2 + 1 == len(ids)
        or bool(re.search(r"[,;:.!?]$", doc.text_of(ids[k2]).strip()))
        or spans[k2 + 1][0] - spans[k2][1] >= PHRASE_PAUSE
        for k2 in range(len(ids))
    ]
    starts = [i for i in range(1, len(ids) - 5) if ends[i - 1]]
    first = starts[(k * len(starts)) // count if count <= len(starts) else k % len(starts)]
    last = next((j for j in range(first + 4, min(first + 15, len(ids))) if ends[j]), None)
    if last is None:
        last = min(first + WORDS - 1, len(ids) - 1)
    return line_range(project.document, ids[first], ids[last])


def readback_floor(project: Any, hear: Any, count: int, seed: int) -> dict[str, Any]:
    """The recogniser's own error on *unedited* speech, measured the way the clips are: random
    10-word stretches of the speaker's recording, cut where splice would cut them (into a pause
    by at most 0.1 s, or at the energy dip where the speech runs on), transcribed alone by the
    bundled model, WER against the transcript's words for them. A spliced line can hardly read
    back better than the recording itself does."""
    from editor.overdub.splice import SHORT_ROOM, _dip

    ids = [w.id for w in project.document.words]
    rng0 = line_range(project.document, ids[0], ids[0])
    ctx = speaker_context(project, rng0)
    words = list(ctx.words)
    doc = project.document
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        k = rng.randrange(0, len(words) - WORDS)
        run = words[k : k + WORDS]
        first, last = run[0], run[-1]
        a = (
            _dip(ctx, first, at_end=False)
            if first.room_before < SHORT_ROOM
            else first.start - min(0.1, first.room_before)
        )
        b = (
            _dip(ctx, last, at_end=True)
            if last.room_after < SHORT_ROOM
            else last.end + min(0.1, last.room_after)
        )
        text = " ".join(doc.text_of(w.id) for w in run)
        heard = hear(to_16k(ctx.audio(a, b), ctx.sample_rate)).strip()
        rows.append({"text": text, "heard": heard, "wer": wer(text, heard).rate})
    return {
        "summary": {
            "stretches": len(rows),
            "wer_mean": statistics.fmean(r["wer"] for r in rows),
            "wer_median": statistics.median(r["wer"] for r in rows),
        },
        "rows": rows,
    }


def alignment(ref: list[str], hyp: list[str]) -> list[tuple[str, int]]:
    """A Levenshtein alignment of ``hyp`` to ``ref`` (the costs of
    :func:`editor.transcribe.wer.wer`), last step first: ``("match" | "substitute" | "delete",
    i)`` for reference word ``i``, ``("insert", i)`` for a heard word between reference words
    ``i - 1`` and ``i``."""
    n, m = len(ref), len(hyp)
    cost = [[i + j if i == 0 or j == 0 else 0 for j in range(m + 1)] for i in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(
                cost[i - 1][j] + 1,
                cost[i][j - 1] + 1,
                cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]),
            )
    steps: list[tuple[str, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            steps.append(("match" if ref[i - 1] == hyp[j - 1] else "substitute", i - 1))
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            steps.append(("delete", i - 1))
            i -= 1
        else:
            steps.append(("insert", i))
            j -= 1
    return steps


def errors_by_word(reference: str, heard: str) -> list[int]:
    """Errors charged to each requested word by :func:`alignment`: a substitution or deletion
    to its word, an insertion to the requested word before it (the first word for one before
    them all). Their sum is the WER's numerator."""
    ref, hyp = normalise(reference), normalise(heard)
    out = [0] * len(ref)
    if not ref:
        return out
    for kind, i in alignment(ref, hyp):
        if kind == "insert":
            out[min(max(i - 1, 0), len(ref) - 1)] += 1
        elif kind != "match":
            out[i] += 1
    return out


def by_position(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """WER points from the line's first and last requested words (where it meets the
    programme around it) and from the words inside it (its own joins), over all ``pairs``
    of (requested, heard)."""
    edge = inner = tokens = 0
    for text, heard in pairs:
        errors = errors_by_word(text, heard)
        tokens += len(errors)
        edge += sum(errors[:1]) + (errors[-1] if len(errors) > 1 else 0)
        inner += sum(errors[1:-1])
    return {"edge_words": edge / max(tokens, 1), "inner_words": inner / max(tokens, 1)}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return float(statistics.median(r[key] for r in rows))

    full = [r for r in rows if r["coverage"] == 1.0]
    holed = [r for r in rows if r["coverage"] < 1.0]

    def mean_of(group: list[dict[str, Any]], key: str, c: str) -> float | None:
        return statistics.fmean(r[key][c]["wer"] for r in group) if group else None

    in_context = {
        c: {
            "wer_mean": mean_of(rows, "context", c),
            "wer_median": statistics.median(r["context"][c]["wer"] for r in rows),
            "wer_mean_aligned": statistics.fmean(r["context"][c]["wer_aligned"] for r in rows),
            "wer_median_aligned": statistics.median(r["context"][c]["wer_aligned"] for r in rows),
            "wer_mean_fully_covered": mean_of(full, "context", c),
            "wer_mean_with_speech_fill": mean_of(rows, "context_filled", c),
            "wer_mean_holed_lines_as_is": mean_of(holed, "context", c),
            "wer_mean_holed_lines_filled": mean_of(holed, "context_filled", c),
            "wer_points_by_position": by_position(
                [(r["text"], r["context"][c]["heard"]) for r in rows]
            ),
        }
        for c in rows[0]["context"]
    }
    return {
        "sentences": len(rows),
        "in_context": in_context,
        "coverage_mean": statistics.fmean(r["coverage"] for r in rows),
        "coverage_min": min(r["coverage"] for r in rows),
        "fully_covered": len(full),
        "wer_mean": statistics.fmean(r["wer"] for r in rows),
        "wer_median": med("wer"),
        "wer_mean_fully_covered": statistics.fmean(r["wer"] for r in full) if full else None,
        "wer_mean_with_speech_fill": statistics.fmean(r["wer_filled"] for r in rows),
        "wer_points_by_position": by_position([(r["text"], r["heard"]) for r in rows]),
        "wer_mean_holed_lines_as_is": statistics.fmean(r["wer"] for r in holed) if holed else None,
        "wer_mean_holed_lines_filled": statistics.fmean(r["wer_filled"] for r in holed)
        if holed
        else None,
        "seconds_median": med("seconds"),
        "seconds_max": max(r["seconds"] for r in rows),
        "speech_seconds_median": med("speech_seconds"),
        "joins": sum(r["joins"] for r in rows),
        "joins_over": sum(r["joins_over"] for r in rows),
        "worst_join_ratio": max(r["worst_join_ratio"] for r in rows),
        "loudness_error_max_lu": max(r["loudness_error_lu"] for r in rows),
        "loudness_error_ffmpeg_max_lu": max(r["loudness_error_ffmpeg_lu"] for r in rows),
        "uncovered_words": sorted({w for r in rows for w in r["uncovered"]}),
        "normalised_tokens_checked": sum(len(normalise(r["text"])) for r in rows),
    }


def rescore(path: Path) -> dict[str, Any]:
    """The read-back figures of a saved run (``bench/out/overdub-*.json``), with where in the
    line the errors fall, recomputed from its rows without the model."""
    saved = json.loads(path.read_text())
    own = saved["sets"]["a_own_words"]["rows"]
    floor = saved.get("floor_in_context", [])
    out: dict[str, Any] = {
        "run": path.name,
        "load_average": saved["summary"]["load_average"],
    }
    for c in own[0].get("context", {}):
        out[f"in_context_{c}"] = {
            "a_wer_mean": statistics.fmean(r["context"][c]["wer"] for r in own),
            "a_wer_mean_aligned": statistics.fmean(
                r["context"][c].get("wer_aligned", float("nan")) for r in own
            ),
            "floor_wer_mean_aligned": statistics.fmean(
                r[c].get("wer_aligned", float("nan")) for r in floor
            )
            if floor
            else None,
            "a_by_position": by_position([(r["text"], r["context"][c]["heard"]) for r in own]),
            "floor_wer_mean": statistics.fmean(r[c]["wer"] for r in floor) if floor else None,
            "floor_by_position": by_position([(r["text"], r[c]["heard"]) for r in floor]),
        }
    out["isolated"] = {
        "a_wer_mean": statistics.fmean(r["wer"] for r in own),
        "a_by_position": by_position([(r["text"], r["heard"]) for r in own]),
        "floor_wer_mean": statistics.fmean(r["wer"] for r in saved["floor"]),
        "floor_by_position": by_position([(r["text"], r["heard"]) for r in saved["floor"]]),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speaker", choices=("sonnets", "mfa"), default="sonnets")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--home", type=Path, help="library (default bench/out/overdub-SPEAKER)")
    parser.add_argument("--fill-plain", action="store_true", help="unmatched espeak-ng fill")
    parser.add_argument("--no-scale", action="store_true", help="skip the 15,000-word timing")
    parser.add_argument(
        "--context",
        type=float,
        nargs="+",
        default=[10.0, 1.0],
        metavar="SECONDS",
        help="programme either side of the line for the in-context read-back (first: primary)",
    )
    parser.add_argument(
        "--ranges",
        choices=("spread", "phrase"),
        default="spread",
        help="what each line replaces: a 10-word stretch anywhere, or a whole phrase",
    )
    parser.add_argument(
        "--reader",
        choices=("plain", "engine"),
        default="plain",
        help="who reads the line back in context: the bundled model's plain call (as `voice "
        "add` runs it) or `wordcut transcribe`'s engine on the same model",
    )
    parser.add_argument(
        "--own-only",
        action="store_true",
        help="set (a) only (skip the reference-text set)",
    )
    parser.add_argument(
        "--rescore",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="print the read-back figures of saved runs (no model, no new run)",
    )
    args = parser.parse_args()
    if args.rescore:
        for path in args.rescore:
            print(json.dumps(rescore(path), indent=1))
        return
    if not (DATA / "sonnets").is_dir():
        raise SystemExit(f"speech data not found at {DATA}")
    home = args.home or OUT / (
        "overdub-home" if args.speaker == "sonnets" else f"overdub-{args.speaker}"
    )
    os.environ.setdefault("WORDCUT_USER", "bench-reader")
    audio, reference = speaker_material(args.speaker)
    build_library(home, audio)

    from editor.overdub.consent import bundled_transcriber
    from editor.project import open_project
    from editor.store import open_store

    if any(c < 0 for c in args.context):
        raise SystemExit("--context: seconds must not be negative")
    hear = bundled_transcriber()
    hear_timed = engine_transcriber() if args.reader == "engine" else timed_transcriber()
    store = open_store(home)
    project = open_project(store, "sonnets")
    ids = [w.id for w in project.document.words]
    splice, speech = SpliceBackend(), SpeechBackend()
    fill = SpeechBackend(match_speaker=False) if args.fill_plain else SpeechBackend()
    sets = {
        "a_own_words": sentences(transcript_phrases(project, args.seed), args.sentences, args.seed),
        "b_reference_text": sentences(
            reference_phrases(reference, args.seed), args.sentences, args.seed
        ),
    }
    if args.own_only:
        del sets["b_reference_text"]
    results: dict[str, Any] = {}
    ctx: VoiceContext | None = None
    for name, texts in sets.items():
        rows: list[dict[str, Any]] = []
        print(f"== {name}", flush=True)
        for k, text in enumerate(texts):
            row, ctx = measure_line(
                project,
                ids,
                k,
                text,
                hear,
                splice,
                speech,
                fill,
                hear_timed,
                args.context,
                args.ranges,
                args.sentences,
            )
            rows.append(row)
            filled = "" if row["heard_filled"] is None else f" filled {row['wer_filled']:5.1%}"
            heard = "  ".join(
                f"{c} {v['wer']:5.1%} (aligned {v['wer_aligned']:5.1%})"
                for c, v in row["context"].items()
            )
            print(
                f"{row['coverage']:5.0%} cover  in context {heard}  "
                f"alone {row['wer']:5.1%}{filled}  "
                f"{row['seconds']:5.2f} s (espeak {row['speech_seconds']:4.2f} s)  "
                f"joins {row['joins']} over {row['joins_over']}  "
                f"ΔL {row['loudness_error_lu']:4.2f} LU  | {text}",
                flush=True,
            )
        results[name] = {"summary": summarise(rows), "rows": rows}

    floor = readback_floor(project, hear, args.sentences, args.seed)
    ranges = [
        replaced_range(project, ids, k, args.ranges, args.sentences) for k in range(args.sentences)
    ]
    floor_context = context_floor(project, ranges, hear_timed, args.context)
    scale_times: list[float] = []
    if not args.no_scale:  # the same lines against a 15,000-word speaker history
        rng = line_range(project.document, ids[20], ids[29])
        big = tiled(speaker_context(project, rng), 15_000)
        for text in sets["a_own_words"][:5]:
            t0 = time.perf_counter()
            compose(VoiceRequest(parse_line(text), big, None), splice)
            scale_times.append(time.perf_counter() - t0)
    project.close()
    store.close()
    summary = {
        "speaker": args.speaker,
        "seed": args.seed,
        "fill": "plain" if args.fill_plain else "matched",
        "ranges": args.ranges,
        "reader": args.reader,
        "speaker_words": 0 if ctx is None else len(ctx.words),
        "load_average": os.getloadavg(),
        **{name: r["summary"] for name, r in results.items()},
        "unedited_floor_in_context": floor_context["summary"],
        "unedited_floor": floor["summary"],
        "seconds_15k_words_median": statistics.median(scale_times) if scale_times else None,
        "seconds_15k_words_max": max(scale_times) if scale_times else None,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    tag = (
        f"{args.speaker}-{args.seed}{'-plain' if args.fill_plain else ''}"
        f"{'-phrase' if args.ranges == 'phrase' else ''}{'-own' if args.own_only else ''}"
        f"{'-engine' if args.reader == 'engine' else ''}"
    )
    (OUT / f"overdub-{tag}.json").write_text(
        json.dumps(
            {
                "summary": summary,
                "sets": results,
                "floor": floor["rows"],
                "floor_in_context": floor_context["rows"],
            },
            indent=1,
        )
    )
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
