"""The presence TTL over loopback sockets: a client whose connection sends nothing (no frame,
no pong) past the TTL leaves the co-hosts' presence list and comes back when heard again; a
client that only answers the relay's pings stays; a reconnect is still exactly one entry."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.relay.helpers import Wire, arun, make_token, running_relay, wire

TTL = 0.6


def _drain(w: Wire) -> asyncio.Task[None]:
    """Read (and drop) what the relay sends a silent client: reading sends nothing, and a
    client that stops reading stops answering pings once its buffers fill."""

    async def run() -> None:
        async for _ in w.ws:
            pass

    return asyncio.get_running_loop().create_task(run())


async def _presence_until(w: Wire, want: set[str], *, chatter: bool = True) -> list[Any]:
    """Read presence lists (sending our own presence now and then, so we are never the silent
    one) until the client ids listed are exactly ``want``."""
    while True:
        if chatter:
            await w.send(type="presence", playhead=1.0, selection=None)
        try:
            msg = await asyncio.wait_for(w.expect("presence"), 0.1)
        except TimeoutError:
            continue
        clients = msg["clients"]
        if {c["client_id"] for c in clients} == want:
            return list(clients)


@arun
async def test_a_silent_client_leaves_presence_and_returns_when_heard(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    loop = asyncio.get_running_loop()
    # no relay pings during the test (interval 30 s) and none from the silent client: nothing
    # but its own messages can refresh it
    async with (
        running_relay(tmp_path, presence_ttl=TTL, ping_interval=30, ping_timeout=30) as relay,
        wire(relay, "r", tok, "watcher") as watcher,
        wire(relay, "r", tok, "quiet", ping_interval=None) as quiet,
    ):
        await _presence_until(watcher, {"watcher", "quiet"})
        t0 = loop.time()
        await _presence_until(watcher, {"watcher"})
        gone_after = loop.time() - t0
        assert TTL * 0.5 <= gone_after <= TTL * 4, gone_after
        assert quiet.ws.state.name == "OPEN"  # presence only: the socket is keepalive's job

        await quiet.send(type="presence", playhead=2.0, selection=None)
        back = await _presence_until(watcher, {"watcher", "quiet"})
        assert [c["playhead"] for c in back if c["client_id"] == "quiet"] == [2.0]

    # and a silent client that reconnects under the same id is one entry, not two
    async with (
        running_relay(tmp_path, presence_ttl=TTL, ping_interval=30, ping_timeout=30) as relay,
        wire(relay, "r", tok, "watcher") as watcher,
        wire(relay, "r", tok, "quiet", ping_interval=None),
    ):
        await _presence_until(watcher, {"watcher", "quiet"})
        await _presence_until(watcher, {"watcher"})
        async with wire(relay, "r", tok, "quiet", ping_interval=None):
            clients = await _presence_until(watcher, {"watcher", "quiet"})
            assert len(clients) == 2


@arun
async def test_a_client_that_answers_pings_is_never_swept(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with (
        running_relay(tmp_path, presence_ttl=TTL, ping_interval=0.15, ping_timeout=5) as relay,
        wire(relay, "r", tok, "watcher") as watcher,
        wire(relay, "r", tok, "idle", ping_interval=None) as idle,  # pongs, nothing else
    ):
        reader = _drain(idle)
        await _presence_until(watcher, {"watcher", "idle"})
        listener = _drain(watcher)
        room = relay.rooms["r"]
        deadline = asyncio.get_running_loop().time() + TTL * 3
        while asyncio.get_running_loop().time() < deadline:
            await watcher.send(type="presence", playhead=1.0, selection=None)
            await asyncio.sleep(0.1)
            assert set(room.presence) == {"watcher", "idle"}
        reader.cancel()
        listener.cancel()


def test_serve_presence_ttl_option() -> None:
    from sync.errors import SyncError
    from sync.relay_main import _limits, build_parser

    def limits(*argv: str) -> float:
        return _limits(build_parser().parse_args(["serve", *argv])).presence_ttl

    assert limits() == 45.0
    assert limits("--presence-ttl", "90") == 90.0
    assert limits("--presence-ttl", "0") == 0.0  # off
    assert limits("--ping-interval", "60") == 125.0  # never shorter than a ping period
    with pytest.raises(SyncError, match="longer than --ping-interval"):
        limits("--presence-ttl", "10", "--ping-interval", "20")
    with pytest.raises(SyncError):
        limits("--presence-ttl", "-1")
