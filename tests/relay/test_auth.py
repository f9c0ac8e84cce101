"""Authentication and roles at the door, over real loopback sockets (RELIABILITY.md "Auth")."""

from __future__ import annotations

from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.relay.helpers import arun, make_token, rename, running_relay, url, wire


async def status_of(target: str, **kw: object) -> tuple[int, bytes]:
    with pytest.raises(InvalidStatus) as info:
        async with connect(target, **kw):  # type: ignore[arg-type]
            pass
    return info.value.response.status_code, bytes(info.value.response.body or b"")


@arun
async def test_door_refuses_before_the_upgrade(tmp_path: Path) -> None:
    editor = make_token(tmp_path, "room1", "editor")
    other = make_token(tmp_path, "room2", "editor")
    async with running_relay(tmp_path) as relay:
        # put a document in the room so "zero bytes of document" means something
        async with wire(relay, "room1", editor, "c1") as w:
            assert (await w.submit(1, rename("Secret chapter")))["type"] == "ack"
        cases = [
            (url(relay, "room1"), {}, 401),
            (url(relay, "room1", "wct_wrong"), {}, 401),
            (url(relay, "room1", other), {}, 403),
            (url(relay, "room1", editor), {"origin": "https://evil.example"}, 403),
            (url(relay, "room1").replace("/v1/rooms/", "/v2/"), {}, 404),
            (url(relay, "room1"), {"additional_headers": {"Authorization": "Basic x"}}, 401),
        ]
        for target, kw, want in cases:
            status, body = await status_of(target, **kw)
            assert status == want, (target, kw, status)
            assert b"Secret" not in body and b"snapshot" not in body
        # the bearer header works like the query parameter
        hdr = {"additional_headers": {"Authorization": f"Bearer {editor}"}}
        async with connect(url(relay, "room1"), **hdr) as ws:  # type: ignore[arg-type]
            assert ws.response.status_code == 101


@arun
async def test_revoked_token_is_refused(tmp_path: Path) -> None:
    from sync.relay import tokens
    from sync.relay.store import RelayStore

    tok = make_token(tmp_path, "room1", "editor")
    store = RelayStore(tmp_path)
    tokens.revoke(store, tok)
    store.close()
    async with running_relay(tmp_path) as relay:
        assert (await status_of(url(relay, "room1", tok)))[0] == 401


@arun
async def test_viewer_gets_forbidden_and_nothing_changes(tmp_path: Path) -> None:
    viewer = make_token(tmp_path, "r", "viewer")
    editor = make_token(tmp_path, "r", "editor")
    async with running_relay(tmp_path) as relay:
        async with wire(relay, "r", viewer, "v1") as v:
            ans = await v.submit(1, rename("Mine now"))
            assert (ans["type"], ans["reason"], ans["version"]) == ("rejected", "forbidden", 0)
        async with wire(relay, "r", editor, "e1") as e:
            assert relay.rooms["r"].authority.version == 0
            assert (await e.submit(1, rename("Ok")))["version"] == 1


@arun
async def test_token_list_and_revoke_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sync.relay_main import main

    assert main(["token", "create", "r1", "--role", "owner", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out.split()
    secret = out[-1]
    assert secret.startswith("wct_")
    assert main(["token", "list", "--data", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert "r1" in listing and "owner" in listing and secret not in listing
    assert main(["token", "revoke", secret, "--data", str(tmp_path)]) == 0
    assert main(["token", "revoke", secret, "--data", str(tmp_path)]) == 1
    assert "already revoked" in capsys.readouterr().err
    assert main(["token", "create", "../x", "--role", "owner", "--data", str(tmp_path)]) == 1
