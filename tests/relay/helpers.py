"""Loopback helpers for relay tests: an in-process relay on port 0 and a raw wire client."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from sync.relay import tokens
from sync.relay.limits import Limits
from sync.relay.server import Relay, RelayConfig
from sync.relay.store import RelayStore

FAST = Limits(
    ping_interval=5, ping_timeout=5, hello_timeout=2, handshake_timeout=2, close_timeout=0.3
)


def arun(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test on a fresh event loop (with a hard deadline)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        async def bounded() -> None:
            async with asyncio.timeout(60):
                await fn(*args, **kwargs)

        asyncio.run(bounded())

    return wrapper


def make_token(data: Path, room: str, role: str, name: str | None = None) -> str:
    """A token for ``room``; ``name``: the identity it carries (``None``: a legacy token)."""
    store = RelayStore(data)
    try:
        return tokens.create_token(store, room, role, name=name)[0]
    finally:
        store.close()


@asynccontextmanager
async def running_relay(data: Path, **limits: Any) -> AsyncIterator[Relay]:
    relay = Relay(RelayConfig(data, "127.0.0.1", 0, replace(FAST, **limits)))
    await relay.start()
    try:
        yield relay
    finally:
        await relay.shutdown()


def url(relay_or_port: Relay | int, room: str, token: str | None = None) -> str:
    port = relay_or_port if isinstance(relay_or_port, int) else relay_or_port.port
    base = f"ws://127.0.0.1:{port}/v1/rooms/{room}"
    return f"{base}?token={token}" if token else base


class Wire:
    """A raw protocol client: send dicts, read typed dicts, remember what came."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []

    async def send(self, **msg: Any) -> None:
        await self.ws.send(json.dumps(msg))

    async def recv(self) -> dict[str, Any]:
        while True:
            raw = await self.ws.recv()
            if isinstance(raw, bytes):
                self.seen.append({"type": "_binary", "data": raw})
                return self.seen[-1]
            msg = json.loads(raw)
            self.seen.append(msg)
            return msg

    async def expect(self, *types: str, skip: tuple[str, ...] = ("presence",)) -> dict[str, Any]:
        while True:
            msg = await self.recv()
            if msg["type"] in types:
                return msg
            assert msg["type"] in skip, f"expected {types}, got {msg}"

    async def hello(self, client_id: str, last_version: int | None = None, name: str = "") -> int:
        await self.send(
            type="hello", protocol=1, client_id=client_id, name=name, last_version=last_version
        )
        await self.expect("welcome")
        return int(
            (await self.expect("synced", skip=("presence", "snapshot", "applied")))["version"]
        )

    async def submit(self, seq: int, op: dict[str, Any]) -> dict[str, Any]:
        await self.send(type="submit", seq=seq, op=op)
        return await self.expect(
            "ack", "rejected", "error", "resync_required", skip=("presence", "applied")
        )


@asynccontextmanager
async def wire(
    relay: Relay | int, room: str, token: str, client_id: str | None = None, **kw: Any
) -> AsyncIterator[Wire]:
    kw.setdefault("compression", None)
    async with connect(url(relay, room, token), **kw) as ws:
        w = Wire(ws)
        if client_id is not None:
            await w.hello(client_id)
        yield w


def rename(name: str, base: int | None = None, section: str = "s0") -> dict[str, Any]:
    op: dict[str, Any] = {"v": 1, "type": "rename_section", "section": section, "name": name}
    if base is not None:
        op["base_version"] = base
    return op
