"""Importing dropped or chosen audio files as tracks, in three steps on the right threads.

1. :func:`plan_import` (GUI thread): check the files exist and the labels are unique, pick track
   ids and cache folders — nothing is written yet;
2. :func:`run_import` (a job thread): decode every file into its cache with progress and cancel
   (``render.media.import_media``); if any file fails or the user cancels, every cache this run
   made is removed and the error is raised — the project is exactly as it was;
3. :func:`commit_import` (GUI thread, which owns the store connection): record the tracks.

This is the ``wordcut import`` rule (decode everything before recording anything) with the
progress and cancel a window needs.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editor.errors import StoreError
from editor.store import Store, Track
from editor.store.db import new_id
from editor.ui.jobs import JobCancelled, JobContext

AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".aac", ".flac", ".ogg", ".opus", ".aif", ".aiff")


@dataclass(slots=True)
class PlannedTrack:
    path: Path
    label: str
    track_id: str
    cache_dir: Path
    info: Any = None


@dataclass(slots=True)
class ImportPlan:
    project_id: str
    sample_rate: int
    tracks: list[PlannedTrack] = field(default_factory=list)


def default_labels(files: list[Path], taken: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """One label per file from its name, made unique against each other and ``taken``."""
    labels: list[str] = []
    for f in files:
        base = f.stem.replace("_", " ").strip() or "Track"
        label, n = base, 2
        while label in labels or label in taken:
            label, n = f"{base} {n}", n + 1
        labels.append(label)
    return labels


def plan_import(store: Store, project_id: str, files: list[Path], labels: list[str]) -> ImportPlan:
    if not files:
        raise StoreError("no files to import")
    if len(labels) != len(files):
        raise StoreError(f"{len(labels)} labels for {len(files)} files")
    project = store.project(project_id)
    taken = {t.label for t in store.tracks(project.id)}
    seen: set[str] = set()
    plan = ImportPlan(project.id, project.sample_rate)
    for f, label in zip(files, labels, strict=True):
        label = label.strip()
        f = f.expanduser().resolve()
        if not label:
            raise StoreError(f"{f.name}: give the track a label")
        if label in taken or label in seen:
            raise StoreError(f"the project already has a track labelled {label!r}")
        if not f.is_file():
            raise StoreError(f"{f}: no such file")
        seen.add(label)
        track_id = new_id()
        plan.tracks.append(
            PlannedTrack(f, label, track_id, store.track_cache_dir(project.id, track_id))
        )
    return plan


def run_import(plan: ImportPlan, ctx: JobContext) -> ImportPlan:
    """Decode every planned file into its cache (a job thread; touches no database)."""
    from render.media import import_media

    n = len(plan.tracks)
    try:
        for i, t in enumerate(plan.tracks):
            t.cache_dir.parent.mkdir(parents=True, exist_ok=True)

            def progress(done: int, total: int, i: int = i) -> None:
                ctx.progress(i + (done / total if total else 0.0), n)

            with import_media(
                t.path,
                t.cache_dir,
                sample_rate=plan.sample_rate,
                progress=progress,
                cancel=ctx.cancelled,
                strict=True,
            ) as cached:
                t.info = cached.info
            ctx.check()
    except BaseException as exc:
        for t in plan.tracks:
            shutil.rmtree(t.cache_dir, ignore_errors=True)
        from render.errors import Cancelled

        if isinstance(exc, Cancelled):
            raise JobCancelled("import") from exc
        raise
    return plan


def commit_import(store: Store, plan: ImportPlan) -> list[Track]:
    """Record the decoded tracks (GUI thread)."""
    out = []
    for t in plan.tracks:
        out.append(
            store.add_track(
                plan.project_id,
                track_id=t.track_id,
                label=t.label,
                media_path=t.path,
                sha256=t.info.sha256,
                cache_dir=t.cache_dir,
                metadata=t.info.to_dict(),
                clock_offset=0.0,
            )
        )
    return out


def audio_files(paths: list[Path]) -> list[Path]:
    """The dropped paths that look like audio (folders and other files are ignored)."""
    return [p for p in paths if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES]
