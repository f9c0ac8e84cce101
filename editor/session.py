"""The local session: ``sync.authority``'s driver over the project library's SQLite.

``submit(op)`` takes the write lock (``BEGIN IMMEDIATE``), reads the op-log tail this process
has not seen and applies it (its listeners hear those changes), rebases the op onto that tail
with the relay's rebase, applies it, appends op + inverse with this installation's client id
and the next number of its persisted counter, and commits (``synchronous=FULL``); only then do
listeners hear the change. So several processes can edit one project at once (the app and a
CLI command, or eight CLI commands): each edit lands as its own version and nobody is told to
reopen. A failed persist puts the same document object back in place and tells nobody.

The app calls :meth:`LocalSession.refresh` (cheap: one indexed ``MAX(version)`` when nothing
changed) to pick up what other processes committed.

Undo and redo are per user and work over inverses: undo submits the stored inverse of the user's
latest undoable op as a new op (the log stays append-only and other users' edits are kept), redo
submits the inverse of that undo. A compound op (filler removal, pause shortening) is one entry.
The stacks are rebuilt from the op log when a session opens and follow every committed change
by this user, also one another process made, so ``wordcut undo`` works in a new process.

:class:`EditSession` is the interface the UI and the CLI use; the relay client will implement
the same one, so nothing above it needs to know whether the authority is local or remote.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import Protocol

from editor.errors import NothingToUndo, StoreError
from editor.store import Store, oplog
from editor.store.records import OpRecord
from sync.authority import Authority, Authorize, Submitted, allow_all
from sync.document import Document
from sync.errors import BadOpFormat, BadSnapshot, LogGap
from sync.events import Change, LogEntry, OpKind
from sync.ops import Op, decode_op, encode_op
from sync.snapshot import Snapshot, encode_snapshot, parse_snapshot

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 200
"""Ops between stored snapshots: bounds how many ops a load replays."""

Listener = Callable[[Change], None]


class EditSession(Protocol):
    """How the app edits a project, whoever the authority is (this process or a relay)."""

    @property
    def document(self) -> Document: ...

    @property
    def version(self) -> int: ...

    def submit(self, op: Op) -> int:
        """Apply ``op``; returns the version it produced once it is durable.

        Raises ``sync.errors.OpError`` subclasses for an invalid op (nothing changed)."""
        ...

    def undo(self) -> int:
        """Undo this user's latest edit; raises :class:`NothingToUndo`."""
        ...

    def redo(self) -> int:
        """Redo this user's latest undone edit; raises :class:`NothingToUndo`."""
        ...

    def can_undo(self) -> bool: ...

    def can_redo(self) -> bool: ...

    def refresh(self) -> tuple[Change, ...]:
        """Apply what others committed since; returns (and emits) those changes."""
        ...

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Call ``fn`` with every committed :class:`sync.events.Change`; returns a function
        that unsubscribes."""
        ...


class SqliteLog:
    """``sync.authority.LogStore`` over one project's rows of the library database."""

    def __init__(self, conn: sqlite3.Connection, project_id: str) -> None:
        self.conn = conn
        self.project_id = project_id
        self.snapshot_version = 0
        """The version of the snapshot :meth:`load` used (0: none)."""

    def append(self, entry: LogEntry) -> None:
        oplog.append(
            self.conn,
            self.project_id,
            version=entry.version,
            op_json=encode_op(entry.op).decode(),
            inverse_json=encode_op(entry.inverse).decode(),
            kind=entry.kind,
            author=entry.author,
            client_id=entry.client_id,
            client_seq=entry.seq,
            target_version=entry.target,
            digest=entry.digest,
        )

    def find(self, client_id: str, seq: int) -> LogEntry | None:
        record = oplog.by_client_seq(self.conn, self.project_id, client_id, seq)
        return None if record is None else _entry(record)

    def entries_after(self, version: int) -> Iterable[LogEntry]:
        for record in oplog.ops_after(self.conn, self.project_id, version):
            yield _entry(record)

    def load(self) -> tuple[Snapshot | None, Iterable[LogEntry]]:
        """The newest readable snapshot, falling back to older ones (then to none)."""
        for version, data in oplog.snapshots(self.conn, self.project_id):
            try:
                snap = parse_snapshot(data)
            except BadSnapshot as exc:
                log.warning(
                    "snapshot %s of project %s is unreadable: %s", version, self.project_id, exc
                )
                continue
            if snap.version != version:
                log.warning(
                    "snapshot %s of project %s says version %s",
                    version,
                    self.project_id,
                    snap.version,
                )
                continue
            self.snapshot_version = version
            return snap, self.entries_after(version)
        self.snapshot_version = 0
        return None, self.entries_after(0)


def _entry(r: OpRecord) -> LogEntry:
    try:
        op, inverse = decode_op(r.op), decode_op(r.inverse)
    except BadOpFormat as exc:
        raise StoreError(f"the project's edit {r.version} cannot be replayed: {exc}") from exc
    return LogEntry(
        version=r.version,
        op=op,
        inverse=inverse,
        author=r.author,
        client_id=r.client_id,
        seq=r.client_seq,
        kind=r.kind,
        target=r.target_version,
        digest=r.digest,
    )


def _open(store: Store, project_id: str, authorize: Authorize = allow_all) -> Authority:
    """The authority over the stored document; never a partial or empty stand-in."""
    try:
        return Authority.load(SqliteLog(store.conn, project_id), authorize=authorize)
    except LogGap as exc:
        raise StoreError(f"the project's edit log cannot be replayed: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the project's edits: {exc}") from exc


def load_document(store: Store, project_id: str) -> Document:
    """The project's document: the newest readable snapshot, then the ops after it.

    Raises :class:`StoreError` when the log cannot be replayed (it never returns a partial or
    empty document for a project that has edits: the caller must not save over stored data).
    """
    return _open(store, project_id).document


class LocalSession:
    """Drives one project's authority over the library; safe beside other processes doing so."""

    def __init__(
        self,
        store: Store,
        project_id: str,
        *,
        user: str = "local",
        client_id: str | None = None,
        document: Document | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
        authorize: Authorize | None = None,
    ) -> None:
        """``authorize`` defaults to the library's consent rule for overdubs in a host's voice
        (:func:`editor.overdub.consent.library_authorizer`)."""
        if authorize is None:
            from editor.overdub.consent import library_authorizer

            authorize = library_authorizer(store.conn)
        self.store = store
        self.project_id = project_id
        self.user = user
        self.client_id = client_id or oplog.local_client_id(store.conn)
        self.snapshot_every = snapshot_every
        self._log = SqliteLog(store.conn, project_id)
        if document is not None:
            self._auth = Authority(document, self._log, authorize=authorize)
            self._auth.absorb(self._log.entries_after(document.version))
        else:
            self._auth = _open(store, project_id, authorize)
        self._undo: list[tuple[int, Op]] = []
        self._redo: list[tuple[int, Op]] = []
        for r in oplog.author_history(store.conn, project_id, user):
            if r.version <= self._auth.version:
                self._track(r.kind, r.version, _entry(r).inverse)
        self._auth.subscribe(self._follow)

    # --- EditSession ------------------------------------------------------------------------

    @property
    def document(self) -> Document:
        """The live document; always this object (a failed save restores it in place)."""
        return self._auth.document

    @property
    def version(self) -> int:
        return self._auth.version

    @property
    def authority(self) -> Authority:
        return self._auth

    def submit(self, op: Op) -> int:
        """Apply ``op`` as made against the document this session shows now.

        Ops that other processes committed meanwhile are applied first and ``op`` is rebased
        onto them (``sync.rebase``), so an edit is refused only when it really conflicts."""
        base = op.base_version if op.base_version is not None else self._auth.version
        return self._commit(lambda: (op, base, "do", None)).version

    def undo(self) -> int:
        def pick() -> tuple[Op, int | None, OpKind, int | None]:
            if not self._undo:
                raise NothingToUndo(f"{self.user} has nothing to undo")
            target, inverse = self._undo[-1]
            return inverse, None, "undo", target

        return self._commit(pick).version

    def redo(self) -> int:
        def pick() -> tuple[Op, int | None, OpKind, int | None]:
            if not self._redo:
                raise NothingToUndo(f"{self.user} has nothing to redo")
            target, inverse = self._redo[-1]
            return inverse, None, "redo", target

        return self._commit(pick).version

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def refresh(self) -> tuple[Change, ...]:
        """Apply the ops other processes committed since this session last looked."""
        try:
            if oplog.head_version(self.store.conn, self.project_id) <= self._auth.version:
                return ()
            return self._catch_up()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the project's edits: {exc}") from exc

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        return self._auth.subscribe(fn)

    def snapshot_bytes(self) -> bytes:
        """The document's snapshot in its stored form."""
        return encode_snapshot(self._auth.document.snapshot())

    # --- internals --------------------------------------------------------------------------

    def _commit(self, make: Callable[[], tuple[Op, int | None, OpKind, int | None]]) -> Submitted:
        """Lock, catch up, submit, persist, commit; then the authority tells listeners."""
        auth = self._auth
        try:
            with self.store.transaction() as conn:
                self._catch_up()
                op, base, kind, target = make()
                seq = oplog.take_seq(conn)
                res = auth.submit(
                    self.client_id, seq, base, op, self.user, kind=kind, target=target
                )
                every = self.snapshot_every
                if every and res.version % every == 0:
                    data = encode_snapshot(auth.document.snapshot())
                    oplog.save_snapshot(conn, self.project_id, res.version, data)
        except BaseException:
            auth.rollback()
            raise
        auth.commit()
        return res

    def _catch_up(self) -> tuple[Change, ...]:
        try:
            return self._auth.absorb(self._log.entries_after(self._auth.version))
        except LogGap as exc:
            raise StoreError(f"the project's edit log cannot be replayed: {exc}") from exc

    def _follow(self, change: Change) -> None:
        """Keep this user's undo/redo stacks in step with every committed change."""
        e = change.entry
        if e is not None and e.author == self.user:
            self._track(e.kind, e.version, e.inverse)

    def _track(self, kind: str, version: int, inverse: Op) -> None:
        if kind == "do":
            self._undo.append((version, inverse))
            self._redo.clear()
        elif kind == "undo":
            if self._undo:
                self._undo.pop()
            self._redo.append((version, inverse))
        else:
            if self._redo:
                self._redo.pop()
            self._undo.append((version, inverse))
