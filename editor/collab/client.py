"""The co-editing client on its own thread: one asyncio loop that stays connected to the room,
reconnects with backoff, and keeps the linked project's replica in step.

This is what a long-lived front end uses (``wordcut sync --watch`` now, the Qt app later): the
thread owns its own library connection (SQLite connections are per thread) and everything that
touches the replica runs on it; other threads call :meth:`CollabClient.submit` (thread-safe)
and hear about the co-host's edits through ``on_remote`` and about connection state through
``on_state`` — called on the client thread, so a Qt adapter re-posts them to the GUI thread.

Reconnect: 1, 2, 4 … 30 s with full jitter (``editor.collab.backoff``), reset after a round
that worked. Pending edits are durable in the library, so stopping (or a crash) loses nothing:
the next run sends them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from editor.collab.backoff import Backoff
from editor.collab.conn import Offline, RelayConn
from editor.collab.replica import OnRemote, Replica, SyncReport
from editor.errors import CollabError
from editor.session import LocalSession
from editor.store import Store, links
from sync.authority import allow_all
from sync.ops import Op

log = logging.getLogger(__name__)

OnState = Callable[[str, str], None]
"""``on_state(state, detail)``: ``online``, ``offline`` (with the reason) or ``stopped``."""


class CollabClient:
    def __init__(
        self,
        home: Path,
        project_id: str,
        *,
        on_remote: OnRemote | None = None,
        on_state: OnState | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.home = home
        self.project_id = project_id
        self.on_remote = on_remote
        self.on_state = on_state or (lambda state, detail: None)
        self.backoff = backoff or Backoff()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name="wordcut-collab", daemon=True)
        self._stop: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._ready = threading.Event()
        self.replica: Replica | None = None
        self.error: BaseException | None = None

    # --- from any thread -----------------------------------------------------------------------

    def start(self) -> CollabClient:
        self._thread.start()
        self._ready.wait(10)
        if self.error is not None:
            raise CollabError(f"the co-editing client could not start: {self.error}")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive() and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout)

    def submit(self, op: Op) -> Future[int]:
        """Keep ``op`` as pending (durably) and send it soon; the future gives its seq."""

        async def record() -> int:
            assert self.replica is not None and self._wake is not None
            seq = self.replica.record(op)
            self._wake.set()
            return seq

        return asyncio.run_coroutine_threadsafe(record(), self.loop)

    def call(self, fn: Callable[[Replica], object]) -> Future[object]:
        """Run ``fn(replica)`` on the client thread (to read the document safely)."""

        async def run() -> object:
            assert self.replica is not None
            return fn(self.replica)

        return asyncio.run_coroutine_threadsafe(run(), self.loop)

    # --- the client thread ---------------------------------------------------------------------

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        store = None
        try:
            store = Store(self.home)
            link = links.get(store.conn, self.project_id)
            if link is None:
                raise CollabError("this project is not shared")
            session = LocalSession(store, self.project_id, user=link.name, authorize=allow_all)
            self.replica = Replica(store, self.project_id, session)
        except BaseException as exc:
            self.error = exc
            self._ready.set()
            if store is not None:
                store.close()
            return
        try:
            self.loop.run_until_complete(self._run())
        finally:
            store.close()
            self.loop.close()
            self.on_state("stopped", "")

    async def _run(self) -> None:
        self._stop, self._wake = asyncio.Event(), asyncio.Event()
        self._ready.set()
        assert self.replica is not None
        while not self._stop.is_set():
            link = self.replica.link
            try:
                conn = await RelayConn.open(f"{link.relay_url}/v1/rooms/{link.room}", link.token)
                try:
                    await self.replica.round(conn, self.on_remote)
                    self.backoff.reset()
                    self.on_state("online", "")
                    await self._live(conn)
                finally:
                    await conn.close()
            except (Offline, TimeoutError) as exc:
                self.on_state("offline", str(exc))
            except CollabError as exc:  # refused (revoked token): retrying will not help soon
                self.on_state("offline", str(exc))
            except Exception as exc:  # a bug must not kill the thread: log it, back off, retry
                log.exception("co-editing client failed")
                self.on_state("offline", f"internal error: {exc}")
            if self._stop.is_set():
                break
            delay = self.backoff.next_delay()
            try:
                async with asyncio.timeout(delay):
                    await self._stop.wait()
            except TimeoutError:
                pass

    async def _live(self, conn: RelayConn) -> None:
        assert self.replica is not None and self._stop is not None and self._wake is not None
        stop, wake = self._stop, self._wake
        while not stop.is_set():
            if wake.is_set():
                wake.clear()
                await self.replica.push(conn, SyncReport(), self.on_remote)
            recv = asyncio.ensure_future(conn.recv())
            waits = {recv, asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())}
            done, rest = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for t in rest:
                t.cancel()  # websockets keeps a message whose recv was cancelled
            await asyncio.gather(*rest, return_exceptions=True)  # before push() reads again
            if recv in done:
                await self.replica.handle(conn, recv.result(), self.on_remote)
