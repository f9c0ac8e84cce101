"""Identity comes from the token, never from the hello (loopback sockets): a token's name is
the author of every op and presence entry of its connections; an invitation token takes its
first hello's name for good; a legacy token (no name) keeps the hello's name but may not
insert an overdub in anyone's voice."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from sync.model import Overdub, TrackRef, Word
from sync.ops import AddTranscript, InsertOverdub, op_to_dict
from sync.relay import tokens
from sync.relay.store import SCHEMA, RelayStore
from tests.relay.helpers import Wire, arun, make_token, running_relay, wire


def _transcript() -> dict[str, Any]:
    words = tuple(Word(f"w{i}", "t", f"word{i}", i * 0.5, i * 0.5 + 0.4) for i in range(4))
    return op_to_dict(AddTranscript(TrackRef("t", "Ann"), words, base_version=0))


def _voiced(oid: str, owner: str) -> dict[str, Any]:
    o = Overdub(oid, "w1", f"{oid}.wav", "fixed", 1.0, voice=f"{owner}-voice", voice_owner=owner)
    return op_to_dict(InsertOverdub(o))


async def _hello(w: Wire, client_id: str, name: str) -> dict[str, Any]:
    await w.send(type="hello", protocol=1, client_id=client_id, name=name, last_version=None)
    welcome = await w.expect("welcome")
    await w.expect("synced", skip=("presence", "snapshot", "applied"))
    return welcome


@arun
async def test_bobs_token_cannot_insert_alices_voice_even_if_hello_says_alice(
    tmp_path: Path,
) -> None:
    alice_tok = make_token(tmp_path, "r", "editor", name="alice")
    bob_tok = make_token(tmp_path, "r", "editor", name="bob")
    async with (
        running_relay(tmp_path) as relay,
        wire(relay, "r", alice_tok) as alice,
        wire(relay, "r", bob_tok) as bob,
    ):
        assert (await _hello(alice, "a-app", "alice"))["name"] == "alice"
        welcome = await _hello(bob, "b-app", "alice")  # Bob claims to be Alice
        assert (welcome["name"], welcome["identified"]) == ("bob", True)
        assert (await bob.submit(1, _transcript()))["type"] == "ack"
        applied = await alice.expect("applied")
        assert applied["author"] == "bob"  # the co-host sees the token's identity

        refused = await bob.submit(2, _voiced("o1", owner="alice"))
        assert (refused["type"], refused["reason"]) == ("rejected", "forbidden"), refused
        assert relay.rooms["r"].authority.doc.overdubs == ()

        own = await bob.submit(3, _voiced("o2", owner="bob"))
        assert own["type"] == "ack", own
        theirs = await alice.submit(1, _voiced("o3", owner="alice"))
        assert theirs["type"] == "ack", theirs
        owners = sorted(o.voice_owner or "" for o in relay.rooms["r"].authority.doc.overdubs)
        assert owners == ["alice", "bob"]
        # presence names come from the tokens too
        while True:
            msg = await alice.expect("presence", skip=("applied",))
            names = {c["client_id"]: c["name"] for c in msg["clients"]}
            if len(names) == 2:
                break
        assert names == {"a-app": "alice", "b-app": "bob"}


@arun
async def test_legacy_token_keeps_the_hello_name_but_no_voice(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path) as relay, wire(relay, "r", tok) as w:
        welcome = await _hello(w, "c1", "carol")
        assert (welcome["name"], welcome["identified"]) == ("carol", False)
        assert (await w.submit(1, _transcript()))["type"] == "ack"
        refused = await w.submit(2, _voiced("o1", owner="carol"))
        assert refused["reason"] == "forbidden" and "identity" in refused["message"]
        sting = Overdub("s", "w1", "s.wav", "ding", 0.5)  # no voice: fine as before
        assert (await w.submit(3, op_to_dict(InsertOverdub(sting))))["type"] == "ack"
        assert [o.id for o in relay.rooms["r"].authority.doc.overdubs] == ["s"]


@arun
async def test_invitation_binds_the_first_hello_name(tmp_path: Path) -> None:
    owner = make_token(tmp_path, "r", "owner", name="ann")
    async with running_relay(tmp_path) as relay:
        async with wire(relay, "r", owner) as ann:
            await _hello(ann, "ann-app", "whoever")
            await ann.send(type="invite", role="editor")
            unnamed = (await ann.expect("invited"))["token"]
            await ann.send(type="invite", role="editor", name="dave")
            named = (await ann.expect("invited"))["token"]
        async with wire(relay, "r", unnamed) as first:
            welcome = await _hello(first, "e1", "erin")
            assert (welcome["name"], welcome["identified"]) == ("erin", True)
        async with wire(relay, "r", unnamed) as later:  # the link leaked: still erin
            assert (await _hello(later, "m1", "mallory"))["name"] == "erin"
        async with wire(relay, "r", named) as dave:
            assert (await _hello(dave, "d1", "not-dave"))["name"] == "dave"
        rows = {r.name: r for r in relay.store.tokens("r")}
        assert set(rows) == {"ann", "erin", "dave"}
        assert not any(r.bind for r in rows.values())


def test_schema_1_database_is_migrated_and_its_tokens_still_work(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "relay.sqlite", isolation_level=None)
    for stmt in SCHEMA.split(";"):
        if stmt.strip():
            db.execute(stmt)
    db.execute(
        "INSERT INTO tokens VALUES ('old1', 'r', 'editor', ?, '', '2026-01-01', NULL)",
        (tokens.hash_token("wct_old"),),
    )
    db.execute("PRAGMA user_version = 1")
    db.close()
    store = RelayStore(tmp_path)
    try:
        grant = tokens.verify(store, "wct_old")
        assert grant is not None and (grant.name, grant.bind) == (None, False)
        assert store.clip("r", "0" * 32 + ".wav") is None  # schema 2's table exists
        assert int(store._r.execute("PRAGMA user_version").fetchone()[0]) == 2
    finally:
        store.close()


def test_token_create_name_on_the_command_line(tmp_path: Path) -> None:
    def relay_cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sync.relay_main", *args, "--data", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    made = relay_cli("token", "create", "r", "--role", "editor", "--name", "alice")
    assert made.returncode == 0, made.stderr
    assert "as alice" in made.stdout and made.stdout.split()[-1].startswith("wct_")
    listed = relay_cli("token", "list", "r")
    assert "\talice\t" in listed.stdout
    bad = relay_cli("token", "create", "r", "--role", "editor", "--name", "   ")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "name" in bad.stderr
    store = RelayStore(tmp_path)
    try:
        grant = tokens.verify(store, made.stdout.split()[-1])
        assert grant is not None and grant.name == "alice"
    finally:
        store.close()
