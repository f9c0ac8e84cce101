"""The replica: keeps a linked project's local op log equal to its room's, edit for edit.

Why this shape: the relay is the authority of a shared project, so the local op log holds
exactly the relay's versions (same numbers, same ops as applied), written through the project's
own ``sync.authority`` with each op's base at the local head (no rebase happens locally: the
relay already did it). The user's own edits are *pending* until the relay answers: kept in
``collab_pending`` (durable), shown optimistically in the session's view, and sent in order.
Taking a pending op out and writing its acknowledged version happen in one transaction, so an
edit is always either pending or in the log — a crash in between cannot lose or double it.

Sending is one op at a time: a pending op made after another pending op saw that op's effect,
so its base is decided (and stored, so a resend is byte-identical) only when the one before it
has been acknowledged (``Replica._send_base``). A base the relay can no longer rebase from
(``resync_required``) gets a fresh snapshot and the op is re-sent under a new sequence number
(its old one was provably not committed: the relay would have answered a resend of a committed
op with its original ack).

Overdub clips travel with their ops (``editor.collab.clips``): a pending op that inserts a clip
made here sends the clip first; every round, and every co-host's insert seen live, fetches the
clips the document plays and this project lacks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from editor import paths
from editor.collab import clips
from editor.collab.conn import Offline, RelayConn
from editor.errors import CollabError
from editor.session import LocalSession
from editor.store import Store, links, oplog
from sync import protocol as p
from sync.errors import OpError
from sync.events import OpKind
from sync.ops import Op, encode_op, op_from_dict, with_base
from sync.rebase import rebase
from sync.snapshot import encode_snapshot, parse_snapshot

log = logging.getLogger(__name__)

RETRY_LATER = frozenset({"unavailable", "rate_limited", "internal"})
"""Refusals that say nothing about the op: it stays pending and is sent again later."""
SNAPSHOT_EVERY = 200

OnRemote = Callable[[p.Applied], None]


def pack(
    op: Op, base: int | None, chained: bool, kind: str = "do", target: int | None = None
) -> str:
    """A pending op's stored form; ``kind``/``target`` mark an undo or redo of ``target``."""
    data = {"op": json.loads(encode_op(op)), "base": base, "chained": chained}
    return json.dumps({**data, "kind": kind, "target": target})


def kind_of(text: str) -> tuple[OpKind, int | None]:
    data = json.loads(text)
    kind = data.get("kind", "do")
    return (kind if kind in ("do", "undo", "redo") else "do"), data.get("target")


def unpack(text: str) -> tuple[Op, int | None, bool]:
    data = json.loads(text)
    return op_from_dict(data["op"]), data["base"], bool(data["chained"])


@dataclass
class SyncReport:
    """What one sync round did, for the CLI to say."""

    pulled: int = 0
    acked: list[tuple[int, int]] = field(default_factory=list)
    """(seq, version) of this client's ops the relay acknowledged."""
    rejected: list[links.Notice] = field(default_factory=list)
    retry: int = 0
    """Ops the relay could not take now (busy, unavailable): still pending."""
    resynced: bool = False
    problems: list[str] = field(default_factory=list)
    """One line each for what the user should know: a clip that could not be fetched, an edit
    held back because its clip could not be sent."""


class Replica:
    def __init__(self, store: Store, project_id: str, session: LocalSession) -> None:
        self.store = store
        self.project_id = project_id
        self.session = session
        link = links.get(store.conn, project_id)
        if link is None:
            raise CollabError("this project is not linked to a relay (use wordcut share/join)")
        self.link = link

    @property
    def version(self) -> int:
        return self.session.version

    @property
    def clips_dir(self) -> Path:
        return paths.clips_dir(self.store.home, self.project_id)

    async def fetch_clips(
        self, conn: RelayConn, report: SyncReport, msg: p.RelayMessage | None = None
    ) -> None:
        """Fetch the clips the document plays and ``clips/`` lacks (``editor.collab.clips``);
        what cannot be had becomes a line in ``report.problems``. With ``msg`` (a live
        message): only the clips a co-host's ``applied`` op inserts."""
        if msg is None:
            wanted = list(self.session.document.overdubs)
        elif isinstance(msg, p.Applied) and msg.client_id != self.link.client_id:
            wanted = list(clips.inserted(op_from_dict(msg.op)))
        else:
            return
        if not wanted:
            return
        try:
            report.problems += await clips.fetch(conn, self.clips_dir, wanted)
        except Offline:
            raise
        except CollabError as exc:
            report.problems.append(f"an overdub clip could not be fetched: {exc}")

    # --- local edits ---------------------------------------------------------------------------

    def record(self, op: Op, kind: OpKind = "do", target: int | None = None) -> int:
        """Keep an edit made now, durably, until the relay answers; returns its seq."""
        with self.store.transaction() as conn:
            chained = bool(links.pending(conn, self.project_id))
            text = pack(op, self.version, chained, kind, target)
            return links.add_pending(conn, self.project_id, text)

    def _send_base(self, base: int) -> int:
        """The base a chained op goes out with: made on top of this user's earlier pending
        edits, it saw them all. If nobody else's edit landed since it was made, every version
        since is this user's own and it is exact to send the current version; otherwise the
        version it was made at, so the relay rebases it over the co-host's edits it never saw
        (a clash is then refused with a notice rather than silently overwriting theirs)."""
        for r in oplog.ops_after(self.store.conn, self.project_id, base):
            if r.client_id != self.link.client_id:
                return base
        return self.version

    def pending(self) -> list[tuple[int, Op]]:
        return [
            (q.seq, unpack(q.op_json)[0]) for q in links.pending(self.store.conn, self.project_id)
        ]

    # --- what the relay says -------------------------------------------------------------------

    def apply_remote(self, msg: p.Applied | p.Ack, mine: bool) -> bool:
        """Write one relay version into the local log; ``False`` when it does not follow the
        local head (a gap: the caller resyncs). Already-known versions are skipped."""
        version = msg.version
        if version <= self.version:
            if mine:
                with self.store.transaction() as conn:
                    links.settle(conn, self.project_id, msg.seq)
            return True
        if version != self.version + 1 or msg.op is None:
            return False
        op = op_from_dict(msg.op)
        client = self.link.client_id if mine else getattr(msg, "client_id", "")
        author = self.link.name if mine else getattr(msg, "author", "")
        kind: OpKind = "do"
        target = None
        if mine:  # an undo/redo of this user's keeps its kind, so the undo stacks stay right
            for q in links.pending(self.store.conn, self.project_id):
                if q.seq == msg.seq:
                    kind, target = kind_of(q.op_json)
        auth = self.session.authority
        try:
            with self.store.transaction() as conn:
                auth.submit(
                    client,
                    msg.seq,
                    version - 1,
                    with_base(op, None),
                    author,
                    kind=kind,
                    target=target,
                )
                if mine:
                    links.settle(conn, self.project_id, msg.seq)
                if version % SNAPSHOT_EVERY == 0:
                    data = encode_snapshot(auth.document.snapshot())
                    oplog.save_snapshot(conn, self.project_id, version, data)
        except BaseException:
            auth.rollback()
            raise
        auth.commit()
        return True

    def reset(self, msg: p.Snapshot) -> None:
        """Replace the local document with the relay's (a resync after a long absence)."""
        snap = parse_snapshot(msg.document)
        if snap.version < self.version:
            raise CollabError(
                f"the relay's copy (version {snap.version}) is older than this project's "
                f"({self.version}); it may have been restored from a backup"
            )
        with self.store.transaction() as conn:
            oplog.save_snapshot(conn, self.project_id, snap.version, encode_snapshot(snap))
        self.session.authority.reset(snap)

    def refuse(self, seq: int, reason: str, message: str) -> links.Notice:
        with self.store.transaction() as conn:
            links.settle(conn, self.project_id, seq)
            links.add_notice(conn, self.project_id, seq, reason, message)
        return links.Notice(seq, reason, message)

    # --- one round with the relay --------------------------------------------------------------

    async def _handle(
        self, msg: p.RelayMessage, conn: RelayConn, report: SyncReport, on_remote: OnRemote | None
    ) -> None:
        if isinstance(msg, p.Applied):
            mine = msg.client_id == self.link.client_id
            if not self.apply_remote(msg, mine):
                await self._resync(conn, report)
                return
            report.pulled += 1
            if on_remote is not None and not mine:
                on_remote(msg)
        elif isinstance(msg, p.Snapshot):
            self.reset(msg)
            report.resynced = True
        elif isinstance(msg, p.ResyncRequired):
            await self._resync(conn, report)
        elif isinstance(msg, p.Error):
            log.warning("relay error %s: %s", msg.code, msg.message)

    async def handle(
        self, conn: RelayConn, msg: p.RelayMessage, on_remote: OnRemote | None
    ) -> None:
        """One live message outside a round (the long-lived client's loop)."""
        report = SyncReport()
        await self.fetch_clips(conn, report, msg)  # before anyone is told of the op
        await self._handle(msg, conn, report, on_remote)
        for line in report.problems:
            log.warning("%s", line)

    async def _resync(self, conn: RelayConn, report: SyncReport) -> None:
        await conn.send(p.Resync())
        while True:
            msg = await conn.recv(30)
            if isinstance(msg, p.Snapshot):
                self.reset(msg)
                report.resynced = True
            elif isinstance(msg, p.Synced):
                return
            elif isinstance(msg, p.Applied):
                self.apply_remote(msg, msg.client_id == self.link.client_id)

    async def catch_up(
        self, conn: RelayConn, report: SyncReport, on_remote: OnRemote | None = None
    ) -> None:
        """After hello: take the relay's catch-up until it says ``synced``."""
        while True:
            msg = await conn.recv(30)
            if isinstance(msg, p.Synced):
                if msg.version != self.version:
                    await self._resync(conn, report)
                return
            await self._handle(msg, conn, report, on_remote)

    async def push(
        self, conn: RelayConn, report: SyncReport, on_remote: OnRemote | None = None
    ) -> None:
        """Send every pending op in order, each after the one before it was answered."""
        for q in links.pending(self.store.conn, self.project_id):
            seq, text = q.seq, q.op_json
            try:  # its clip goes first, so whoever applies the op can fetch it
                await clips.offer(conn, self.clips_dir, clips.inserted(unpack(text)[0]))
            except Offline:
                raise
            except CollabError as exc:
                report.problems.append(f"edit #{seq} stays pending: its clip was not sent: {exc}")
                report.retry += 1
                return
            while True:
                op, base, chained = unpack(text)
                kind, target = kind_of(text)
                if chained:  # decide the base now, once, and keep it for resends
                    base, chained = self._send_base(base if base is not None else 0), False
                    text = pack(op, base, chained, kind, target)
                    with self.store.transaction() as c:
                        links.set_pending(c, self.project_id, seq, text)
                wire = json.loads(encode_op(with_base(op, base)))
                await conn.send(p.Submit(seq, wire))
                answer = await self._answer(conn, seq, report, on_remote)
                if isinstance(answer, p.Ack):
                    if not self.apply_remote(answer, True):
                        await self._resync(conn, report)
                        with self.store.transaction() as c:
                            links.settle(c, self.project_id, seq)
                    report.acked.append((seq, answer.version))
                    break
                if isinstance(answer, p.Rejected) and answer.reason in RETRY_LATER:
                    report.retry += 1
                    return
                if isinstance(answer, p.ResyncRequired) or (
                    isinstance(answer, p.Rejected) and answer.reason == "future_version"
                ):
                    await self._resync(conn, report)
                    moved = self._rebase_after_resync(op, base)
                    if isinstance(moved, OpError):
                        why = f"{moved} (checked after a resync: the relay had compacted its log)"
                        report.rejected.append(self.refuse(seq, moved.code, why))
                        break
                    text = pack(moved, self.version, False, kind, target)
                    with self.store.transaction() as c:
                        seq = links.replace_pending(c, self.project_id, seq, text)
                    continue
                reason = answer.reason if isinstance(answer, p.Rejected) else answer.code
                report.rejected.append(self.refuse(seq, reason, answer.message))
                break

    def _rebase_after_resync(self, op: Op, base: int | None) -> Op | OpError:
        """Carry a pending op made at ``base`` onto the snapshot just taken.

        The relay could not rebase it (its log no longer reaches back to ``base``), so it is
        done here with the same rule: ``sync.rebase`` decides from the document's per-target
        stamps, which the snapshot carries, what changed since ``base`` (the op list it takes
        only has to account for every version in between). A clash is refused, never resent
        as if it had been made on the new state."""
        doc = self.session.document
        if base is None or base >= doc.version:
            return with_base(op, None)
        try:
            return rebase(with_base(op, base), [op] * (doc.version - base), doc)
        except OpError as exc:
            return exc

    async def _answer(
        self, conn: RelayConn, seq: int, report: SyncReport, on_remote: OnRemote | None
    ) -> p.Ack | p.Rejected | p.ResyncRequired | p.Error:
        while True:
            msg = await conn.recv(30)
            if isinstance(msg, p.Ack) and msg.seq == seq:
                return msg
            if isinstance(msg, p.Rejected) and msg.seq in (seq, None):
                return msg
            if isinstance(msg, p.ResyncRequired | p.Error):
                return msg
            await self._handle(msg, conn, report, on_remote)

    async def round(self, conn: RelayConn, on_remote: OnRemote | None = None) -> SyncReport:
        """Hello, catch up, push what is pending. The connection stays open."""
        report = SyncReport()
        welcome = await conn.hello(self.link.client_id, self.link.name, self.version)
        if welcome.name is not None and welcome.name != self.link.name:
            # share/join keep the relay's identity as the link's name, so this is a link made
            # by an older client: the relay's name is the one the room's log shows
            log.warning(
                "the relay knows this host as %r, the link as %r", welcome.name, self.link.name
            )
        await self.catch_up(conn, report, on_remote)
        await self.push(conn, report, on_remote)
        await self.fetch_clips(conn, report)
        with self.store.transaction() as c:
            links.mark_synced(c, self.project_id)
        return report

    async def watch(
        self,
        conn: RelayConn,
        on_remote: OnRemote | None = None,
        until: Callable[[], bool] | None = None,
    ) -> None:
        """Apply the room's edits as they come (``wordcut sync --watch``)."""
        report = SyncReport()
        while until is None or not until():
            try:
                msg = await conn.recv(1.0)
            except TimeoutError:
                if links.pending(self.store.conn, self.project_id):
                    await self.push(conn, report, on_remote)
                continue
            await self.fetch_clips(conn, report, msg)
            await self._handle(msg, conn, report, on_remote)


async def sync_once(
    replica: Replica, *, timeout: float = 5.0, on_remote: OnRemote | None = None
) -> SyncReport:
    """Connect, run one round, close. Raises :class:`Offline` when the relay is unreachable."""
    link = replica.link
    conn = await RelayConn.open(
        f"{link.relay_url}/v1/rooms/{link.room}", link.token, timeout=timeout
    )
    try:
        return await replica.round(conn, on_remote)
    except TimeoutError:
        raise Offline("the relay stopped answering") from None
    finally:
        await conn.close()
