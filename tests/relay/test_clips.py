"""The room's clip index over loopback sockets (``clip_put`` / ``clip_get``): a clip is indexed
only under a name its blob's hash starts with, only once the blob is stored, never by a viewer;
the first record of a clip stays; another room does not see it; an unknown clip is answered
with ``sha256: null`` so a client can say so."""

from __future__ import annotations

from pathlib import Path

from tests.relay.helpers import arun, make_token, running_relay, wire
from tests.relay.test_blobs import blob, upload


@arun
async def test_clip_index_rules(tmp_path: Path) -> None:
    editor = make_token(tmp_path, "r", "editor")
    viewer = make_token(tmp_path, "r", "viewer")
    other = make_token(tmp_path, "elsewhere", "editor")
    data, sha = blob(70_000)
    name = sha[:32] + ".wav"
    record = {"text": "fixed line", "words": [{"text": "fixed", "start": 0.0, "end": 0.4}]}
    async with running_relay(tmp_path) as relay:
        async with wire(relay, "r", editor, "e") as e:
            await e.send(type="clip_put", clip=name, sha256=sha, size=len(data), record=record)
            early = await e.expect("error")
            assert early["code"] == "not_found"  # the blob first
            await upload(e, data, sha)

            _, wrong = blob(10, seed=2)
            await e.send(type="clip_put", clip=name, sha256=wrong, size=len(data))
            assert (await e.expect("error"))["code"] == "bad_message"
            await e.send(type="clip_put", clip="../x.wav", sha256=sha, size=len(data))
            assert (await e.expect("error"))["code"] == "bad_message"
            await e.send(type="clip_put", clip=name, sha256=sha, size=len(data) + 1)
            assert (await e.expect("error"))["code"] == "not_found"

            await e.send(type="clip_put", clip=name, sha256=sha, size=len(data), record=record)
            info = await e.expect("clip_info")
            assert (info["sha256"], info["size"], info["record"]) == (sha, len(data), record)
            await e.send(type="clip_put", clip=name, sha256=sha, size=len(data), record={"x": 1})
            assert (await e.expect("clip_info"))["record"] == record  # the first one stays

        async with wire(relay, "r", viewer, "v") as v:
            await v.send(type="clip_get", clip=name)
            got = await v.expect("clip_info")
            assert (got["sha256"], got["record"]) == (sha, record)
            await v.send(type="clip_put", clip=name, sha256=sha, size=len(data))
            assert (await v.expect("error"))["code"] == "forbidden"
            unknown = "f" * 32 + ".wav"
            await v.send(type="clip_get", clip=unknown)
            assert (await v.expect("clip_info"))["sha256"] is None

        async with wire(relay, "elsewhere", other, "o") as o:
            await o.send(type="clip_get", clip=name)
            assert (await o.expect("clip_info"))["sha256"] is None  # rooms are separate
    async with running_relay(tmp_path) as relay, wire(relay, "r", editor, "e2") as e:
        await e.send(type="clip_get", clip=name)
        assert (await e.expect("clip_info"))["sha256"] == sha  # persisted
