"""``wordcut overdub``: replace words with a generated line in the speaker's voice.

One undoable edit (delete the words + insert the clip after the word before them); with
``--preview OUT.wav`` the line is rendered in context (a second either side) and the project is
left as it was. The splice backend needs the speaker's verified voice profile owned by you
(``wordcut voice add``); ``--backend speech`` (espeak-ng) imitates nobody and needs none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from editor.cli.common import print_json
from editor.cli.project_support import add_json, add_project, project_from, resolve_range


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("overdub", help="replace words with a generated line (consent-gated)")
    add_project(p)
    p.add_argument("--replace", required=True, metavar="A-B", help="the words to replace")
    p.add_argument("--text", required=True, metavar="TEXT", help="what the line should say")
    p.add_argument(
        "--backend",
        default="splice",
        metavar="NAME",
        help="splice (the speaker's own words, default), speech (espeak-ng) or a plug-in",
    )
    p.add_argument("--voice", metavar="HOST|ID", help="the voice profile (default: the speaker's)")
    p.add_argument(
        "--fill",
        metavar="NAME",
        help="a backend for the words the first cannot say (e.g. speech)",
    )
    p.add_argument("--preview", type=Path, metavar="OUT.wav", help="write the line in context")
    add_json(p)
    p.set_defaults(handler=cmd_overdub)


def cmd_overdub(args: argparse.Namespace) -> int:
    from editor.identity import current_user
    from editor.overdub import edit

    user = current_user()
    with project_from(args) as project:
        first, last = resolve_range(project, args.replace)
        prepared = edit.prepare(
            project,
            first,
            last,
            args.text,
            user=user,
            backend=args.backend,
            voice=args.voice,
            fill=args.fill,
        )
        clip = prepared.clip
        summary = {
            "backends": list(clip.backends),
            "duration": round(clip.duration, 3),
            "gain_db": round(clip.gain_db, 2),
            "voice": None if prepared.profile is None else prepared.profile.id,
            "words": [w.text for w in clip.words],
            "notes": list(clip.notes),
        }
        if args.preview is not None:
            seconds = edit.preview(project, prepared, args.preview)
            if args.json:
                print_json({"ok": True, "preview": str(args.preview), **summary})
            else:
                print(
                    f"wrote {args.preview} ({seconds:.1f} s: the line in context, "
                    f"by {' + '.join(clip.backends)}); the project is unchanged"
                )
                _print_notes(clip.notes)
            return 0
        version, overdub = edit.commit(project, prepared, user=user)
    message = (
        f"overdub {overdub.id}: words {args.replace} -> {args.text!r} "
        f"({clip.duration:.2f} s, {' + '.join(clip.backends)}, marked generated)"
    )
    if args.json:
        print_json({"ok": True, "version": version, "overdub": overdub.id, **summary})
    else:
        print(f"{message} (version {version})")
        _print_notes(clip.notes)
    return 0


def _print_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
