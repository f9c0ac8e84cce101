"""Randomized convergence through a real relay: 2-5 clients, each with its own library, random
ops made on stale views, random disconnects and reconnects (hypothesis: failures shrink, and
the printed example replays). Pass: every client and the relay end with the same document,
the structural invariants hold, and every op each client made ended acknowledged or
explicitly refused — none pending, none lost."""

from __future__ import annotations

import contextlib
import itertools
import random
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from editor.collab.session import LinkedSession
from editor.store import Store, links, oplog
from sync.errors import OpError
from sync.relay import tokens
from sync.snapshot import encode_snapshot
from tests.collab.helpers import RelayThread
from tests.sync.factory import OpMaker, make_doc
from tests.sync.invariants import check_structure

KINDS = (
    "delete",
    "delete",
    "restore",
    "correct",
    "correct",
    "rename_section",
    "split_section",
    "merge_section",
    "reorder_section",
    "set_pause",
    "insert_overdub",
    "compound",
)
ROOMS = itertools.count()


@pytest.fixture(scope="module")
def relay() -> Iterator[RelayThread]:
    with tempfile.TemporaryDirectory() as d:
        r = RelayThread(Path(d)).start()
        try:
            yield r
        finally:
            r.stop()


class Client:
    def __init__(
        self,
        home: Path,
        k: int,
        relay: RelayThread,
        room: str,
        token: str,
        snapshot: bytes,
        version: int,
    ) -> None:
        self.store = Store(home)
        pid = self.store.create_project(f"p{k}").id
        with self.store.transaction() as c:
            oplog.save_snapshot(c, pid, version, snapshot)
            links.create(
                c,
                pid,
                relay_url=relay.url,
                room=room,
                token=token,
                client_id=f"client{k}",
                name=f"U{k}",
                role="editor",
            )
        self.session = LinkedSession(self.store, pid, timeout=2)
        self.online_link = self.session.replica.link
        self.recorded = 0
        record = self.session.replica.record

        def counting(op: Any, *args: Any) -> int:
            self.recorded += 1
            return record(op, *args)

        self.session.replica.record = counting  # type: ignore[method-assign]

    def go_offline(self) -> None:
        self.session.replica.link = replace(self.online_link, relay_url="ws://127.0.0.1:9")

    def go_online(self) -> None:
        self.session.replica.link = self.online_link

    def settled(self) -> int:
        """Ops this client made that the relay acknowledged or refused."""
        conn = self.store.conn
        pid = self.session.project_id
        acked = conn.execute(
            "SELECT COUNT(*) FROM doc_ops WHERE project_id = ? AND client_id = ?",
            (pid, self.online_link.client_id),
        ).fetchone()[0]
        refused = conn.execute(
            "SELECT COUNT(*) FROM collab_notices WHERE project_id = ?", (pid,)
        ).fetchone()[0]
        return int(acked) + int(refused)


steps = st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from(["edit", "edit", "edit", "edit", "toggle"])),
    min_size=4,
    max_size=22,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(n=st.integers(2, 5), seed=st.integers(0, 2**32 - 1), plan=steps)
def test_random_concurrent_edits_converge(
    relay: RelayThread, n: int, seed: int, plan: list[tuple[int, str]]
) -> None:
    note(f"clients={n} seed={seed}")
    rnd = random.Random(seed)
    room = f"fuzz{next(ROOMS)}"
    assert relay.relay is not None
    token = tokens.create_token(relay.relay.store, room, "editor")[0]
    doc = make_doc(rnd, 24)
    snapshot = encode_snapshot(doc.snapshot())
    assert relay.relay.store.seed(room, doc.version, snapshot)
    with tempfile.TemporaryDirectory() as d:
        clients = [
            Client(Path(d) / f"c{k}", k, relay, room, token, snapshot, doc.version)
            for k in range(n)
        ]
        makers = [OpMaker(random.Random(seed + k), tag=f"c{k}") for k in range(n)]
        offline = [False] * n
        try:
            for who, action in plan:
                k = who % n
                c = clients[k]
                if action == "toggle":
                    offline[k] = not offline[k]
                    c.go_offline() if offline[k] else c.go_online()
                    continue
                op = makers[k].make(c.session.document, rnd.choice(KINDS))
                if op is None:
                    continue
                # refused locally (never kept) or by the relay (a notice, counted below)
                with contextlib.suppress(OpError):
                    c.session.submit(op)
                c.session.take_notices()
            for c in clients:
                c.go_online()
            for _ in range(2):
                for c in clients:
                    assert c.session.sync() is not None
            hashes = {c.session.local.document.content_hash() for c in clients}
            room_hash = relay.call(lambda: relay.relay.rooms[room].authority.doc.content_hash())
            assert hashes == {room_hash}, "clients diverged"
            for c in clients:
                check_structure(c.session.local.document)
                assert not c.session.replica.pending(), "an op is still pending"
                assert c.settled() == c.recorded, "an op vanished or was applied twice"
        finally:
            for c in clients:
                c.store.close()
