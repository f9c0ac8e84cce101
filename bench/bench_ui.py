"""Transcript view benchmark: a delete repainted, scroll frames, the playhead, startup, memory.

A synthetic 90-minute, 15,000-word, 2-track episode (hosts taking turns of 5–150 words, real
sentence punctuation, ~3 % fillers, ~4 % low-confidence words, 12 sections, long pauses) is
shown in a 1000×700 ``TranscriptView`` offscreen, and in one run we measure:

* **delete → repainted**: a kept word in view is struck (``Document.apply`` + the model's
  incremental update + the repaint of its rectangle, i.e. ``processEvents`` until painted), p50 /
  p95 over 200 deletes at random scroll positions; also without the document's own apply;
* **scroll frames**: a wheel step (3 lines: the viewport is blitted and the new strip painted)
  and a page step (the whole viewport painted), p50 / p95; and a page step into text never
  drawn before (the view's run caches emptied first);
* **full repaint** of the viewport, and **playhead** updates (next word highlighted, the view
  following it), p50 / p95;
* **startup in-process**: model build, first layout, first paint; and a width change relayout;
* **RSS** of a child process holding a 90-minute and a 3-hour (30,000-word) episode in a shown
  view, against a bare ``QApplication`` with an empty widget;
* **process start → interactive** (``--app``): ``wordcut app P --screenshot`` as a subprocess on a
  real project (two 90-minute FLAC tracks imported, the words imported as transcripts),
  against ``python -c "import PySide6.QtWidgets"`` started the same way.

The reference for the paint figures, measured in the same run, is the least any text view
must do per frame: fill the viewport and draw the same visible text with one ``drawText`` per
line. Ratios to it travel between machines better than milliseconds. Bars (PRODUCT.md /
issue 10): delete → repainted ≤ 16 ms p95; scroll ≤ 16 ms per frame p95; 3-hour project ≤
500 MB RSS (the whole app); ``--screenshot`` ≤ 2.5 s wall.

    .venv/bin/python bench/bench_ui.py                  # 200 deletes, RSS children
    .venv/bin/python bench/bench_ui.py --deletes 50 --no-rss     # quick
    .venv/bin/python bench/bench_ui.py --app            # also process start -> interactive
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sync.document import Document  # noqa: E402
from sync.model import TrackRef, Word  # noqa: E402
from sync.ops import AddTranscript, Delete, SetPause, SplitSection  # noqa: E402

VOCAB = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "we",
    "I",
    "you",
    "it",
    "that",
    "is",
    "was",
    "in",
    "for",
    "on",
    "so",
    "but",
    "like",
    "just",
    "this",
    "what",
    "they",
    "really",
    "think",
    "know",
    "people",
    "about",
    "episode",
    "show",
    "podcast",
    "audio",
    "editing",
    "microphone",
    "record",
    "transcript",
    "sound",
    "actually",
    "because",
    "something",
    "interesting",
    "question",
    "listeners",
    "week",
    "today",
    "yesterday",
    "remember",
    "exactly",
    "wonderful",
    "conversation",
    "important",
    "different",
    "everybody",
    "probably",
    "definitely",
    "absolutely",
    "software",
    "workflow",
    "headphones",
    "interview",
    "producer",
    "guest",
]
FILLERS = ("um", "uh", "like", "you know")
SIZE = (1000, 700)


def episode(rnd: random.Random, n_words: int) -> Document:
    """Two hosts in turns, 0.36 s per word on average (15,000 words ≈ 90 minutes)."""
    words: list[Word] = []
    t, track, left, sentence = 0.8, "A", rnd.randint(5, 150), 0
    cap = True
    for i in range(n_words):
        dur = rnd.uniform(0.14, 0.34)
        filler = rnd.random() < 0.03
        text = rnd.choice(FILLERS) if filler else rnd.choice(VOCAB)
        if cap:
            text, cap = text[:1].upper() + text[1:], False
        sentence += 1
        left -= 1
        if not filler and (left == 0 or sentence > rnd.randint(8, 22)):
            text += rnd.choice((".", ".", ".", "?", "!"))
            sentence, cap = 0, True
        elif not filler and rnd.random() < 0.06:
            text += ","
        conf = rnd.uniform(0.2, 0.5) if rnd.random() < 0.04 else rnd.uniform(0.7, 1.0)
        words.append(Word(f"w{i}", track, text, t, t + dur, conf, None, filler))
        t += dur
        if left == 0:
            track, left = ("B" if track == "A" else "A"), rnd.randint(5, 150)
            t += rnd.uniform(0.4, 2.2)
            cap = True
        else:
            t += rnd.uniform(0.03, 0.12) if rnd.random() > 0.02 else rnd.uniform(0.9, 2.5)
    doc = Document()
    end = t + 2.0
    for name, label in (("A", "Diane"), ("B", "Sheila")):
        mine = tuple(w for w in words if w.track == name)
        doc.apply(AddTranscript(TrackRef(name, label, end), mine))
    ids = [w.id for w in doc.words]
    for k in range(1, 12):
        doc.apply(SplitSection(ids[k * len(ids) // 12], f"Part {k}: a topic", f"s{k}"))
    for _ in range(40):
        w = rnd.choice(ids)
        a, b = doc.gap_after(w)
        if b - a > 1.0:
            doc.apply(SetPause(w, 0.5))
    return doc


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def ms(xs: list[float]) -> str:
    return f"p50 {statistics.median(xs) * 1e3:6.2f} ms  p95 {pct(xs, 0.95) * 1e3:6.2f} ms"


def run_view(args: argparse.Namespace) -> dict[str, object]:
    from PySide6.QtCore import QEvent, QObject, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from editor.ui.transcript import TranscriptView
    from editor.viewmodel import Style, TranscriptModel
    from sync.events import Change, Event

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rnd = random.Random(args.seed)
    doc = episode(rnd, args.words)
    out: dict[str, object] = {"words": len(doc)}

    t0 = time.perf_counter()
    model = TranscriptModel(doc)
    t1 = time.perf_counter()
    view = TranscriptView(model)
    view.resize(*SIZE)
    painted = [0]

    class Counter(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted[0] += 1
            return False

    counter = Counter()
    view.viewport().installEventFilter(counter)
    ready = [False]
    view.ready.connect(lambda: ready.__setitem__(0, True))
    t2 = time.perf_counter()
    view.show()
    while not painted[0]:
        app.processEvents()
    t3 = time.perf_counter()
    out["startup"] = {
        "model_ms": (t1 - t0) * 1e3,
        "show_to_painted_ms": (t3 - t2) * 1e3,
        "paragraphs": len(model.paragraphs),
    }
    print(f"{len(doc)} words, {len(model.paragraphs)} paragraphs")
    print(f"model build {(t1 - t0) * 1e3:.1f} ms; show -> first paint {(t3 - t2) * 1e3:.1f} ms")

    def settle() -> None:
        app.processEvents()

    def frame(action: Callable[[], None]) -> float:
        before = painted[0]
        t = time.perf_counter()
        action()
        app.processEvents()
        dt = time.perf_counter() - t
        if painted[0] == before:
            raise SystemExit("bench: an action was expected to repaint and did not")
        return dt

    bar = view.verticalScrollBar()

    def visible_kept() -> list[str]:
        vh = view.viewport().height()
        lay = view.doc_layout
        y0 = view.scroll_y()
        p0 = lay.paragraph_at(y0)
        found = []
        for p in range(p0, len(lay.layouts)):
            if lay.tops[p] > y0 + vh:
                break
            for tok in model.paragraphs[p].tokens:
                r = view.token_rect(tok)
                if (
                    tok.is_word
                    and r is not None
                    and r.top() >= 0
                    and r.bottom() <= vh
                    and not tok.style & Style.DELETED
                ):
                    found.append(tok.key)
        return found

    # The reference: fill + one drawText per visible line of the same text.
    lines = []
    lay = view.doc_layout
    for p in range(min(30, len(model.paragraphs))):
        for ln in range(len(lay.layouts[p].line_first)):
            idx = lay.tokens_on_line(p, ln)
            lines.append(" ".join(model.paragraphs[p].tokens[i].text for i in idx))
    n_lines = int(view.viewport().height() // view.metrics.line_height) + 1
    lines = lines[:n_lines]
    img = QImage(
        view.viewport().size() * view.devicePixelRatio(), QImage.Format.Format_ARGB32_Premultiplied
    )

    def reference() -> None:
        p = QPainter(img)
        p.fillRect(QRectF(0, 0, img.width(), img.height()), Qt.GlobalColor.white)
        p.setFont(view.metrics.body)
        for k, text in enumerate(lines):
            p.drawText(40, int(20 + k * view.metrics.line_height), text)
        p.end()

    ref = []
    for _ in range(100):
        t = time.perf_counter()
        reference()
        ref.append(time.perf_counter() - t)
    ref_p50 = statistics.median(ref)
    print(f"reference (fill + drawText per line, {len(lines)} lines): {ms(ref)}")

    # Deletes.
    full, ui_only = [], []
    for k in range(args.deletes):
        bar.setValue(rnd.randrange(bar.maximum() + 1))
        settle()
        cands = visible_kept()
        if not cands:
            continue
        w = rnd.choice(cands)
        op = Delete(w, w)

        def strike(op: Delete = op) -> None:
            events: list[Event] = []
            doc.apply(op, events)
            model.apply(Change(doc.version, tuple(events), None))

        if k % 2:
            full.append(frame(strike))
        else:
            events: list[Event] = []
            doc.apply(op, events)
            change = Change(doc.version, tuple(events), None)
            ui_only.append(frame(lambda change=change: model.apply(change)))
    print(f"delete -> repainted (apply + model + paint): {ms(full)}")
    print(f"delete -> repainted (model + paint only)   : {ms(ui_only)}")

    # Scrolling.
    bar.setValue(0)
    settle()

    def scroller(step: int) -> Callable[[], None]:
        def scroll() -> None:
            if bar.value() + step > bar.maximum():  # at the end: start again from the top
                bar.setValue(0)
                settle()
            bar.setValue(bar.value() + step)

        return scroll

    wheel = [frame(scroller(3 * bar.singleStep())) for _ in range(300)]
    page = [frame(scroller(bar.pageStep())) for _ in range(100)]
    print(f"scroll, wheel step (3 lines)               : {ms(wheel)}")
    print(f"scroll, page step (whole viewport)         : {ms(page)}")

    # Never-seen text: the view's caches of prepared runs emptied (untimed) before each step.
    cold = []
    for _ in range(60):
        view.metrics.forget_runs()
        cold.append(frame(scroller(bar.pageStep())))
    print(f"scroll, page step into never-seen text     : {ms(cold)}")

    repaint = []
    for _ in range(100):
        bar.setValue(rnd.randrange(bar.maximum() + 1))
        settle()
        repaint.append(frame(lambda: view.viewport().update()))
    print(f"full repaint                               : {ms(repaint)}")

    # Playhead: the next 500 words from a random place; the view follows.
    start = rnd.randrange(len(model.words) - 600)
    keys = [t.key for t in model.words[start : start + 500]]
    view.set_playing_word(keys[0])
    settle()
    play = [frame(lambda k=k: view.set_playing_word(k)) for k in keys[1:]]
    print(f"playhead update (+ follow)                 : {ms(play)}")

    # Relayout on a width change.
    widths = []
    for w in (900, 1000, 1100, 1000):
        t = time.perf_counter()
        view.resize(w, SIZE[1])
        settle()
        widths.append(time.perf_counter() - t)
    relayout_ms = statistics.median(widths) * 1e3
    print(f"resize (relayout of everything)            : median {relayout_ms:.1f} ms")

    out.update(
        {
            "reference": ref,
            "delete_full": full,
            "delete_ui": ui_only,
            "wheel": wheel,
            "page": page,
            "page_cold": cold,
            "repaint": repaint,
            "playhead": play,
            "resize": widths,
        }
    )
    ratios = {
        "delete": pct(full, 0.95),
        "wheel": pct(wheel, 0.95),
        "page": pct(page, 0.95),
        "full repaint": pct(repaint, 0.95),
    }
    print(
        "p95 / reference p50: "
        + ", ".join(f"{name} {value / ref_p50:.1f}x" for name, value in ratios.items())
    )
    view.close()
    view.deleteLater()
    app.processEvents()
    return out


def rss_child(n_words: int, bare: bool) -> None:
    """Run in a child: build and show, then print this process's RSS in MB as JSON."""
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    if bare:
        w = QWidget()
        w.resize(*SIZE)
        w.show()
        app.processEvents()
    else:
        from editor.ui.transcript import TranscriptView
        from editor.viewmodel import TranscriptModel

        doc = episode(random.Random(1), n_words)
        model = TranscriptModel(doc)
        view = TranscriptView(model)
        view.resize(*SIZE)
        view.show()
        for _ in range(5):
            app.processEvents()
        bar = view.verticalScrollBar()
        for v in range(0, bar.maximum(), max(1, bar.maximum() // 50)):
            bar.setValue(v)
            app.processEvents()
    status = Path("/proc/self/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"rss_mb": rss / 1024, "peak_mb": hwm / 1024}))


def run_rss() -> dict[str, object]:
    out = {}
    for name, words, bare in (
        ("bare Qt", 0, True),
        ("90 min", 15_000, False),
        ("3 h", 30_000, False),
    ):
        cmd = [sys.executable, __file__, "--rss-child", str(words)] + (["--bare"] if bare else [])
        res = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
        data = json.loads(res.stdout.strip().splitlines()[-1])
        out[name] = data
        print(f"RSS {name:8s}: {data['rss_mb']:6.1f} MB (peak {data['peak_mb']:.1f} MB)")
    return out


APP_PROJECT = "UI bench 90 min"
APP_HOME = ROOT / "bench" / "out" / "ui-home"


def _wordcut(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WORDCUT_HOME": str(APP_HOME)}
    cmd = [sys.executable, "-m", "editor.cli", *argv]
    return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=True)


def build_app_project() -> None:
    """Once: two 90-minute tracks (quiet noise, 16 kHz FLAC), imported, words imported as each
    track's transcript (the same synthetic episode as above)."""
    import numpy as np
    import soundfile as sf

    listed = _wordcut("list", "--json").stdout if APP_HOME.exists() else ""
    if APP_PROJECT in listed:
        return
    APP_HOME.mkdir(parents=True, exist_ok=True)
    doc = episode(random.Random(7), 15_000)
    end = max(w.end for w in doc.words) + 2.0
    _wordcut("new", APP_PROJECT)
    files = []
    rng = np.random.default_rng(1)
    for track in doc.tracks:
        path = APP_HOME / f"{track.label}.flac"
        with sf.SoundFile(path, "w", 16_000, 1, format="FLAC") as f:
            left = int(end * 16_000)
            while left > 0:
                n = min(left, 16_000 * 60)
                f.write((rng.standard_normal(n) * 0.01).astype(np.float32))
                left -= n
        files.append(path)
    labels = [arg for t in doc.tracks for arg in ("--label", t.label)]
    _wordcut("import", APP_PROJECT, *map(str, files), *labels, "--quiet")
    for track in doc.tracks:
        words = [
            {"text": w.text, "start": w.start, "end": w.end, "confidence": w.confidence}
            for w in doc.words
            if w.track == track.id
        ]
        js = APP_HOME / f"{track.label}.json"
        js.write_text(json.dumps(sorted(words, key=lambda w: w["start"])))
        _wordcut("transcript-import", APP_PROJECT, str(js), "--track", track.label)


def run_app(runs: int) -> dict[str, object]:
    """``wordcut app P --screenshot`` wall time from process start, against a bare Qt window
    started the same way (``python -c``: interpreter + QtWidgets import + first show)."""
    t = time.perf_counter()
    build_app_project()
    print(f"app project ready in {time.perf_counter() - t:.1f} s")
    env = {**os.environ, "WORDCUT_HOME": str(APP_HOME), "QT_QPA_PLATFORM": "offscreen"}
    bare = (
        "from PySide6.QtWidgets import QApplication, QWidget\n"
        "a = QApplication([]); w = QWidget(); w.resize(1200, 800); w.show(); a.processEvents()\n"
        "w.grab().save('/dev/null', 'PNG')\n"
    )
    walls, inner, refs = [], [], []
    shot = APP_HOME / "shot.png"
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", bare], env=env, cwd=ROOT, check=True)
        refs.append(time.perf_counter() - t)
        t = time.perf_counter()
        res = subprocess.run(
            [sys.executable, "-m", "editor.cli", "app", APP_PROJECT, "--screenshot", str(shot)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        walls.append(time.perf_counter() - t)
        if res.returncode != 0:
            raise SystemExit(f"bench: wordcut app failed: {res.stderr.strip()[-500:]}")
        for line in res.stderr.splitlines():
            if line.startswith("interactive "):
                inner.append(float(line.split()[1]))
    ref = statistics.median(refs)
    wall = statistics.median(walls)
    print(f"bare Qt window (python -c)                 : median {ref:.2f} s")
    print(
        f"wordcut app P --screenshot, wall           : median {wall:.2f} s ({wall / ref:.1f}x bare)"
    )
    if inner:
        print(
            f"  main() -> interactive (app's own report) : median {statistics.median(inner):.2f} s"
        )
    return {"wall": walls, "main_to_interactive": inner, "bare": refs, "screenshot": str(shot)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=15_000)
    ap.add_argument("--deletes", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-rss", action="store_true")
    ap.add_argument("--app", action="store_true", help="also time wordcut app --screenshot")
    ap.add_argument("--app-runs", type=int, default=3)
    ap.add_argument("--json", type=Path, help="write every sample here")
    ap.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child is not None:
        rss_child(args.rss_child, args.bare)
        return
    results: dict[str, object] = {"view": run_view(args)}
    if not args.no_rss:
        results["rss"] = run_rss()
    if args.app:
        results["app"] = run_app(args.app_runs)
    if args.json:
        args.json.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
