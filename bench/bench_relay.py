"""Relay benchmark: round trip, throughput, fan-out, soak RSS, blob transfer, kill -9 points.

The relay runs as its own process (``python -m sync.relay_main serve``), as in production;
clients run here on asyncio. References measured in the same run: a bare ``websockets`` echo
round trip (what the network stack alone costs) and a plain file copy (for blob transfers).

    .venv/bin/python bench/bench_relay.py          # full: 500 MB blob, 10-min soak, 50 kills
    .venv/bin/python bench/bench_relay.py --quick  # ~1 min: 50 MB, 20 s soak, 5 kills

Figures go to docs/benchmarks.md ("Relay").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402
from websockets.asyncio.server import serve  # noqa: E402

from sync import protocol as p  # noqa: E402
from sync.relay import tokens  # noqa: E402
from sync.relay.store import RelayStore  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RelayProc:
    def __init__(self, data: Path, *extra: str) -> None:
        self.data, self.port, self.extra = data, free_port(), extra
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> RelayProc:
        cmd = [
            sys.executable,
            "-m",
            "sync.relay_main",
            "serve",
            "--port",
            str(self.port),
            "--data",
            str(self.data),
            *self.extra,
        ]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and "serving" in self.proc.stdout.readline()
        return self

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_s(self) -> float:
        """User + system CPU seconds the relay process has used (load-independent cost)."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def url(self, room: str, token: str) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/rooms/{room}?token={token}"


def token(data: Path, room: str, role: str = "editor") -> str:
    store = RelayStore(data)
    try:
        return tokens.create_token(store, room, role)[0]
    finally:
        store.close()


def rename(i: int) -> dict[str, object]:
    return {"v": 1, "type": "rename_section", "section": "s0", "name": f"n{i}"}


class Client:
    def __init__(self, ws: object, cid: str) -> None:
        self.ws, self.cid, self.seq = ws, cid, 0

    @classmethod
    async def open(cls, url: str, cid: str) -> Client:
        ws = await connect(url, compression=None, max_size=None, open_timeout=30, close_timeout=0.5)
        c = cls(ws, cid)
        await ws.send(p.encode(p.Hello(1, cid, cid, None)), text=True)
        while not isinstance(await c.recv(), p.Synced):
            pass
        return c

    async def recv(self) -> p.RelayMessage:
        return p.decode_relay(await self.ws.recv())  # type: ignore[attr-defined]

    async def submit(self, op: dict[str, object]) -> int:
        self.seq += 1
        await self.ws.send(p.encode(p.Submit(self.seq, op)), text=True)  # type: ignore[attr-defined]
        return self.seq

    async def close(self) -> None:
        await self.ws.close()  # type: ignore[attr-defined]


def fsync_ms(folder: Path, n: int = 30) -> float:
    out = []
    with (folder / "fsync.probe").open("wb") as f:
        for _ in range(n):
            f.write(b"x" * 200)
            f.flush()
            t = time.perf_counter()
            os.fsync(f.fileno())
            out.append((time.perf_counter() - t) * 1000)
    (folder / "fsync.probe").unlink()
    return sorted(out)[n // 2]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


async def echo_rtt(n: int) -> list[float]:
    async def echo(ws: object) -> None:
        async for m in ws:  # type: ignore[attr-defined]
            await ws.send(m)  # type: ignore[attr-defined]

    port = free_port()
    async with (
        serve(echo, "127.0.0.1", port, compression=None),
        connect(f"ws://127.0.0.1:{port}", compression=None) as ws,
    ):
        out = []
        msg = json.dumps({"type": "submit", "seq": 1, "op": rename(1)})
        for _ in range(n):
            t = time.perf_counter()
            await ws.send(msg)
            await ws.recv()
            out.append((time.perf_counter() - t) * 1000)
    return out


async def round_trip(relay: RelayProc, data: Path, n: int) -> list[float]:
    tok = token(data, "rtt")
    a = await Client.open(relay.url("rtt", tok), "a")
    b = await Client.open(relay.url("rtt", tok), "b")
    out = []
    for i in range(n):
        t = time.perf_counter()
        await a.submit(rename(i))
        while not isinstance(await b.recv(), p.Applied):
            pass
        out.append((time.perf_counter() - t) * 1000)
        while not isinstance(await a.recv(), p.Ack):
            pass
    await a.close()
    await b.close()
    return out


async def throughput(relay: RelayProc, data: Path, n: int, window: int = 400) -> float:
    tok = token(data, "tput")
    clients = [await Client.open(relay.url("tput", tok), f"t{k}") for k in range(2)]

    async def drive(c: Client) -> None:
        acked, sent = 0, 0
        while acked < n:
            while sent < n and sent - acked < window:
                await c.submit(rename(sent))
                sent += 1
            msg = await c.recv()
            if isinstance(msg, p.Ack):
                acked += 1
            elif isinstance(msg, p.Rejected):
                raise RuntimeError(msg)

    t = time.perf_counter()
    await asyncio.gather(*(drive(c) for c in clients))
    elapsed = time.perf_counter() - t
    for c in clients:
        await c.close()
    return 2 * n / elapsed


async def fanout(relay: RelayProc, data: Path, members: int, n: int) -> list[float]:
    tok = token(data, "fan")
    sender = await Client.open(relay.url("fan", tok), "sender")
    rx = [await Client.open(relay.url("fan", tok), f"r{k}") for k in range(members - 1)]
    lat: list[float] = []
    for i in range(n):
        t = time.perf_counter()
        await sender.submit(rename(i))

        async def wait(c: Client, t: float = t) -> float:
            while not isinstance(await c.recv(), p.Applied):
                pass
            return (time.perf_counter() - t) * 1000

        lat += await asyncio.gather(*(wait(c) for c in rx))
        while not isinstance(await sender.recv(), p.Ack):
            pass
    for c in [sender, *rx]:
        await c.close()
    return lat


async def soak(relay: RelayProc, data: Path, seconds: float) -> tuple[float, float, int]:
    tok = token(data, "soak")
    rng = random.Random(5)
    ops = 0
    samples: list[tuple[float, float]] = []
    start = time.monotonic()
    cid = 0
    while time.monotonic() - start < seconds:
        cid += 1
        clients = [await Client.open(relay.url("soak", tok), f"s{cid}-{k}") for k in range(4)]
        for _ in range(200):
            c = rng.choice(clients)
            await c.submit(rename(ops))
            await c.ws.send(p.encode(p.PresenceUpdate(rng.uniform(0, 100), None)), text=True)  # type: ignore[attr-defined]
            ops += 1
        for c in clients:  # drain acks, then drop (a reconnect next round)
            while c.seq and True:
                msg = await c.recv()
                if isinstance(msg, p.Ack) and msg.seq == c.seq:
                    break
            await c.close()
        samples.append((time.monotonic() - start, relay.rss_mb()))
    warm = [r for t, r in samples if t >= seconds * 0.2] or [samples[-1][1]]
    return warm[0], samples[-1][1], ops


async def blobs(relay: RelayProc, data: Path, size_mb: int, kills: int) -> dict[str, float]:
    from editor.collab.conn import RelayConn

    tok = token(data, "blob")
    src = data.parent / "blob.bin"
    with src.open("wb") as f:
        rnd = random.Random(1)
        for _ in range(size_mb):
            f.write(rnd.randbytes(1 << 20))
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    t = time.perf_counter()
    shutil.copyfile(src, data.parent / "copy.bin")
    os.sync()
    copy_s = time.perf_counter() - t
    sent = 0
    t = time.perf_counter()
    for k in range(kills + 1):  # kill the relay mid-upload `kills` times, resume each time
        conn = await RelayConn.open(f"ws://127.0.0.1:{relay.port}/v1/rooms/blob", tok)
        await conn.hello(f"up{k}", "up", None)
        task = asyncio.ensure_future(conn.upload(src, sha))
        if k < kills:
            await asyncio.sleep(random.uniform(0.05, 0.4))
            relay.kill9()
            with contextlib.suppress(Exception):
                await task
            relay.start()
        else:
            await task
        sent += conn.bytes_out
        await conn.close() if k == kills else None
    up_s = time.perf_counter() - t
    dest = data.parent / "down.bin"
    conn = await RelayConn.open(f"ws://127.0.0.1:{relay.port}/v1/rooms/blob", tok)
    await conn.hello("down", "down", None)
    t = time.perf_counter()
    await conn.download(sha, size_mb << 20, dest)
    down_s = time.perf_counter() - t
    await conn.close()
    same = hashlib.sha256(dest.read_bytes()).hexdigest() == sha
    return {
        "copy_s": copy_s,
        "upload_s": up_s,
        "download_s": down_s,
        "identical": float(same),
        "sent_ratio": sent / (size_mb << 20),
    }


async def kill_points(relay: RelayProc, data: Path, points: int) -> tuple[int, int]:
    import sqlite3

    tok = token(data, "kill")
    acked: dict[tuple[str, int], int] = {}
    lost = 0
    rng = random.Random(9)
    for _ in range(points):

        async def burst(cid: str) -> None:
            try:
                c = await Client.open(relay.url("kill", tok), cid)
                c.seq = max([s for (k, s) in acked if k == cid], default=0)
                for _ in range(300):
                    await c.submit(rename(c.seq))
                while True:
                    msg = await c.recv()
                    if isinstance(msg, p.Ack):
                        acked[(cid, msg.seq)] = msg.version
            except Exception:
                return

        jobs = [asyncio.ensure_future(burst(cid)) for cid in ("a", "b")]
        await asyncio.sleep(rng.uniform(0.2, 0.8))
        relay.kill9()
        await asyncio.gather(*jobs)
        relay.start()
    # an acked op must hold its version for good: the receipts table keeps every (client, seq)
    # (the op log itself is compacted into snapshots once it grows, so it cannot be the check)
    conn = sqlite3.connect(data / "relay.sqlite")
    rows = {
        (c, s): v
        for v, c, s in conn.execute(
            "SELECT version, client_id, seq FROM receipts WHERE room = 'kill'"
        )
    }
    conn.close()
    lost += sum(1 for k, v in acked.items() if rows.get(k) != v)
    return len(acked), lost


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rtt", type=int, default=2000)
    ap.add_argument("--ops", type=int, default=20000, help="ops per client for throughput")
    ap.add_argument("--members", type=int, default=50)
    ap.add_argument("--soak", type=float, default=600)
    ap.add_argument("--blob-mb", type=int, default=500)
    ap.add_argument("--blob-kills", type=int, default=5)
    ap.add_argument("--kills", type=int, default=50)
    args = ap.parse_args()
    if args.quick:
        args.rtt, args.ops, args.soak, args.blob_mb, args.kills = 500, 5000, 20, 50, 5
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "out") as d:
        data = Path(d) / "relay"
        relay = RelayProc(data, "--op-rate", "1000000", "--max-conns-per-address", "500").start()
        try:
            ref = await echo_rtt(args.rtt)
            rtt = await round_trip(relay, data, args.rtt)
            print(
                f"round trip A->B applied: p50 {pct(rtt, 0.5):.2f} ms p99 {pct(rtt, 0.99):.2f} ms "
                f"(bare websockets echo: p50 {pct(ref, 0.5):.2f} p99 {pct(ref, 0.99):.2f} ms)"
            )
            fs = fsync_ms(data)
            print(f"reference: fsync of a small write in the data folder: median {fs:.2f} ms")
            cpu0 = relay.cpu_s()
            ops = await throughput(relay, data, args.ops)
            per_cpu = 2 * args.ops / (relay.cpu_s() - cpu0)
            print(
                f"sustained: {ops:,.0f} ops/s through one relay from 2 clients "
                f"({per_cpu:,.0f} ops per relay CPU-second)"
            )
            fan = await fanout(relay, data, args.members, 100)
            print(
                f"{args.members} clients, fan-out latency: p50 {pct(fan, 0.5):.1f} ms "
                f"p99 {pct(fan, 0.99):.1f} ms"
            )
            warm, end, n = await soak(relay, data, args.soak)
            print(
                f"soak {args.soak:.0f} s ({n} ops, reconnects every 200): RSS {warm:.1f} MB "
                f"after warm-up -> {end:.1f} MB ({(end / warm - 1) * 100:+.1f} %)"
            )
            b = await blobs(relay, data, args.blob_mb, args.blob_kills)
            print(
                f"{args.blob_mb} MB blob: upload {args.blob_mb / b['upload_s']:.0f} MB/s "
                f"({args.blob_kills} relay kills, bytes sent {b['sent_ratio']:.3f}x size), "
                f"download {args.blob_mb / b['download_s']:.0f} MB/s, plain copy "
                f"{args.blob_mb / b['copy_s']:.0f} MB/s; identical: {bool(b['identical'])}"
            )
            total, lost = await kill_points(relay, data, args.kills)
            print(f"kill -9 at {args.kills} points: {total} acked ops, {lost} lost")
        finally:
            relay.stop()


if __name__ == "__main__":
    asyncio.run(main())
