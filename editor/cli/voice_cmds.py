"""``wordcut voice statement/add/list/remove``: voice profiles made only with recorded consent.

``statement HOST`` prints what HOST reads aloud; ``add HOST SAMPLE`` checks (with the bundled
model) that SAMPLE is at least 15 s of that statement and stores the profile, owned by the local
identity (``WORDCUT_USER``, else the OS user); ``list`` shows the active profiles and their
consent records; ``remove`` withdraws one (only its owner can).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from editor.cli.common import print_json
from editor.cli.project_support import add_json, store_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    voice = sub.add_parser("voice", help="voice profiles for overdub (consent recorded)")
    vs = voice.add_subparsers(dest="voice_command", metavar="ACTION")
    vs.required = True

    p = vs.add_parser("statement", help="print the consent statement HOST reads aloud")
    p.add_argument("host", metavar="HOST")
    p.set_defaults(handler=cmd_statement)

    p = vs.add_parser("add", help="make HOST's profile from a recording of the statement")
    p.add_argument("host", metavar="HOST")
    p.add_argument("sample", metavar="SAMPLE", type=Path, help="≥ 15 s of HOST reading it")
    add_json(p)
    p.set_defaults(handler=cmd_add)

    p = vs.add_parser("list", help="active voice profiles")
    p.add_argument("host", metavar="HOST", nargs="?")
    add_json(p)
    p.set_defaults(handler=cmd_list)

    p = vs.add_parser("remove", help="withdraw a profile (its owner only)")
    p.add_argument("profile", metavar="HOST|ID")
    add_json(p)
    p.set_defaults(handler=cmd_remove)


def cmd_statement(args: argparse.Namespace) -> int:
    from editor.overdub.consent import MIN_SAMPLE_SECONDS, statement

    print(statement(args.host))
    print(
        f"(record {args.host} reading this aloud, at least {MIN_SAMPLE_SECONDS:.0f} s, then run "
        f"`wordcut voice add {args.host!r} SAMPLE`)",
        file=sys.stderr,
    )
    return 0


def _row(profile: Any) -> dict[str, Any]:
    from editor.store import voices

    c = profile.consent
    return {
        "id": profile.id,
        "host": profile.host,
        "owner": voices.owner(profile),
        "created_at": profile.created_at,
        "reference": str(profile.reference_media),
        "sample_sha256": c.get("sample_sha256") or profile.reference_sha256,
        "statement_wer": c.get("wer"),
        "consent_date": c.get("date"),
    }


def cmd_add(args: argparse.Namespace) -> int:
    from editor.errors import ConsentError
    from editor.identity import current_user
    from editor.overdub.consent import consent_record, verify_sample
    from render.atomic import atomic_path

    sample = args.sample.expanduser().resolve()
    host = " ".join(args.host.split())
    if not host:
        raise ConsentError("a voice profile needs the host's name")
    found = verify_sample(sample, host)
    owner = current_user()
    with store_from(args) as store:
        folder = store.home / "voices"
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / f"{found.sample_sha256[:32]}{sample.suffix.lower()}"
        if not kept.exists():
            with atomic_path(kept, suffix=sample.suffix) as tmp:
                shutil.copyfile(sample, tmp)
        profile = store.add_voice_profile(
            host=host,
            reference_media=kept,
            consent=consent_record(host, owner, found),
            reference_sha256=found.sample_sha256,
        )
        row = _row(profile)
    if args.json:
        print_json(row)
    else:
        print(
            f"voice profile {profile.id} for {host!r} (owner {owner!r}); consent statement heard "
            f"with {found.wer:.0%} word error rate in {found.duration:.1f} s"
        )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        rows = [_row(p) for p in store.voice_profiles(args.host)]
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        print(
            f"{r['id']}  {r['host']}  owner {r['owner']}  consent {r['consent_date'] or '?'}  "
            f"(statement WER {r['statement_wer'] if r['statement_wer'] is not None else '?'})"
        )
    if not rows:
        print("no voice profiles; see `wordcut voice statement HOST`", file=sys.stderr)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from editor.errors import ConsentError
    from editor.identity import current_user
    from editor.store import voices

    user = current_user()
    with store_from(args) as store:
        profile = voices.find(store.conn, args.profile)
        if voices.owner(profile) != user:
            raise ConsentError(
                f"forbidden: the voice profile of {profile.host!r} belongs to "
                f"{voices.owner(profile)!r}; only they can remove it"
            )
        store.revoke_voice_profile(profile.id)
    if args.json:
        print_json({"ok": True, "removed": profile.id, "host": profile.host})
    else:
        print(f"removed voice profile {profile.id} of {profile.host!r}")
    return 0
