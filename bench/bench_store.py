"""Store benchmarks: opening a 90-minute project (15,000 words, 2 tracks) and edit throughput.

Bar (issue 3): loading the project from the store <= 300 ms. Printed as medians over several
runs, next to a reference measured in the same run (decoding the snapshot JSON alone, the floor
any load must pay), because the machine is small and noisy.

    .venv/bin/python bench/bench_store.py [--words 15000] [--runs 7] [--edits 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import msgspec

from editor.project import open_project
from editor.session import LocalSession, load_document
from editor.store import open_store, oplog
from sync.model import TrackRef, Word
from sync.ops import AddTranscript, Delete


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=15_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--edits", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp))
        project = store.create_project("bench")
        session = LocalSession(store, project.id)
        half = args.words // 2
        for n, (tid, label) in enumerate((("a", "Ann"), ("b", "Bob"))):
            words = tuple(
                Word(
                    f"{tid}{i}",
                    tid,
                    f"word{i}",
                    i * 0.36 + n * 0.18,
                    i * 0.36 + n * 0.18 + 0.15,
                    0.9,
                    label,
                )
                for i in range(half)
            )
            session.submit(AddTranscript(TrackRef(tid, label), words))
        ids = [w.id for w in session.document.words]
        t0 = time.perf_counter()
        for i in range(args.edits):
            w = ids[(i * 37) % len(ids)]
            session.submit(Delete(w, w))
        per_edit = (time.perf_counter() - t0) * 1000 / args.edits
        snaps = oplog.snapshots(store.conn, project.id)
        replay = session.version - (snaps[0][0] if snaps else 0)
        data = snaps[0][1] if snaps else msgspec.json.encode(session.document.snapshot())

        reference = median_ms(lambda: msgspec.json.decode(data), args.runs)
        load = median_ms(lambda: load_document(store, project.id), args.runs)
        open_session = median_ms(lambda: LocalSession(store, project.id), args.runs)
        store.add_track(project.id, label="Ann", media_path=Path(tmp) / "a.wav", sha256="0")
        store.add_track(project.id, label="Bob", media_path=Path(tmp) / "b.wav", sha256="1")
        open_project_ms = median_ms(lambda: open_project(store, project.id), args.runs)
        snapshot = median_ms(lambda: msgspec.json.encode(session.document.snapshot()), args.runs)
        print(
            f"project: {len(ids)} words, 2 tracks, version {session.version}, "
            f"{replay} ops replayed after the newest snapshot ({len(data) / 1e6:.1f} MB)"
        )
        print(f"reference: decode snapshot JSON      {reference:8.1f} ms")
        print(
            f"load_document (snapshot + replay)  {load:8.1f} ms  ({load / reference:.1f}x ref)"
            f"  bar 300 ms: {'PASS' if load <= 300 else 'FAIL'}"
        )
        print(
            f"LocalSession open (+ undo history)  {open_session:8.1f} ms  "
            f"({open_session / reference:.1f}x ref)"
        )
        print(
            f"open_project (store+doc+tracks)    {open_project_ms:8.1f} ms  "
            f"({open_project_ms / reference:.1f}x ref)"
        )
        print(f"snapshot encode                    {snapshot:8.1f} ms")
        print(f"submit (validate+apply+commit FULL) {per_edit:8.2f} ms per edit")
        store.close()


if __name__ == "__main__":
    main()
