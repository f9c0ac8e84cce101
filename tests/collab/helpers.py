"""A relay on its own thread and event loop (clients here are synchronous, like the CLI),
and a way to run ``wordcut`` in-process as one of two users with separate libraries."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from sync.relay.limits import Limits
from sync.relay.server import Relay, RelayConfig
from tests.relay.helpers import make_token

RATE = 48000


class RelayThread:
    def __init__(self, data: Path, port: int = 0, **limits: Any) -> None:
        self.data = data
        self.limits = replace(Limits(close_timeout=0.3), **limits)
        self._port = port
        self.loop = asyncio.new_event_loop()
        self.relay: Relay | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> RelayThread:
        self._thread.start()
        self.relay = Relay(RelayConfig(self.data, "127.0.0.1", self._port, self.limits))
        asyncio.run_coroutine_threadsafe(self.relay.start(), self.loop).result(10)
        self._port = self.relay.port
        return self

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._port}"

    def stop(self) -> None:
        if self.relay is not None:
            asyncio.run_coroutine_threadsafe(self.relay.shutdown(), self.loop).result(20)
            self.relay = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def call(self, fn: Any) -> Any:
        """Run ``fn()`` on the relay's loop (to read its state safely)."""

        async def run() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)


@contextlib.contextmanager
def relay_thread(data: Path, **limits: Any) -> Iterator[RelayThread]:
    r = RelayThread(data, **limits).start()
    try:
        yield r
    finally:
        r.stop()


class User:
    """``wordcut`` in this process with its own library (``WORDCUT_HOME``)."""

    def __init__(self, home: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.home, self.name, self.mp = home, name, monkeypatch

    def run(self, *args: str, ok: bool = True) -> tuple[int, str, str]:
        from editor.cli import main

        out, err = io.StringIO(), io.StringIO()
        with self.mp.context() as m:
            m.setenv("WORDCUT_HOME", str(self.home))
            m.setenv("WORDCUT_USER", self.name)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args))
        if ok:
            assert code == 0, f"{self.name} {args}: {err.getvalue()}"
        return code, out.getvalue(), err.getvalue()

    def words(self, project: str) -> list[dict[str, Any]]:
        return json.loads(self.run("transcript", project, "--format", "json")[1])


def tone(path: Path, seconds: float, freq: float) -> None:
    t = np.arange(int(seconds * RATE)) / RATE
    sf.write(path, (0.2 * np.sin(2 * np.pi * freq * t)).astype(np.float32), RATE)


def transcript(path: Path, words: list[str], t0: float) -> None:
    rows = [
        {"text": w, "start": t0 + i * 0.4, "end": t0 + i * 0.4 + 0.3, "confidence": 0.9}
        for i, w in enumerate(words)
    ]
    path.write_text(json.dumps(rows))


def solo_project(user: User, media: Path, name: str = "Ep") -> None:
    """Two tracks with short transcripts, as a host would have them before sharing."""
    media.mkdir(exist_ok=True)
    tone(media / "ann.wav", 8.0, 220)
    tone(media / "bob.wav", 8.0, 330)
    transcript(media / "ann.json", ["hello", "and", "welcome", "to", "the", "show", "today"], 0.0)
    transcript(media / "bob.json", ["thanks", "um", "glad", "to", "be", "here", "again"], 2.5)
    user.run("new", name)
    user.run(
        "import",
        name,
        str(media / "ann.wav"),
        str(media / "bob.wav"),
        "--label",
        "Ann",
        "--label",
        "Bob",
    )
    user.run("transcript-import", name, "--track", "Ann", str(media / "ann.json"))
    user.run("transcript-import", name, "--track", "Bob", str(media / "bob.json"))


def linked(
    home: Path, k: int, relay: RelayThread, room: str, token: str, snapshot: bytes, version: int
) -> tuple[Any, str]:
    """A library holding a project already linked to ``room`` (a join without media)."""
    from editor.store import Store, links, oplog

    store = Store(home)
    pid = store.create_project(f"p{k}").id
    with store.transaction() as c:
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
    return store, pid


__all__ = ["RelayThread", "User", "linked", "make_token", "relay_thread", "solo_project"]
