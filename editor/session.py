"""The local session: the solo authority over one project's document.

``submit(op)`` validates the op against the document, applies it, persists it (op + inverse in
one ``BEGIN IMMEDIATE`` transaction with ``synchronous=FULL``), and only then notifies
listeners — so a returned ``submit`` survives ``kill -9`` and a listener never sees an edit that
was not saved. If persisting fails the in-memory document is reloaded from the store, so memory
and store never disagree.

Undo and redo are per user and work over inverses: undo submits the stored inverse of the user's
latest undoable op as a new op (the log stays append-only and other users' edits are kept), redo
submits the inverse of that undo. A compound op (filler removal, pause shortening) is one entry.
Both stacks are rebuilt from the op log when a session opens, so ``wordcut undo`` works in a new
process.

:class:`EditSession` is the interface the UI and the CLI use; the relay client will implement
the same one, so nothing above it needs to know whether the authority is local or remote.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import msgspec

from editor.errors import NothingToUndo, StoreError
from editor.store import Store, oplog
from editor.store.db import new_id
from editor.store.records import OpKind
from sync.document import Document
from sync.errors import BadOpFormat
from sync.ops import Op, op_from_dict, op_to_dict

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 200
"""Ops between stored snapshots: bounds how many ops a load replays."""


@dataclass(frozen=True, slots=True)
class Applied:
    """What listeners are told after an op is committed."""

    op: Op
    version: int
    author: str
    kind: OpKind


Listener = Callable[[Applied], None]


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

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Call ``fn`` after every committed op; returns a function that unsubscribes."""
        ...


def encode_op(op: Op) -> str:
    """The op's stored form: its versioned wire dict as compact JSON text."""
    return msgspec.json.encode(op_to_dict(op)).decode()


def decode_op(text: str) -> Op:
    """Parse a stored op; a corrupt row raises :class:`sync.errors.BadOpFormat`."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BadOpFormat(f"a stored op is not valid JSON: {exc}") from None
    return op_from_dict(data)


def load_document(store: Store, project_id: str) -> Document:
    """The project's document: the newest readable snapshot, then the ops after it.

    Raises :class:`StoreError` when the log cannot be replayed (it never returns a partial or
    empty document for a project that has edits: the caller must not save over stored data).
    """
    doc: Document | None = None
    for version, data in oplog.snapshots(store.conn, project_id):
        try:
            doc = Document.from_snapshot(msgspec.json.decode(data))
        except Exception as exc:  # a damaged snapshot: fall back to an older one
            log.warning("snapshot %s of project %s is unreadable: %s", version, project_id, exc)
            continue
        if doc.version != version:
            log.warning(
                "snapshot %s of project %s says version %s", version, project_id, doc.version
            )
            doc = None
            continue
        break
    if doc is None:
        doc = Document()
    for record in oplog.ops_after(store.conn, project_id, doc.version):
        if record.version != doc.version + 1:
            raise StoreError(
                f"the project's edit log has a gap at version {doc.version + 1}; "
                "it cannot be opened safely"
            )
        try:
            doc.apply(decode_op(record.op))
        except Exception as exc:
            raise StoreError(
                f"the project's edit {record.version} cannot be replayed: {exc}"
            ) from exc
    return doc


class LocalSession:
    """The solo authority: this process orders, applies and persists every op of one project."""

    def __init__(
        self,
        store: Store,
        project_id: str,
        *,
        user: str = "local",
        client_id: str | None = None,
        document: Document | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> None:
        self.store = store
        self.project_id = project_id
        self.user = user
        self.client_id = client_id or new_id()
        self.snapshot_every = snapshot_every
        self._doc = document if document is not None else load_document(store, project_id)
        self._seq = oplog.next_client_seq(store.conn, project_id, self.client_id)
        self._listeners: list[Listener] = []
        self._undo: list[tuple[int, str]] = []
        self._redo: list[tuple[int, str]] = []
        self._rebuild_history()

    # --- EditSession ------------------------------------------------------------------------

    @property
    def document(self) -> Document:
        return self._doc

    @property
    def version(self) -> int:
        return self._doc.version

    def submit(self, op: Op) -> int:
        version, inverse = self._commit(op, "do", None)
        self._undo.append((version, inverse))
        self._redo.clear()
        return version

    def undo(self) -> int:
        if not self._undo:
            raise NothingToUndo(f"{self.user} has nothing to undo")
        target, inverse = self._undo[-1]
        version, redo = self._commit(decode_op(inverse), "undo", target)
        self._undo.pop()
        self._redo.append((version, redo))
        return version

    def redo(self) -> int:
        if not self._redo:
            raise NothingToUndo(f"{self.user} has nothing to redo")
        target, inverse = self._redo[-1]
        version, undo = self._commit(decode_op(inverse), "redo", target)
        self._redo.pop()
        self._undo.append((version, undo))
        return version

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        self._listeners.append(fn)

        def unsubscribe() -> None:
            if fn in self._listeners:
                self._listeners.remove(fn)

        return unsubscribe

    # --- internals --------------------------------------------------------------------------

    def _commit(self, op: Op, kind: OpKind, target: int | None) -> tuple[int, str]:
        """Validate, apply, persist, notify; returns the new version and the inverse's JSON."""
        doc = self._doc
        inverse = doc.apply(op)  # validates first: a typed sync error leaves it unchanged
        version = doc.version
        try:
            op_json, inverse_json = encode_op(op), encode_op(inverse)
            with self.store.transaction() as conn:
                oplog.append(
                    conn,
                    self.project_id,
                    version=version,
                    op_json=op_json,
                    inverse_json=inverse_json,
                    kind=kind,
                    author=self.user,
                    client_id=self.client_id,
                    client_seq=self._seq,
                    target_version=target,
                )
                if self.snapshot_every and version % self.snapshot_every == 0:
                    oplog.save_snapshot(conn, self.project_id, version, self.snapshot_bytes())
        except BaseException:
            self._roll_back()
            raise
        self._seq += 1
        self._notify(Applied(op, version, self.user, kind))
        return version, inverse_json

    def snapshot_bytes(self) -> bytes:
        """The document's snapshot in its stored form."""
        return msgspec.json.encode(self._doc.snapshot())

    def _roll_back(self) -> None:
        """Put memory back in line with the store after an edit could not be saved.

        The document is rebuilt from what is stored rather than patched with the inverse, so
        version stamps and caches are exactly as before; it costs a load, on a rare path.
        """
        self._doc = load_document(self.store, self.project_id)

    def _notify(self, applied: Applied) -> None:
        for fn in list(self._listeners):
            try:
                fn(applied)
            except Exception:  # one broken view must not stop the others or undo the edit
                log.exception("a session listener failed")

    def _rebuild_history(self) -> None:
        for r in oplog.author_history(self.store.conn, self.project_id, self.user):
            if r.kind == "do":
                self._undo.append((r.version, r.inverse))
                self._redo.clear()
            elif r.kind == "undo":
                if self._undo:
                    self._undo.pop()
                self._redo.append((r.version, r.inverse))
            else:
                if self._redo:
                    self._redo.pop()
                self._undo.append((r.version, r.inverse))
