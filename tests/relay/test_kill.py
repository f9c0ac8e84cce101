"""kill -9 of the relay mid-burst, at several points; SIGTERM drains and closes 1001.

Pass (RELIABILITY.md "Durability"): every acknowledged op is present exactly once at the
version its ack named, versions are contiguous, the integrity check is clean, and after the
clients resend what was not acknowledged every op ends acknowledged exactly once.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.relay.helpers import Wire, arun, make_token, rename, url
from tests.relay.relayproc import RelayProcess

KILL_POINTS = 5
OPS_PER_CLIENT = 300


async def burst(port: int, token: str, cid: str, seqs: range, acks: dict[int, int]) -> None:
    """Pipeline ops, reading acks as they come, until done or the relay dies."""
    try:
        async with connect(
            url(port, "r", token), compression=None, open_timeout=3, close_timeout=0.5
        ) as ws:
            w = Wire(ws)
            await w.hello(cid)

            async def read() -> None:
                while len([s for s in seqs if s in acks]) < len(seqs):
                    msg = await w.recv()
                    if msg["type"] == "ack":
                        acks[msg["seq"]] = msg["version"]

            reader = asyncio.create_task(read())
            for s in seqs:
                if s not in acks:
                    await w.send(type="submit", seq=s, op=rename(f"{cid}{s}"))
            await reader
    except (ConnectionClosed, OSError, InvalidHandshake):
        pass


def stored(data: Path) -> list[tuple[int, str, int]]:
    conn = sqlite3.connect(data / "relay.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [
            (int(v), str(c), int(s))
            for v, c, s in conn.execute("SELECT version, client_id, seq FROM ops ORDER BY version")
        ]
    finally:
        conn.close()


def check(data: Path, acks: dict[str, dict[int, int]]) -> None:
    rows = stored(data)
    assert [v for v, _, _ in rows] == list(range(1, len(rows) + 1)), "versions not contiguous"
    where = {(c, s): v for v, c, s in rows}
    assert len(where) == len(rows), "an op was stored twice"
    for cid, got in acks.items():
        for seq, version in got.items():
            assert where.get((cid, seq)) == version, f"acked {cid}:{seq}@{version} lost"


@arun
async def test_kill9_mid_burst_loses_no_acked_op(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    print(f"kill -9 seed {seed}")
    rng = random.Random(seed)
    token = make_token(tmp_path, "r", "editor")
    acks: dict[str, dict[int, int]] = {"a": {}, "b": {}}
    relay = RelayProcess(tmp_path)
    for point in range(KILL_POINTS):
        # each round resends what the last kill left unacknowledged, then bursts new ops
        seqs = range(1, (point + 1) * OPS_PER_CLIENT + 1)
        with relay:
            jobs = [
                asyncio.create_task(burst(relay.port, token, cid, seqs, acks[cid])) for cid in acks
            ]
            await asyncio.sleep(rng.uniform(0.05, 0.5))
            relay.kill9()
            await asyncio.gather(*jobs)
        check(tmp_path, acks)  # what was acked survived the kill
    seqs = range(1, KILL_POINTS * OPS_PER_CLIENT + 1)
    with relay:
        await asyncio.gather(*(burst(relay.port, token, cid, seqs, acks[cid]) for cid in acks))
    for cid in acks:
        assert all(s in acks[cid] for s in seqs), f"{cid} has unacknowledged ops"
    check(tmp_path, acks)
    assert len(stored(tmp_path)) == 2 * KILL_POINTS * OPS_PER_CLIENT


@arun
async def test_sigterm_flushes_acks_and_closes_1001(tmp_path: Path) -> None:
    token = make_token(tmp_path, "r", "editor")
    with RelayProcess(tmp_path) as relay:
        async with connect(url(relay.port, "r", token), compression=None) as ws:
            w = Wire(ws)
            await w.hello("a")
            for s in range(1, 201):
                await w.send(type="submit", seq=s, op=rename(f"n{s}"))
            last: dict[str, Any] = {}
            while last.get("seq") != 200:
                last = await w.expect("ack")
            loop = asyncio.get_running_loop()
            code = loop.run_in_executor(None, relay.term)
            try:
                while True:
                    await w.recv()
            except ConnectionClosed as exc:
                assert exc.rcvd is not None and exc.rcvd.code == 1001
            assert await code == 0
    assert len(stored(tmp_path)) == 200
