"""Overdub clips made after a co-host joined travel with their op (two CLI users, loopback):
host A overdubs on the linked project, the clip goes up before the op; host B's next read pulls
the op and fetches the clip by hash into its own ``clips/``; both transcripts and both exports
end identical. A clip that cannot be fetched (the relay is down) is said in one line."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.collab.helpers import RelayThread, User, make_token, solo_project

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def _clips(home: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in home.rglob("clips/*.wav")}


@needs_espeak
def test_overdub_after_join_reaches_the_co_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = User(tmp_path / "ann", "Ann", monkeypatch)
    bob = User(tmp_path / "bob", "Bob", monkeypatch)
    solo_project(ann, tmp_path / "media")
    owner = make_token(tmp_path / "relay", "ep", "owner")
    relay = RelayThread(tmp_path / "relay").start()
    try:
        _, out, _ = ann.run(
            "share", "Ep", "--relay", relay.url, "--token", owner, "--room", "ep",
            "--invite", "editor",
        )  # fmt: skip
        bob.run("join", out.strip().split()[-1], "--name", "Shared")
        assert _clips(tmp_path / "bob") == {}

        _, out, _ = ann.run(
            "overdub", "Ep", "--replace", "2-3", "--text", "and hello", "--backend", "speech"
        )
        assert "overdub" in out
        made = _clips(tmp_path / "ann")
        assert len(made) == 1
        name, sha = next(iter(made.items()))
        assert sha.startswith(name[:32])  # the name is the hash

        # Bob's read pulls the op and fetches the clip (verified) before using it
        a, b = ann.words("Ep"), bob.words("Shared")
        assert a == b
        assert _clips(tmp_path / "bob") == made
        ann_clip = next((tmp_path / "ann").rglob(f"clips/{name}"))
        bob_clip = next((tmp_path / "bob").rglob(f"clips/{name}"))
        assert bob_clip.with_suffix(".json").is_file()  # the record the transcript marks use
        assert (
            bob_clip.with_suffix(".json").read_text() == ann_clip.with_suffix(".json").read_text()
        )
        _, ta, _ = ann.run("transcript", "Ep")
        _, tb, _ = bob.run("transcript", "Shared")
        assert ta == tb and "[generated:" in ta

        ann.run("export", "Ep", str(tmp_path / "a.wav"), "--no-loudness", "--quiet")
        bob.run("export", "Shared", str(tmp_path / "b.wav"), "--no-loudness", "--quiet")
        assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()

        # the clip lost on Bob's side while the relay is down: one line, not a late failure
        bob_clip.unlink()
        bob_clip.with_suffix(".json").unlink()
        relay.stop()
        _, _, err = bob.run("transcript", "Shared")
        lines = [ln for ln in err.splitlines() if "overdub clip" in ln]
        assert len(lines) == 1 and "offline" in lines[0], err
        # Ann overdubs while the relay is down: the clip waits with the pending op
        _, _, err = ann.run(
            "overdub", "Ep", "--replace", "10-11", "--text", "good to be", "--backend", "speech"
        )
        assert "offline" in err
        made = _clips(tmp_path / "ann")
        assert len(made) == 2

        relay = RelayThread(tmp_path / "relay", port=relay.port).start()
        bob.run("sync", "Shared")  # the lost clip comes back; Ann's new one is not sent yet
        assert name in _clips(tmp_path / "bob")
        ann.run("sync", "Ep")  # clip, then op
        a, b = ann.words("Ep"), bob.words("Shared")
        assert a == b
        assert _clips(tmp_path / "bob") == made
        ann.run("export", "Ep", str(tmp_path / "a2.wav"), "--no-loudness", "--quiet")
        bob.run("export", "Shared", str(tmp_path / "b2.wav"), "--no-loudness", "--quiet")
        assert (tmp_path / "a2.wav").read_bytes() == (tmp_path / "b2.wav").read_bytes()
        assert (tmp_path / "a2.wav").read_bytes() != (tmp_path / "a.wav").read_bytes()
    finally:
        relay.stop()


@needs_espeak
def test_clip_made_before_sharing_arrives_with_its_record_at_join(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = User(tmp_path / "ann", "Ann", monkeypatch)
    bob = User(tmp_path / "bob", "Bob", monkeypatch)
    solo_project(ann, tmp_path / "media")
    ann.run("overdub", "Ep", "--replace", "2-3", "--text", "and hello", "--backend", "speech")
    owner = make_token(tmp_path / "relay", "ep", "owner")
    relay = RelayThread(tmp_path / "relay").start()
    try:
        _, out, _ = ann.run(
            "share", "Ep", "--relay", relay.url, "--token", owner, "--room", "ep",
            "--invite", "editor",
        )  # fmt: skip
        bob.run("join", out.strip().split()[-1], "--name", "Shared")
        assert _clips(tmp_path / "bob") == _clips(tmp_path / "ann") != {}
        assert len(list((tmp_path / "bob").rglob("clips/*.json"))) == 1
        assert ann.run("transcript", "Ep")[1] == bob.run("transcript", "Shared")[1]
    finally:
        relay.stop()


def test_clip_upload_resumes_and_fetch_verifies(tmp_path: Path) -> None:
    """``offer`` sends only the bytes the relay lacks (an upload cut off earlier resumes);
    ``fetch`` lands the clip and its record, and names a clip the room does not know."""
    import asyncio
    import json

    from editor.collab import clips
    from editor.collab.conn import RelayConn
    from sync.model import Overdub
    from tests.relay.helpers import running_relay, wire
    from tests.relay.test_blobs import CHUNK, upload

    data = hashlib.shake_256(b"clip").digest(5 * CHUNK + 123)
    sha = hashlib.sha256(data).hexdigest()
    name = sha[:32] + ".wav"
    mine, theirs = tmp_path / "a" / "clips", tmp_path / "b" / "clips"
    mine.mkdir(parents=True)
    (mine / name).write_bytes(data)
    record = {"text": "a line", "speaker": "Ann", "words": []}
    (mine / name).with_suffix(".json").write_text(json.dumps(record))
    o = Overdub("o1", "w1", name, "a line", 1.0)
    ghost = Overdub("o2", "w1", "e" * 32 + ".wav", "never sent", 1.0)
    tok = make_token(tmp_path / "relay", "r", "editor")

    async def run() -> None:
        async with running_relay(tmp_path / "relay", chunk_size=CHUNK) as relay:
            async with wire(relay, "r", tok, "cut-off") as w:
                assert await upload(w, data, sha, stop_after=2 * CHUNK) == 2 * CHUNK
            url = f"ws://127.0.0.1:{relay.port}/v1/rooms/r"
            conn = await RelayConn.open(url, tok)
            try:
                await conn.hello("ann", "Ann", None)
                sent = await clips.offer(conn, mine, [o])
                assert sent == len(data) - 2 * CHUNK
                assert await clips.offer(conn, mine, [o]) == 0  # already there: nothing sent
            finally:
                await conn.close()
            conn = await RelayConn.open(url, tok)
            try:
                await conn.hello("bob", "Bob", None)
                problems = await clips.fetch(conn, theirs, [o, ghost])
            finally:
                await conn.close()
        assert (theirs / name).read_bytes() == data
        assert json.loads((theirs / name).with_suffix(".json").read_text()) == record
        assert len(problems) == 1 and ghost.clip in problems[0]
        assert clips.missing(theirs, [o, ghost]) == [ghost]

    asyncio.run(run())
