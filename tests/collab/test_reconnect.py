"""Reconnection cases through a real relay (RELIABILITY.md "Reconnection", "Named conflicts"):
a lost acknowledgement, a long absence across compaction, and the named conflicts — each
client ends with the documented result and the loser hears exactly one notice."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
from pathlib import Path

from editor.collab.conn import RelayConn
from editor.collab.session import LinkedSession
from sync import protocol as p
from sync.model import Overdub
from sync.ops import (
    Correct,
    Delete,
    InsertOverdub,
    ReorderSection,
    Restore,
    SplitSection,
    encode_op,
)
from sync.relay import tokens
from sync.snapshot import encode_snapshot
from tests.collab.helpers import RelayThread, linked, relay_thread
from tests.sync.factory import make_doc


def room(relay: RelayThread, name: str, words: int = 30) -> tuple[str, bytes, int, list[str]]:
    assert relay.relay is not None
    token = tokens.create_token(relay.relay.store, name, "editor")[0]
    doc = make_doc(random.Random(7), words)
    snap = encode_snapshot(doc.snapshot())
    assert relay.relay.store.seed(name, doc.version, snap)
    return token, snap, doc.version, [w.id for w in doc.words]


def pair(
    tmp: Path, relay: RelayThread, name: str
) -> tuple[LinkedSession, LinkedSession, list[str]]:
    token, snap, v, ids = room(relay, name)
    a = LinkedSession(*linked(tmp / f"{name}a", 0, relay, name, token, snap, v))
    b = LinkedSession(*linked(tmp / f"{name}b", 1, relay, name, token, snap, v))
    return a, b, ids


def test_lost_ack_is_learned_on_resend_without_a_duplicate(tmp_path: Path) -> None:
    with relay_thread(tmp_path / "relay") as relay:
        a, b, ids = pair(tmp_path, relay, "lost")
        seq = a.replica.record(Correct(ids[3], "committed"))
        link = a.replica.link

        async def send_and_drop() -> None:  # the ack is lost: the connection dies after COMMIT
            conn = await RelayConn.open(f"{link.relay_url}/v1/rooms/{link.room}", link.token)
            await conn.hello(link.client_id, link.name, a.version)
            while not isinstance(await conn.recv(10), p.Synced):
                pass
            wire = json.loads(encode_op(Correct(ids[3], "committed", base_version=a.version)))
            await conn.send(p.Submit(seq, wire))
            assert relay.relay is not None
            rooms = relay.relay.rooms
            while relay.call(lambda: rooms["lost"].authority.auth.committed_version) <= before:
                await asyncio.sleep(0.005)  # wait for the COMMIT itself, then cut the line
            conn.ws.transport.abort()

        before = a.version
        asyncio.run(send_and_drop())
        b.sync()
        assert b.document.text_of(ids[3]) == "committed"
        version = b.version
        report = a.sync()  # the catch-up carries A's own op: learned committed, not resent
        assert report is not None and report.pulled == 1 and not report.acked
        assert not a.replica.pending()
        b.sync()
        assert a.version == b.version == version
        assert a.local.document.content_hash() == b.local.document.content_hash()


def test_long_absence_across_compaction_resyncs_and_accounts_for_every_edit(
    tmp_path: Path,
) -> None:
    with relay_thread(tmp_path / "relay", retain_ops=20, snapshot_every=10) as relay:
        a, b, ids = pair(tmp_path, relay, "away")
        online = a.replica.link
        a.replica.link = dataclasses.replace(online, relay_url="ws://127.0.0.1:9")
        a.submit(Correct(ids[0], "mine"))  # offline: kept
        a.submit(Delete(ids[5], ids[6]))
        assert len(a.replica.pending()) == 2
        for i in range(60):  # B works on while A is away; the log is compacted behind him
            b.submit(Correct(ids[10 + i % 10], f"b{i}"))
        b.submit(Correct(ids[0], "theirs"))  # clashes with A's first offline edit
        a.replica.link = online
        report = a.sync()
        assert report is not None and report.resynced
        assert len(report.acked) + len(report.rejected) == 2
        assert [n.reason for n in report.rejected] == ["conflict"]
        b.sync()
        assert a.local.document.content_hash() == b.local.document.content_hash()
        assert a.local.document.text_of(ids[0]) == "theirs"
        assert a.local.document.is_deleted(ids[5])


def test_named_conflicts_end_the_same_on_both_sides_with_one_notice(tmp_path: Path) -> None:
    with relay_thread(tmp_path / "relay") as relay:
        # A deletes words 10-20 while B corrects word 15: the correction stands, on a struck word
        a, b, ids = pair(tmp_path, relay, "c1")
        base = a.version
        a.submit(Delete(ids[10], ids[20]))
        b.local.refresh()
        seq = b.replica.record(Correct(ids[15], "fixed"))
        assert b.version == base  # B had not seen A's delete
        report = b.sync()
        assert report is not None and [s for s, _ in report.acked] == [seq]
        a.sync()
        for s in (a, b):
            doc = s.local.document
            assert doc.is_deleted(ids[15]) and doc.text_of(ids[15]) == "fixed"

        # A moves a section while B inserts a clip in it: both land, the clip moves with it
        a, b, ids = pair(tmp_path, relay, "c2")
        a.submit(SplitSection(ids[12], "Later", "s-later"))
        b.sync()
        a.submit(ReorderSection("s-later", 0))
        clip = Overdub("o1", ids[14], "o1.wav", "inserted line", 1.0)
        b.replica.record(InsertOverdub(clip))
        assert b.sync() is not None
        a.sync()
        for s in (a, b):
            doc = s.local.document
            assert doc.sections[0].id == "s-later" and doc.overdub("o1").after_word == ids[14]
        assert a.local.document.content_hash() == b.local.document.content_hash()

        # both restore overlapping ranges: the second shrinks to what is left (a no-op here)
        a, b, ids = pair(tmp_path, relay, "c3")
        a.submit(Delete(ids[0], ids[9]))
        b.sync()
        a.submit(Restore(ids[0], ids[6]))
        b.replica.record(Restore(ids[3], ids[9]))
        report = b.sync()
        assert report is not None and len(report.acked) == 1 and not report.rejected
        a.sync()
        for s in (a, b):
            assert not any(s.local.document.is_deleted(i) for i in ids[:10])
        assert a.local.document.content_hash() == b.local.document.content_hash()

        # the losing client of a real clash hears exactly one notice
        a, b, ids = pair(tmp_path, relay, "c4")
        a.submit(Correct(ids[2], "A's"))
        b.replica.record(Correct(ids[2], "B's"))
        b.sync()
        notices = b.take_notices()
        assert len([n for n in notices if "conflict" in n]) == 1
        assert b.take_notices() == []


def test_undo_on_a_shared_project_undoes_only_this_users_edits(tmp_path: Path) -> None:
    with relay_thread(tmp_path / "relay") as relay:
        a, b, ids = pair(tmp_path, relay, "undo")
        a.submit(Correct(ids[1], "A1"))
        b.sync()
        b.submit(Correct(ids[2], "B1"))  # the co-host's edit lands between A's edits
        a.submit(Delete(ids[4], ids[5]))
        assert a.can_undo() and not a.can_redo()
        a.undo()  # undoes A's delete, not B's correction
        b.sync()
        for s in (a, b):
            doc = s.local.document
            assert not doc.is_deleted(ids[4]) and doc.text_of(ids[2]) == "B1"
        a.undo()  # then A's correction
        a.redo()  # and back
        b.sync()
        for s in (a, b):
            doc = s.local.document
            assert doc.text_of(ids[1]) == "A1" and doc.text_of(ids[2]) == "B1"
        assert a.local.document.content_hash() == b.local.document.content_hash()
