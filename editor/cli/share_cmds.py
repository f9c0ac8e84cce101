"""Co-editing commands: share, join, sync, status.

``share`` puts a local project into a relay room (recordings, clips and the document) and links
it; ``join`` makes a new local project from a room; once linked, every edit command goes
through the relay and read commands pull first (``editor.collab.session``). ``sync`` pushes
pending edits and pulls (``--watch`` stays and prints the co-host's edits); ``status`` says
whether the project is linked, online and what is pending.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import threading

from editor.cli.common import CliError, ProgressBar, print_json
from editor.cli.project_support import add_json, add_project, store_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("share", help="share a project through a relay (co-editing)")
    add_project(p)
    p.add_argument("--relay", required=True, metavar="URL", help="ws://HOST:PORT of the relay")
    p.add_argument("--token", required=True, help="an owner token for the room")
    p.add_argument("--room", help="the room the token is for (or give the room URL as --relay)")
    p.add_argument("--invite", choices=("editor", "viewer", "owner"), help="print a join link")
    p.add_argument(
        "--invite-as",
        metavar="NAME",
        help="the invited host's identity (default: the name they join with, fixed then)",
    )
    p.add_argument("--name", help="your name as the co-host sees it")
    add_json(p)
    p.set_defaults(handler=cmd_share)

    p = sub.add_parser("join", help="join a shared project from a link")
    p.add_argument(
        "link", metavar="LINK", help="ws://HOST:PORT/v1/rooms/ROOM?token=... or wordcut://"
    )
    p.add_argument("--name", dest="project_name", help="name of the local project")
    p.add_argument("--token", help="token, when the link carries none")
    p.add_argument("--as", dest="name", help="your name as the co-host sees it")
    add_json(p)
    p.set_defaults(handler=cmd_join)

    p = sub.add_parser("sync", help="send pending edits of a shared project and pull the co-host's")
    add_project(p)
    p.add_argument("--watch", action="store_true", help="stay connected and print edits live")
    p.add_argument("--for", dest="duration", type=float, metavar="SECONDS", help="watch this long")
    add_json(p)
    p.set_defaults(handler=cmd_sync)

    p = sub.add_parser("status", help="is a project shared, online, with edits pending?")
    add_project(p)
    add_json(p)
    p.set_defaults(handler=cmd_status)


def _me(name: str | None) -> str:
    from editor.identity import current_user

    return (name or current_user()).strip() or "host"


def cmd_share(args: argparse.Namespace) -> int:
    from editor.collab.link import relay_base
    from editor.collab.share import share
    from editor.project import open_project

    if args.invite_as is not None and args.invite is None:
        raise CliError("--invite-as names the invited host: give --invite ROLE with it")
    relay = relay_base(args.relay)
    room = args.room or _room_in(args.relay)
    if room is None:
        raise CliError(
            "which room? give --room ROOM (the room the token was made for) "
            "or the room's URL as --relay ws://HOST:PORT/v1/rooms/ROOM"
        )
    with store_from(args) as store, open_project(store, args.project) as project:
        if hasattr(project.session, "replica"):
            raise CliError(f"project {project.name!r} is already shared")
        bar = ProgressBar("uploading", quiet=args.json)
        try:
            shared = asyncio.run(
                share(
                    store,
                    project,
                    relay,
                    room,
                    args.token,
                    name=_me(args.name),
                    invite=args.invite,
                    invite_as=args.invite_as,
                    say=_say(args),
                    progress=bar,
                )
            )
        finally:
            bar.close()
    if args.json:
        print_json({"room": room, "version": shared.version, "link": shared.link.url()})
    else:
        print(f"shared {args.project!r} as room {room} at version {shared.version}")
        print(f"join link: {shared.link.url()}")
    return 0


def _room_in(url: str) -> str | None:
    from editor.collab.link import parse_link
    from editor.errors import CollabError

    try:
        return parse_link(url).room
    except CollabError:
        return None


def _say(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    def say(line: str) -> None:
        if not args.json:
            print(line, file=sys.stderr)

    return say


def cmd_join(args: argparse.Namespace) -> int:
    from editor.collab.link import parse_link
    from editor.collab.share import join

    link = parse_link(args.link)
    token = args.token or link.token
    if not token:
        raise CliError("the link carries no token; pass --token")
    name = args.project_name or link.room
    with store_from(args) as store:
        bar = ProgressBar("downloading", quiet=args.json)
        try:
            pid, version = asyncio.run(
                join(store, link, token, name, name=_me(args.name), say=_say(args), progress=bar)
            )
        finally:
            bar.close()
    if args.json:
        print_json({"project": pid, "name": name, "version": version})
    else:
        print(f"joined room {link.room} as project {name!r} (version {version})")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from editor.collab.client import CollabClient
    from editor.collab.session import LinkedSession
    from sync.protocol import Applied

    with store_from(args) as store:
        project = store.project(args.project)
        session = LinkedSession(store, project.id)
        report = session.sync()
        for line in session.take_notices():
            print(f"wordcut: {line}", file=sys.stderr)
        if report is None and not args.watch:
            raise CliError(f"{project.name}: the relay cannot be reached; edits stay pending")
        pending = len(session.replica.pending())
        if report is None:
            pass  # --watch keeps trying below
        elif args.json and not args.watch:
            print_json(
                {
                    "version": session.version,
                    "pulled": report.pulled,
                    "sent": len(report.acked),
                    "pending": pending,
                    "rejected": [dataclasses.asdict(n) for n in report.rejected],
                }
            )
        elif not args.watch:
            print(
                f"{project.name}: version {session.version}, pulled {report.pulled}, "
                f"sent {len(report.acked)}, {pending} pending"
            )
        if not args.watch:
            return 0

        def show(msg: Applied) -> None:
            print(f"v{msg.version} {msg.author}: {msg.op.get('type')} {_brief(msg.op)}", flush=True)

        done = threading.Event()

        def state(what: str, detail: str) -> None:
            if what == "offline":
                print(f"wordcut: offline ({detail}); reconnecting", file=sys.stderr, flush=True)
            elif what == "online":
                print("wordcut: online", file=sys.stderr, flush=True)

        client = CollabClient(store.home, project.id, on_remote=show, on_state=state).start()
        try:
            done.wait(args.duration)  # None: until Ctrl+C
        finally:
            client.stop()
    return 0


def _brief(op: dict[str, object]) -> str:
    keys = ("start_word", "end_word", "word", "text", "section", "name")
    return " ".join(f"{k}={op[k]}" for k in keys if k in op)


def cmd_status(args: argparse.Namespace) -> int:
    from editor.store import links

    with store_from(args) as store:
        project = store.project(args.project)
        link = links.get(store.conn, project.id)
        if link is None:
            if args.json:
                print_json({"linked": False})
            else:
                print(f"{project.name}: not shared (solo)")
            return 0
        pending = links.pending(store.conn, project.id)
        notices = links.unshown_notices(store.conn, project.id)
        online = _reachable(link.relay_url, link.room, link.token)
    data = {
        "linked": True,
        "relay": link.relay_url,
        "room": link.room,
        "role": link.role,
        "name": link.name,
        "online": online,
        "pending": len(pending),
        "last_sync": link.synced_at,
        "unreported_refusals": len(notices),
    }
    if args.json:
        print_json(data)
    else:
        state = "online" if online else "offline"
        print(
            f"{project.name}: shared as room {link.room} on {link.relay_url} ({link.role}), "
            f"{state}, {len(pending)} edit(s) pending, last sync {link.synced_at or 'never'}"
        )
    return 0


def _reachable(relay: str, room: str, token: str) -> bool:
    from editor.collab.conn import Offline, RelayConn
    from editor.errors import CollabError

    async def probe() -> bool:
        try:
            conn = await RelayConn.open(f"{relay}/v1/rooms/{room}", token, timeout=2)
        except (Offline, CollabError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())
