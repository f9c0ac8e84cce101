"""The long-lived client on its own thread: live edits both ways, and reconnecting with
backoff after the relay restarts (waits on conditions, never on sleeps)."""

from __future__ import annotations

import random
import threading
from pathlib import Path

from editor.collab.backoff import Backoff
from editor.collab.client import CollabClient
from editor.collab.session import LinkedSession
from sync.ops import Correct, Delete
from sync.protocol import Applied
from sync.relay import tokens
from sync.snapshot import encode_snapshot
from tests.collab.helpers import RelayThread, linked
from tests.sync.factory import make_doc


def test_client_thread_follows_edits_and_reconnects(tmp_path: Path) -> None:
    relay = RelayThread(tmp_path / "relay").start()
    assert relay.relay is not None
    token = tokens.create_token(relay.relay.store, "room", "editor")[0]
    doc = make_doc(random.Random(3), 12)
    snap = encode_snapshot(doc.snapshot())
    assert relay.relay.store.seed("room", doc.version, snap)
    store_a, pid_a = linked(tmp_path / "a", 0, relay, "room", token, snap, doc.version)
    store_a.close()  # the client thread opens its own connection
    store_b, pid_b = linked(tmp_path / "b", 1, relay, "room", token, snap, doc.version)
    bob = LinkedSession(store_b, pid_b)
    heard: list[int] = []
    states: list[str] = []
    got, online = threading.Event(), threading.Event()

    def on_remote(msg: Applied) -> None:
        heard.append(msg.version)
        got.set()

    def on_state(state: str, detail: str) -> None:
        states.append(state)
        if state == "online":
            online.set()

    ann = CollabClient(
        tmp_path / "a",
        pid_a,
        on_remote=on_remote,
        on_state=on_state,
        backoff=Backoff(initial=0.05, cap=0.2, rng=random.Random(1)),
    ).start()
    try:
        assert online.wait(10)
        words = [w.id for w in doc.words]
        bob.submit(Delete(words[0], words[1]))
        assert got.wait(10) and heard == [doc.version + 1]
        assert ann.submit(Correct(words[4], "mended")).result(10) >= 1
        for _ in range(50):  # bob pulls until ann's edit has reached the relay
            bob.sync()
            if bob.document.text_of(words[4]) == "mended":
                break
        assert bob.document.text_of(words[4]) == "mended"

        port = relay.port
        online.clear()
        relay.stop()
        relay = RelayThread(tmp_path / "relay", port=port).start()
        assert online.wait(10), states  # reconnected by itself
        assert "offline" in states
        got.clear()
        bob.submit(Correct(words[6], "again"))
        assert got.wait(10)
        hash_a = ann.call(lambda r: r.session.document.content_hash()).result(10)
        assert hash_a == bob.local.document.content_hash()
    finally:
        ann.stop()
        store_b.close()
        relay.stop()


def test_client_thread_fetches_a_clip_inserted_live(tmp_path: Path) -> None:
    """A co-host's insert_overdub reaching the long-lived client brings its clip (and record)
    into that project's clips/ without a new round."""
    import hashlib
    import json

    from editor import paths
    from sync.model import Overdub
    from sync.ops import InsertOverdub

    relay = RelayThread(tmp_path / "relay").start()
    assert relay.relay is not None
    token = tokens.create_token(relay.relay.store, "room", "editor")[0]
    doc = make_doc(random.Random(4), 8)
    snap = encode_snapshot(doc.snapshot())
    assert relay.relay.store.seed("room", doc.version, snap)
    store_a, pid_a = linked(tmp_path / "a", 0, relay, "room", token, snap, doc.version)
    store_a.close()
    store_b, pid_b = linked(tmp_path / "b", 1, relay, "room", token, snap, doc.version)
    bob = LinkedSession(store_b, pid_b)
    data = hashlib.shake_256(b"live clip").digest(300_000)
    name = hashlib.sha256(data).hexdigest()[:32] + ".wav"
    bob_clips = paths.clips_dir(tmp_path / "b", pid_b)
    bob_clips.mkdir(parents=True, exist_ok=True)
    (bob_clips / name).write_bytes(data)
    (bob_clips / name).with_suffix(".json").write_text(json.dumps({"text": "live"}))
    ann_clip = paths.clips_dir(tmp_path / "a", pid_a) / name
    got, online = threading.Event(), threading.Event()
    ann = CollabClient(
        tmp_path / "a",
        pid_a,
        on_remote=lambda _m: got.set(),
        on_state=lambda s, _d: online.set() if s == "online" else None,
        backoff=Backoff(initial=0.05, cap=0.2, rng=random.Random(1)),
    ).start()
    try:
        assert online.wait(10)
        bob.submit(InsertOverdub(Overdub("o1", doc.words[2].id, name, "live", 1.0)))
        assert got.wait(10)
        # the clip is fetched before the message is handed on
        assert ann_clip.read_bytes() == data
        assert json.loads(ann_clip.with_suffix(".json").read_text()) == {"text": "live"}
    finally:
        ann.stop()
        store_b.close()
        relay.stop()
