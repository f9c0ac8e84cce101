# ruff: noqa: SIM117  (nested connections read as who joins when)
"""Bounds over real sockets: sizes and compression bombs (1009), floods, deadlines, half-open
and slow clients, garbage on the wire (RELIABILITY.md "Input hardening", "Liveness")."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.relay.helpers import arun, make_token, rename, running_relay, url, wire

LIMIT = 4096


def sized_submit(seq: int, total: int) -> str:
    """A valid submit padded (an ignored extra field) to exactly ``total`` bytes."""
    base = {"type": "submit", "seq": seq, "op": rename("x"), "pad": ""}
    raw = json.dumps(base, separators=(",", ":"))
    base["pad"] = "p" * (total - len(raw))
    out = json.dumps(base, separators=(",", ":"))
    assert len(out) == total
    return out


async def close_code(ws: object) -> int | None:
    with pytest.raises(ConnectionClosed) as info:
        while True:
            await ws.recv()  # type: ignore[attr-defined]
    return info.value.rcvd.code if info.value.rcvd else None


@arun
async def test_message_at_the_limit_passes_one_byte_over_closes_1009(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path, max_message=LIMIT) as relay:
        async with wire(relay, "r", tok, "a", max_size=None) as a:
            await a.ws.send(sized_submit(1, LIMIT))
            assert (await a.expect("ack"))["version"] == 1
            await a.ws.send(sized_submit(2, LIMIT + 1))
            assert await close_code(a.ws) == 1009
        assert relay.rooms["r"].authority.version == 1


@arun
async def test_compression_bomb_closes_1009(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path, max_message=LIMIT) as relay:
        async with wire(relay, "r", tok, "a", compression="deflate", max_size=None) as a:
            await a.ws.send(sized_submit(1, LIMIT * 500))  # compresses to a few hundred bytes
            assert await close_code(a.ws) == 1009


@arun
async def test_flood_is_rate_limited_then_closed_and_the_other_client_is_unaffected(
    tmp_path: Path,
) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path, op_rate=20, op_burst=20, abuse_strikes=100) as relay:
        async with wire(relay, "r", tok, "calm") as calm, wire(relay, "r", tok, "loud") as loud:
            for i in range(1, 301):
                await loud.send(type="submit", seq=i, op=rename(f"x{i}"))
            reasons = []
            with pytest.raises(ConnectionClosed) as info:
                while True:
                    msg = await loud.recv()
                    if msg["type"] == "rejected":
                        reasons.append(msg["reason"])
            assert info.value.rcvd is not None and info.value.rcvd.code == 1008
            assert "rate_limited" in reasons
            assert (await calm.submit(1, rename("calm")))["type"] == "ack"


@arun
async def test_silent_and_dribbling_peers_are_closed_by_deadlines(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path, hello_timeout=0.3, handshake_timeout=0.3) as relay:
        # never says hello
        async with wire(relay, "r", tok) as quiet:
            assert await close_code(quiet.ws) == 1008
        # dribbles the HTTP handshake
        reader, writer = await asyncio.open_connection("127.0.0.1", relay.port)
        writer.write(b"GET /v1/rooms/r HTTP/1.1\r\nHost: x\r\n")
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 5) is not None
        writer.close()
        # a real client meanwhile is fine
        async with wire(relay, "r", tok, "real") as real:
            assert (await real.submit(1, rename("ok")))["type"] == "ack"


@arun
async def test_half_open_client_is_dropped_and_presence_follows(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    limits = {"ping_interval": 0.2, "ping_timeout": 0.2, "presence_interval": 0.01}
    async with running_relay(tmp_path, **limits) as relay:
        async with wire(relay, "r", tok, "host") as host:
            ghost_ws = await connect(url(relay, "r", tok), compression=None, ping_interval=None)
            await ghost_ws.send(
                json.dumps({"type": "hello", "protocol": 1, "client_id": "ghost", "name": "g"})
            )
            while True:
                msg = await host.expect("presence")
                if len(msg["clients"]) == 2:
                    break
            ghost_ws.transport.pause_reading()  # the process "froze": no pongs, no close frame
            while True:
                msg = await host.expect("presence")
                if [c["client_id"] for c in msg["clients"]] == ["host"]:
                    break
            ghost_ws.transport.abort()


@arun
async def test_slow_reader_is_disconnected_and_the_writer_keeps_going(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path, outbound_bytes=1 << 20, write_buffer=64 << 10) as relay:
        async with wire(relay, "r", tok, "fast") as fast, wire(relay, "r", tok, "slow") as slow:
            slow.ws.transport.pause_reading()

            async def acks() -> None:
                while (await fast.expect("ack", skip=("presence",)))["seq"] < 3000:
                    pass

            reader = asyncio.create_task(acks())
            pad = "x" * 3000  # 3000 ops of ~3 KB: far past socket buffers and the cap
            for i in range(1, 3001):
                await fast.send(type="submit", seq=i, op=rename(f"{pad}{i}"))
            await reader
            room = relay.rooms["r"]
            assert "slow" not in room.members or room.members["slow"].dead
            assert room.authority.version == 3000
            slow.ws.transport.resume_reading()
            assert await close_code(slow.ws) == 1013


@arun
async def test_garbage_on_one_room_never_takes_down_another(tmp_path: Path) -> None:
    bad = make_token(tmp_path, "bad", "editor")
    good = make_token(tmp_path, "good", "editor")
    rng = random.Random(11)
    print("seed 11")
    async with running_relay(tmp_path, max_message=LIMIT) as relay:
        async with wire(relay, "good", good, "g") as g:
            for round_ in range(5):
                try:
                    async with wire(relay, "bad", bad, f"b{round_}") as b:
                        for _ in range(40):
                            kind = rng.random()
                            if kind < 0.3:
                                await b.ws.send(rng.randbytes(rng.randrange(0, 200)))
                            elif kind < 0.6:
                                await b.ws.send(rng.randbytes(50).decode("latin-1"))
                            else:
                                msg = {"type": rng.choice(["submit", "hello", "presence", "x"])}
                                msg[rng.choice(["seq", "op", "playhead"])] = rng.choice(
                                    [2**80, -1, "s", None, [[[[]]]], {"v": 9}]
                                )
                                await b.ws.send(json.dumps(msg))
                except ConnectionClosed:
                    pass
                assert (await g.submit(round_ + 1, rename(f"g{round_}")))["type"] == "ack"
        assert relay.rooms["bad"].authority.version == 0
