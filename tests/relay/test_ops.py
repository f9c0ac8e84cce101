# ruff: noqa: SIM117  (nested connections read as who joins when)
"""Ordering, idempotency and durability through a live relay (RELIABILITY.md "Reconnection",
"Durability", the bad-input table), over loopback sockets."""

from __future__ import annotations

from pathlib import Path

from sync.relay.errors import RelayStoreError
from sync.relay.room import RoomAuthority
from sync.relay.store import RelayStore
from tests.relay.helpers import arun, make_token, rename, running_relay, wire


@arun
async def test_ack_then_applied_to_the_other_member(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path) as relay, wire(relay, "r", tok, "a") as a:
        async with wire(relay, "r", tok, "b") as b:
            ack = await a.submit(1, rename("One", base=0))
            assert (ack["type"], ack["seq"], ack["version"]) == ("ack", 1, 1)
            applied = await b.expect("applied")
            assert (applied["version"], applied["client_id"], applied["seq"]) == (1, "a", 1)
            assert applied["op"]["name"] == "One"


@arun
async def test_replay_gets_the_original_ack_and_reuse_is_an_error(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path) as relay:
        async with wire(relay, "r", tok, "a") as a:
            first = await a.submit(1, rename("One", base=0))
            assert (await a.submit(2, rename("Two")))["version"] == 2
            again = await a.submit(1, rename("One", base=0))
            assert again == first
            reuse = await a.submit(1, rename("Different", base=0))
            assert (reuse["type"], reuse["code"]) == ("error", "seq_reuse")
        assert relay.rooms["r"].authority.version == 2
    # after a restart of the relay, the same resend is still recognised
    async with running_relay(tmp_path) as relay, wire(relay, "r", tok, "a") as a:
        again = await a.submit(1, rename("One", base=0))
        assert (again["type"], again["version"]) == ("ack", 1)
        assert relay.rooms["r"].authority.version == 2


@arun
async def test_stale_ops_are_rebased_or_rejected_with_the_documented_reason(
    tmp_path: Path,
) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path) as relay, wire(relay, "r", tok, "a") as a:
        async with wire(relay, "r", tok, "b") as b:
            assert (await a.submit(1, rename("A", base=0)))["type"] == "ack"
            # B renamed the same section from version 0 as well: a conflict, not a silent loss
            lost = await b.submit(1, rename("B", base=0))
            assert (lost["type"], lost["reason"], lost["version"]) == ("rejected", "conflict", 1)
            ahead = await b.submit(2, rename("C", base=99))
            assert (ahead["reason"], ahead["version"]) == ("future_version", 1)
            missing = await b.submit(3, rename("D", base=1, section="nope"))
            assert missing["reason"] == "unknown_target"
            bad = await b.submit(4, {"v": 1, "type": "delete", "start_word": "x"})
            assert bad["reason"] == "bad_op"
            unknown = await b.submit(5, {"v": 1, "type": "teleport"})
            assert unknown["reason"] == "unknown_op"
            assert relay.rooms["r"].authority.version == 1


@arun
async def test_catch_up_from_last_version_and_resync_after_compaction(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path, retain_ops=5, snapshot_every=10) as relay:
        async with wire(relay, "r", tok, "a") as a:
            for i in range(1, 31):
                assert (await a.submit(i, rename(f"n{i}")))["type"] == "ack"
        async with wire(relay, "r", tok) as b:
            await b.send(type="hello", protocol=1, client_id="b", name="", last_version=27)
            await b.expect("welcome")
            got = [await b.expect("applied", "synced") for _ in range(4)]
            assert [m["version"] for m in got] == [28, 29, 30, 30]
            old = await b.submit(1, rename("late", base=3))
            assert (old["type"], old["version"]) == ("resync_required", 30)
            await b.send(type="resync")
            snap = await b.expect("snapshot")
            assert snap["version"] == 30 and snap["document"]["sections"][0]["name"] == "n30"
    store = RelayStore(tmp_path)
    try:
        data = store.load_room("r")
        assert data.snapshot_version == 30 and data.ops == []
        assert [o.version for o in store.ops_between("r", 0, 30)] == list(range(26, 31))
    finally:
        store.close()


@arun
async def test_persisted_equals_live(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path, snapshot_every=7) as relay:
        async with wire(relay, "r", tok, "a") as a:
            for i in range(1, 20):
                await a.submit(i, rename(f"n{i}"))
        live = relay.rooms["r"].authority.doc.content_hash()
    store = RelayStore(tmp_path)
    try:
        rebuilt = RoomAuthority("r", store, retain=100, snapshot_every=7)
        assert rebuilt.version == 19 and rebuilt.doc.content_hash() == live
    finally:
        store.close()


@arun
async def test_failed_commit_broadcasts_nothing_and_the_op_stays_resendable(
    tmp_path: Path,
) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path) as relay, wire(relay, "r", tok, "a") as a:
        async with wire(relay, "r", tok, "b") as b:
            assert (await a.submit(1, rename("one")))["version"] == 1
            real = relay.store.commit

            def broken(*args: object, **kw: object) -> None:
                raise RelayStoreError("disk I/O error (injected)")

            relay.store.commit = broken  # type: ignore[method-assign]
            fail = await a.submit(2, rename("two"))
            assert (fail["type"], fail["reason"], fail["version"]) == ("rejected", "unavailable", 1)
            relay.store.commit = real  # type: ignore[method-assign]
            ok = await a.submit(2, rename("two"))
            assert (ok["type"], ok["version"]) == ("ack", 2)
            applied = [await b.expect("applied") for _ in range(2)]
            assert [m["version"] for m in applied] == [1, 2]
            assert relay.rooms["r"].authority.doc.sections[0].name == "two"


@arun
async def test_presence_one_entry_per_client_and_identity_from_hello(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path, presence_interval=0.01) as relay:
        async with wire(relay, "r", tok) as a:
            await a.hello("a", name="Ann")
            async with wire(relay, "r", tok) as b1:
                await b1.hello("b", name="Bob")
                async with wire(relay, "r", tok) as b2:
                    await b2.hello("b", name="Bob")
                    await b2.send(type="presence", playhead=3.5, client_id="a", name="Mallory")
                    while True:
                        msg = await a.expect("presence")
                        entries = {c["client_id"]: c for c in msg["clients"]}
                        if entries.get("b", {}).get("playhead") == 3.5:
                            break
                    assert sorted(entries) == ["a", "b"]
                    assert entries["a"]["name"] == "Ann" and entries["b"]["name"] == "Bob"
            while True:  # both of b's connections are gone: one entry left
                msg = await a.expect("presence")
                if [c["client_id"] for c in msg["clients"]] == ["a"]:
                    break
