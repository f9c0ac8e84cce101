"""The session of a linked project: edits go through the relay, reads see pending edits too.

``LinkedSession`` implements ``editor.session.EditSession`` so the CLI (and later the app)
edits a shared project exactly like a solo one. ``submit`` keeps the edit durably as pending,
then tries one round with the relay: acknowledged → returns its version; refused → the typed
``sync`` error with the relay's reason (nothing changed); relay unreachable → the edit stays
pending (``wordcut sync`` sends it later) and :attr:`notices` says so. ``document`` is the
relay's order plus this user's pending edits applied on a copy, so ``wordcut transcript`` shows
what the user did while offline. Undo and redo are per user: the inverse of this user's latest
edit (from the relay-ordered log, the co-host's edits left alone) is sent as a new op marked
``undo``/``redo``, so the stacks stay right with remote ops interleaved; they need a connection
(no pending edits) because an undo must follow the edit it undoes.

Network rounds run ``asyncio.run`` on the calling thread: right for the CLI. The app will use
``editor.collab.client.CollabClient`` (the same replica on its own asyncio thread) instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from editor.collab import clips
from editor.collab.conn import Offline
from editor.collab.replica import Replica, SyncReport, sync_once
from editor.errors import CollabError, NothingToUndo
from editor.session import Listener, LocalSession
from editor.store import Store, links, oplog
from sync import errors as se
from sync.authority import allow_all
from sync.document import Document
from sync.events import Change, OpKind
from sync.ops import Op, decode_op, with_base

log = logging.getLogger(__name__)

REASONS: dict[str, type[se.SyncError]] = {
    "conflict": se.Conflict,
    "unknown_target": se.UnknownTarget,
    "invalid_range": se.InvalidRange,
    "forbidden": se.Forbidden,
    "future_version": se.FutureVersion,
}


class LinkedSession:
    def __init__(self, store: Store, project_id: str, *, timeout: float = 3.0) -> None:
        link = links.get(store.conn, project_id)
        if link is None:
            raise CollabError("this project is not linked to a relay")
        self.local = LocalSession(store, project_id, user=link.name, authorize=allow_all)
        self.replica = Replica(store, project_id, self.local)
        self.store = store
        self.project_id = project_id
        self.timeout = timeout
        self.notices: list[str] = []
        self.online: bool | None = None
        self._view: tuple[tuple[int, int], Document] | None = None

    @property
    def user(self) -> str:
        return self.local.user

    # --- network ---------------------------------------------------------------------------

    def sync(self) -> SyncReport | None:
        """One round with the relay; ``None`` (and a notice) when it cannot be reached."""
        try:
            report = asyncio.run(sync_once(self.replica, timeout=self.timeout))
        except Offline as exc:
            self.online = False
            n = len(self.replica.pending())
            self.notices.append(f"working offline ({exc}); {n} edit(s) pending")
            lacking = clips.offline_note(self.replica.clips_dir, self.document.overdubs)
            if lacking is not None:
                self.notices.append(lacking)
            return None
        self.online = True
        self._view = None
        for note in report.rejected:
            self.notices.append(
                f"the relay refused edit #{note.seq} ({note.reason}): {note.message}"
            )
        self.notices.extend(report.problems)
        if report.retry:
            self.notices.append(f"the relay is busy; {report.retry} edit(s) stay pending")
        return report

    # --- EditSession -----------------------------------------------------------------------

    @property
    def document(self) -> Document:
        pending = self.replica.pending()
        if not pending:
            return self.local.document
        key = (self.local.version, pending[-1][0])
        if self._view is None or self._view[0] != key:
            view = Document.from_snapshot(self.local.document.snapshot())
            for _, op in pending:
                try:
                    view.apply(with_base(op, None))
                except se.OpError:
                    continue  # the relay will refuse it too; the notice comes then
            self._view = (key, view)
        return self._view[1]

    @property
    def version(self) -> int:
        return self.local.version

    def submit(self, op: Op) -> int:
        """Send ``op`` through the relay; see the module docstring for the three outcomes."""
        return self._send(op, "do", None)

    def _send(self, op: Op, kind: OpKind, target: int | None) -> int:
        if self.replica.link.role == "viewer":
            raise se.Forbidden("this project is shared with you as a viewer: you cannot edit it")
        self.document.validate(with_base(op, None))  # refuse nonsense before keeping it
        seq = self.replica.record(op, kind, target)
        report = self.sync()
        if report is None:
            return self.version + len(self.replica.pending())
        for s, version in report.acked:
            if s == seq:
                self.notices = [n for n in self.notices if f"#{seq} " not in n]
                return version
        for note in report.rejected:
            if note.seq == seq:  # said once, by the error itself
                self.notices = [n for n in self.notices if f"#{seq} " not in n]
                with self.store.transaction() as conn:
                    links.mark_shown(conn, self.project_id, seq)
                raise REASONS.get(note.reason, se.Conflict)(
                    f"the relay refused the edit ({note.reason}): {note.message}"
                )
        return self.version

    def _stacks(self) -> tuple[list[tuple[int, Op]], list[tuple[int, Op]]]:
        """This user's undo and redo stacks, from the relay-ordered log (the co-host's edits
        in between are kept: an undo is the inverse of this user's own edit, submitted as a
        new op and rebased like any other)."""
        undo: list[tuple[int, Op]] = []
        redo: list[tuple[int, Op]] = []
        for r in oplog.author_history(self.store.conn, self.project_id, self.replica.link.name):
            inverse = decode_op(r.inverse)
            if r.kind == "do":
                undo.append((r.version, inverse))
                redo.clear()
            elif r.kind == "undo":
                if undo:
                    undo.pop()
                redo.append((r.version, inverse))
            else:
                if redo:
                    redo.pop()
                undo.append((r.version, inverse))
        return undo, redo

    def _history_op(self, which: int) -> tuple[int, Op]:
        if self.replica.pending():
            raise NothingToUndo("edits are still pending; run `wordcut sync` before undoing")
        stack = self._stacks()[which]
        if not stack:
            raise NothingToUndo(f"{self.user} has nothing to {'undo' if which == 0 else 'redo'}")
        return stack[-1]

    def undo(self) -> int:
        target, inverse = self._history_op(0)
        return self._send(inverse, "undo", target)

    def redo(self) -> int:
        target, inverse = self._history_op(1)
        return self._send(inverse, "redo", target)

    def can_undo(self) -> bool:
        return bool(self._stacks()[0])

    def can_redo(self) -> bool:
        return bool(self._stacks()[1])

    def refresh(self) -> tuple[Change, ...]:
        return self.local.refresh()

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        return self.local.subscribe(fn)

    def take_notices(self) -> list[str]:
        """Notices to show once: this run's, and refusals recorded by earlier runs."""
        out, self.notices = self.notices, []
        with self.store.transaction() as conn:
            for n in links.unshown_notices(conn, self.project_id):
                line = f"the relay refused edit #{n.seq} ({n.reason}): {n.message}"
                if line not in out:
                    out.append(line)
            links.mark_shown(conn, self.project_id)
        return out
