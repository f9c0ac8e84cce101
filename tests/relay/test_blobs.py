"""Media blobs: resumable, checksummed, stored only under their verified hash; abuse refused
before a byte is stored (RELIABILITY.md "Media"). Loopback sockets, real files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from sync import protocol as p
from sync.relay.blobs import LocalBlobStore
from sync.relay.errors import BlobError
from tests.relay.helpers import Wire, arun, make_token, running_relay, wire

CHUNK = 64 << 10


def blob(n: int, seed: int = 1) -> tuple[bytes, str]:
    data = hashlib.shake_256(seed.to_bytes(4, "big")).digest(n)
    return data, hashlib.sha256(data).hexdigest()


async def begin(w: Wire, sha: str, size: int) -> dict[str, object]:
    await w.send(type="blob_begin", sha256=sha, size=size)
    return await w.expect("blob_status", "blob_error", "error")


async def upload(w: Wire, data: bytes, sha: str, *, stop_after: int | None = None) -> int:
    """Resume from the relay's offset; returns the payload bytes sent."""
    status = await begin(w, sha, len(data))
    assert status["type"] == "blob_status", status
    offset, sent = int(status["offset"]), 0  # type: ignore[call-overload]
    while offset < len(data):
        if stop_after is not None and sent >= stop_after:
            return sent
        piece = data[offset : offset + CHUNK]
        await w.ws.send(p.encode_chunk(p.CHUNK_UPLOAD, sha, offset, piece))
        sent += len(piece)
        reply = await w.expect("blob_status")
        offset = int(reply["offset"])  # type: ignore[call-overload]
    assert reply["complete"] is True
    return sent


async def download(w: Wire, sha: str, offset: int = 0, stop_after: int | None = None) -> bytes:
    await w.send(type="blob_get", sha256=sha, offset=offset)
    out = bytearray()
    while True:
        msg = await w.recv()
        if msg["type"] == "_binary":
            ch = p.decode_chunk(msg["data"], p.CHUNK_DOWNLOAD)
            assert ch.offset == offset + len(out)
            out += ch.payload
            if stop_after is not None and len(out) >= stop_after:
                return bytes(out)
        elif msg["type"] == "blob_end":
            return bytes(out)
        else:
            assert msg["type"] == "presence", msg


@arun
async def test_upload_resumes_after_disconnect_and_relay_restart(tmp_path: Path) -> None:
    data, sha = blob(1_000_000)
    tok = make_token(tmp_path, "r", "editor")
    sent = 0
    async with running_relay(tmp_path, chunk_size=CHUNK) as relay, wire(relay, "r", tok, "a") as a:
        sent += await upload(a, data, sha, stop_after=300_000)  # client "dies"
    async with running_relay(tmp_path, chunk_size=CHUNK) as relay:  # relay restarted too
        async with wire(relay, "r", tok, "a") as a:
            status = await begin(a, sha, len(data))
            assert status["offset"] == sent  # resume where the relay's bytes end
            sent += await upload(a, data, sha)
        assert sent <= 1.1 * len(data)
        stored = tmp_path / "blobs" / sha[:2] / sha
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
        assert not list((tmp_path / "blobs" / "partial").iterdir())
        async with wire(relay, "r", tok, "b") as b:  # a download cut off mid-way...
            head = await download(b, sha, 0, stop_after=200_000)
        async with wire(relay, "r", tok, "b") as b:  # ...resumes at the bytes it has
            rest = await download(b, sha, len(head))
        assert head + rest == data


@arun
async def test_corrupt_and_misplaced_chunks_leave_the_offset_unchanged(tmp_path: Path) -> None:
    data, sha = blob(200_000)
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path) as relay, wire(relay, "r", tok, "a") as a:
        assert (await begin(a, sha, len(data)))["offset"] == 0
        frame = bytearray(p.encode_chunk(p.CHUNK_UPLOAD, sha, 0, data[:CHUNK]))
        frame[-1] ^= 0xFF
        await a.ws.send(bytes(frame))
        err = await a.expect("blob_error")
        assert (err["code"], err["offset"]) == ("corrupt_chunk", 0)
        await a.ws.send(p.encode_chunk(p.CHUNK_UPLOAD, sha, 5000, data[5000 : 5000 + CHUNK]))
        err = await a.expect("blob_error")
        assert (err["code"], err["offset"]) == ("wrong_offset", 0)
        assert await upload(a, data, sha) == len(data)


@arun
async def test_bytes_that_do_not_hash_to_the_name_are_not_stored(tmp_path: Path) -> None:
    data, _ = blob(10_000)
    liar = hashlib.sha256(b"something else").hexdigest()
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path) as relay, wire(relay, "r", tok, "a") as a:
        await begin(a, liar, len(data))
        await a.ws.send(p.encode_chunk(p.CHUNK_UPLOAD, liar, 0, data))
        err = await a.expect("blob_error")
        assert err["code"] == "hash_mismatch"
        assert relay.blobs.size(liar) is None and relay.blobs.held(liar) == 0


@arun
async def test_upload_abuse_is_refused_before_storing(tmp_path: Path) -> None:
    _, sha = blob(100)
    tok = make_token(tmp_path, "r", "editor")
    viewer = make_token(tmp_path, "r", "viewer")
    async with running_relay(tmp_path, max_blob=1 << 20, uploads_per_connection=2) as relay:
        async with wire(relay, "r", tok, "a") as a:
            assert (await begin(a, sha, 2 << 20))["code"] == "too_large"
            await a.send(type="blob_begin", sha256="../../etc/passwd", size=10)
            assert (await a.expect("error"))["code"] == "bad_message"
            await a.ws.send(p.encode_chunk(p.CHUNK_UPLOAD, sha, 0, b"x" * 100))
            assert (await a.expect("blob_error"))["code"] == "not_started"
            shas = [blob(100, seed)[1] for seed in (2, 3, 4)]
            assert (await begin(a, shas[0], 100))["type"] == "blob_status"
            assert (await begin(a, shas[1], 100))["type"] == "blob_status"
            assert (await begin(a, shas[2], 100))["code"] == "too_many"
        async with wire(relay, "r", viewer, "v") as v:
            assert (await begin(v, sha, 100))["code"] == "forbidden"
        files = [f for f in (tmp_path / "blobs").rglob("*") if f.is_file()]
        assert all(f.stat().st_size == 0 for f in files)  # announced, never filled


def test_disk_full_is_refused_at_begin(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, max_blob=1 << 40, reserve=1 << 60)
    with pytest.raises(BlobError) as info:
        store.begin("ab" * 32, 10)
    assert info.value.code == "disk_full"
    assert not (tmp_path / "partial" / f"{'ab' * 32}.part").exists()


def test_names_must_be_digests(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path, max_blob=100, reserve=0)
    for bad in ("../x", "AB" * 32, "ab" * 31, "ab" * 32 + "/.."):
        with pytest.raises(BlobError):
            store.begin(bad, 1)
        assert store.size("ab" * 32) is None
    assert os.listdir(tmp_path) == ["partial"]


def test_seed_message_shape() -> None:
    assert json.loads(p.encode(p.BlobEnd("ab" * 32, 3))) == {
        "type": "blob_end",
        "sha256": "ab" * 32,
        "size": 3,
    }
