"""``wordcut-relay``: the headless co-editing relay and its token commands.

    wordcut-relay serve --host 127.0.0.1 --port 8765 --data DIR [--tls-cert C --tls-key K]
    wordcut-relay token create ROOM --role owner|editor|viewer [--name NAME] [--label L]
                                    [--data DIR]
    wordcut-relay token list [ROOM] [--data DIR]
    wordcut-relay token revoke ID_OR_TOKEN [--data DIR]

``token create`` prints the new token as the last word of its output (scripts take it with
``awk '{print $NF}'``); the relay stores only its hash, so it cannot be shown again. ``--name``
gives the token an identity: its connections author every op (and overdub consent) as that
name, whatever their hello says; give each host their own. Every
failure is one line on stderr and exit status 1; SIGTERM or Ctrl+C stops ``serve`` gracefully.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import ssl
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sync.errors import SyncError
from sync.relay.limits import Limits


def default_data_dir() -> Path:
    env = os.environ.get("WORDCUT_RELAY_DATA")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("wordcut-relay", appauthor=False))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wordcut-relay", description="Headless relay for live co-editing with Wordcut."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def data(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", type=Path, default=None, metavar="DIR", help="relay data folder")

    s = sub.add_parser("serve", help="run the relay")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765)
    data(s)
    s.add_argument("--tls-cert", type=Path, metavar="PEM")
    s.add_argument("--tls-key", type=Path, metavar="PEM")
    s.add_argument("--op-rate", type=float, default=None, metavar="N", help="ops/s per client")
    s.add_argument("--max-message", type=int, default=None, metavar="BYTES")
    s.add_argument("--max-conns-per-address", type=int, default=None, metavar="N")
    s.add_argument("--ping-interval", type=float, default=None, metavar="SECONDS")
    s.add_argument("--retain-ops", type=int, default=None, metavar="N")
    s.add_argument(
        "--presence-ttl",
        type=float,
        default=None,
        metavar="SECONDS",
        help="drop a silent client from the presence list after this long (0: never)",
    )
    s.add_argument("-v", "--verbose", action="store_true")

    t = sub.add_parser("token", help="create, list or revoke access tokens")
    ts = t.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    c = ts.add_parser("create", help="a new token for a room")
    c.add_argument("room")
    c.add_argument("--role", choices=("owner", "editor", "viewer"), required=True)
    c.add_argument(
        "--name", default=None, help="the identity the token's holder edits as (one per host)"
    )
    c.add_argument("--label", default="")
    data(c)
    ls = ts.add_parser("list", help="tokens (ids, rooms, roles; never the secrets)")
    ls.add_argument("room", nargs="?")
    data(ls)
    r = ts.add_parser("revoke", help="revoke a token by id or by the token itself")
    r.add_argument("ref", metavar="ID_OR_TOKEN")
    data(r)
    return parser


def _limits(args: argparse.Namespace) -> Limits:
    lim = Limits()
    changes: dict[str, object] = {}
    if args.op_rate is not None:
        if args.op_rate <= 0:
            raise SyncError("--op-rate must be positive")
        changes.update(op_rate=args.op_rate, op_burst=max(args.op_rate * 2, 1.0))
    if args.max_message is not None:
        changes["max_message"] = args.max_message
    if args.max_conns_per_address is not None:
        changes["conns_per_address"] = args.max_conns_per_address
    if args.ping_interval is not None:
        changes.update(ping_interval=args.ping_interval, ping_timeout=args.ping_interval)
    if args.retain_ops is not None:
        changes["retain_ops"] = args.retain_ops
    if args.presence_ttl is not None:
        if args.presence_ttl < 0:
            raise SyncError("--presence-ttl must be 0 (off) or positive")
        changes["presence_ttl"] = args.presence_ttl
    out = replace(lim, **changes)  # type: ignore[arg-type]  # validated fields above
    if 0 < out.presence_ttl <= out.ping_interval:
        if args.presence_ttl is not None:
            raise SyncError(
                "--presence-ttl must be longer than --ping-interval "
                "(a live client is only heard from when it answers a ping)"
            )
        out = replace(out, presence_ttl=out.ping_interval * 2 + 5)
    return out


def cmd_serve(args: argparse.Namespace) -> int:
    from sync.relay.server import Relay, RelayConfig

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    context = None
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            raise SyncError("--tls-cert and --tls-key go together")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            raise SyncError(f"{args.tls_cert}: cannot load the TLS certificate: {exc}") from None
    config = RelayConfig(
        args.data or default_data_dir(), args.host, args.port, _limits(args), context
    )

    async def run() -> None:
        relay = Relay(config)
        try:
            await relay.start()
        except OSError as exc:
            relay.store.close()
            raise SyncError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        scheme = "wss" if context else "ws"
        print(
            f"wordcut-relay: serving {scheme}://{args.host}:{relay.port}/v1/rooms/ROOM", flush=True
        )
        try:
            await stop.wait()
        finally:
            await relay.shutdown()

    asyncio.run(run())
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from sync.relay import tokens
    from sync.relay.store import RelayStore

    store = RelayStore(args.data or default_data_dir())
    try:
        if args.token_command == "create":
            secret, row = tokens.create_token(
                store, args.room, args.role, args.label, name=args.name
            )
            who = f", as {row.name}" if row.name else ""
            print(f"token {row.id} for room {row.room} ({row.role}{who}): {secret}")
        elif args.token_command == "list":
            for row in store.tokens(args.room):
                state = f"revoked {row.revoked_at}" if row.revoked_at else "active"
                who = row.name or ("(first to join)" if row.bind else "(any name)")
                print(f"{row.id}\t{row.room}\t{row.role}\t{who}\t{state}\t{row.label}")
        else:
            row = tokens.revoke(store, args.ref)
            print(f"revoked token {row.id} ({row.room}, {row.role})")
    finally:
        store.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return cmd_serve(args) if args.command == "serve" else cmd_token(args)
    except SyncError as exc:
        print(f"wordcut-relay: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
