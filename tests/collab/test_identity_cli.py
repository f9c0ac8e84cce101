"""Identities in a shared session come from the relay's tokens (two CLI users, loopback): the
owner's named token decides the owner's name whatever ``--name`` says; ``--invite-as`` gives the
invited host theirs, whatever they join as; each link keeps the name the relay uses, so the
room's log and both local logs agree on who made each edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from editor.store import Store, oplog
from tests.collab.helpers import RelayThread, User, make_token, solo_project


def _authors(home: Path, project: str) -> list[str]:
    store = Store(home)
    try:
        pid = store.project(project).id
        return [r.author for r in oplog.ops_after(store.conn, pid, 2)]
    finally:
        store.close()


def test_names_come_from_the_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ann = User(tmp_path / "ann", "Ann", monkeypatch)
    bob = User(tmp_path / "bob", "Bob", monkeypatch)
    solo_project(ann, tmp_path / "media")
    owner = make_token(tmp_path / "relay", "ep", "owner", name="ann")
    relay = RelayThread(tmp_path / "relay").start()
    try:
        _, out, _ = ann.run(
            "share", "Ep", "--relay", relay.url, "--token", owner, "--room", "ep",
            "--name", "Someone Else", "--invite", "editor", "--invite-as", "bob",
        )  # fmt: skip
        bob.run("join", out.strip().split()[-1], "--name", "Shared", "--as", "ann")
        a = json.loads(ann.run("status", "Ep", "--json")[1])
        b = json.loads(bob.run("status", "Shared", "--json")[1])
        assert (a["name"], b["name"]) == ("ann", "bob")

        ann.run("cut", "Ep", "--words", "1-1")
        bob.run("correct", "Shared", "3", "THE")
        ann.run("sync", "Ep")
        assert _authors(tmp_path / "ann", "Ep") == ["ann", "bob"]
        assert _authors(tmp_path / "bob", "Shared") == ["ann", "bob"]

        code, _, err = ann.run("share", "Ep2", "--relay", relay.url, "--token", owner,
                               "--room", "ep", "--invite-as", "x", ok=False)  # fmt: skip
        assert code != 0 and err.count("\n") == 1 and "--invite" in err
    finally:
        relay.stop()
