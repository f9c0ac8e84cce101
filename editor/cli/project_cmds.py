"""Project library commands: new, list, rename, archive, unarchive, delete, import, locate,
tracks, doctor."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from editor.cli.common import CliError, ProgressBar, print_json
from editor.cli.project_support import add_json, add_project, project_from, store_from
from editor.project import locate_track
from editor.store.db import new_id


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("new", help="create a project")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--sample-rate", type=int, default=48000, help="project rate (default 48000)")
    add_json(p)
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("list", help="list projects (most recent first)")
    p.add_argument("--archived", action="store_true", help="list archived projects instead")
    add_json(p)
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("rename", help="rename a project")
    add_project(p)
    p.add_argument("name", metavar="NEW_NAME")
    add_json(p)
    p.set_defaults(handler=cmd_rename)

    for name, archived in (("archive", True), ("unarchive", False)):
        p = sub.add_parser(name, help=f"{name} a project (it stays on disk)")
        add_project(p)
        add_json(p)
        p.set_defaults(handler=cmd_archive, archived=archived)

    p = sub.add_parser("delete", help="delete a project (never the original media files)")
    add_project(p)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    add_json(p)
    p.set_defaults(handler=cmd_delete)

    p = sub.add_parser("import", help="add media files as tracks (one track per file)")
    add_project(p)
    p.add_argument("files", metavar="FILE", nargs="+", type=Path)
    p.add_argument(
        "--label", action="append", default=[], help="track label (repeat once per file)"
    )
    p.add_argument("--offset", type=float, default=0.0, help="clock offset in seconds")
    p.add_argument(
        "--allow-damaged",
        action="store_true",
        help="import what decodes from a truncated or damaged file (with a warning)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    add_json(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("locate", help="re-attach a track whose media file moved")
    add_project(p)
    p.add_argument("track", metavar="TRACK", help="track label, id or number")
    p.add_argument("path", metavar="NEWPATH", type=Path)
    add_json(p)
    p.set_defaults(handler=cmd_locate)

    p = sub.add_parser("tracks", help="list a project's tracks (and any missing media)")
    add_project(p)
    add_json(p)
    p.set_defaults(handler=cmd_tracks)

    p = sub.add_parser("doctor", help="check the library database's integrity")
    add_json(p)
    p.set_defaults(handler=cmd_doctor)


def _project_line(d: dict[str, Any]) -> str:
    flag = " (archived)" if d["archived"] else ""
    return f"{d['id'][:12]}  {d['name']}{flag}"


def cmd_new(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        project = store.create_project(args.name, args.sample_rate)
    if args.json:
        print_json(project.to_dict())
    else:
        print(f"created project {project.name!r} ({project.id})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        rows = [p.to_dict() for p in store.projects(archived=args.archived)]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(_project_line(row))
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        old = store.project(args.project)
        project = store.rename_project(old.id, args.name)
    if args.json:
        print_json(project.to_dict())
    else:
        print(f"renamed {old.name!r} to {project.name!r}")
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        project = store.archive_project(store.project(args.project).id, args.archived)
    if args.json:
        print_json(project.to_dict())
    else:
        print(f"{'archived' if args.archived else 'unarchived'} {project.name!r}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        project = store.project(args.project)
        if not args.yes:
            if not sys.stdin.isatty():
                raise CliError(f"not deleting {project.name!r} without --yes (no terminal to ask)")
            answer = input(
                f"Delete project {project.name!r} and its caches? Media files are kept. [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes"):
                print("not deleted")
                return 1
        store.delete_project(project.id)
    if args.json:
        print_json({"ok": True, "deleted": project.id, "name": project.name})
    else:
        print(f"deleted project {project.name!r} (media files were not touched)")
    return 0


def _labels(files: list[Path], given: list[str]) -> list[str]:
    if given and len(given) != len(files):
        raise CliError(f"{len(given)} --label for {len(files)} files; give one per file or none")
    if given:
        return given
    labels: list[str] = []
    for f in files:
        base = f.stem or "track"
        label, n = base, 2
        while label in labels:
            label, n = f"{base}-{n}", n + 1
        labels.append(label)
    return labels


def cmd_import(args: argparse.Namespace) -> int:
    from render.media import import_media

    files: list[Path] = [f.expanduser().resolve() for f in args.files]
    labels = _labels(files, args.label)
    for f in files:
        if not f.is_file():
            raise CliError(f"{f}: no such file")
    imported: list[dict[str, Any]] = []
    with store_from(args) as store:
        project = store.project(args.project)
        existing = {t.label for t in store.tracks(project.id)}
        clash = [label for label in labels if label in existing]
        if clash:
            raise CliError(f"the project already has a track labelled {clash[0]!r}; use --label")
        # Decode every file before recording any track, so a bad second file leaves the
        # project exactly as it was (no half-imported set of tracks).
        caches: list[tuple[Path, str, str, Path, Any]] = []
        try:
            for f, label in zip(files, labels, strict=True):
                track_id = new_id()
                cache_dir = store.track_cache_dir(project.id, track_id)
                cache_dir.parent.mkdir(parents=True, exist_ok=True)
                caches.append((f, label, track_id, cache_dir, None))
                bar = ProgressBar(f"importing {f.name}", quiet=args.quiet or args.json)
                try:
                    with import_media(
                        f,
                        cache_dir,
                        sample_rate=project.sample_rate,
                        progress=bar,
                        strict=not args.allow_damaged,
                    ) as cached:  # only its info is needed: release the mappings now
                        caches[-1] = (f, label, track_id, cache_dir, cached.info)
                finally:
                    bar.close()
        except BaseException:
            for _, _, _, cache_dir, _ in caches:
                shutil.rmtree(cache_dir, ignore_errors=True)
            raise
        for f, label, track_id, cache_dir, info in caches:
            track = store.add_track(
                project.id,
                track_id=track_id,
                label=label,
                media_path=f,
                sha256=info.sha256,
                cache_dir=cache_dir,
                metadata=info.to_dict(),
                clock_offset=args.offset,
            )
            imported.append(track.to_dict())
            if not args.json:
                print(f"imported {f.name} as track {label!r} ({info.duration:.1f} s)")
                for warning in info.warnings:
                    print(f"  warning: {f.name}: {warning}")
    if args.json:
        print_json(imported)
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        project = store.project(args.project)
        track = locate_track(store, project.id, args.track, args.path)
    if args.json:
        print_json(track.to_dict())
    else:
        print(f"track {track.label!r} now reads {track.media_path}")
    return 0


def cmd_tracks(args: argparse.Namespace) -> int:
    with project_from(args) as project:
        rows = []
        for t in project.tracks:
            row = t.record.to_dict()
            row["missing"] = t.missing
            row["locate"] = t.locate_hint(project.name)
            rows.append(row)
    if args.json:
        print_json(rows)
    else:
        for n, row in enumerate(rows, start=1):
            state = "MISSING" if row["missing"] else row["transcription_status"]
            print(f"{n}. {row['label']}  {row['media_path']}  [{state}]")
            if row["locate"]:
                print(f"   {row['locate']}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        result = store.integrity_check()
    ok = result == ["ok"]
    if args.json:
        print_json({"ok": ok, "integrity_check": result})
    else:
        print("library ok" if ok else "library damaged:\n" + "\n".join(result))
    return 0 if ok else 1
