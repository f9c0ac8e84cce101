"""The authority: orders edits, rebases them, applies them, and says what changed once durable.

One object serves the solo app (``editor.session`` drives it over the library's SQLite) and the
co-editing relay (drives it over its own store). It does no I/O of its own: storage sits behind
the small :class:`LogStore` protocol, and the driver owns the transaction. The life of a batch::

    try:
        with driver_transaction():                       # e.g. BEGIN IMMEDIATE
            for msg in batch:
                auth.submit(client_id, seq, base, op, author)   # applied in memory, appended
    except BaseException:
        auth.rollback()        # the SAME Document object back at the last commit, no events
        raise
    changes = auth.commit()    # now, and only now, listeners hear the typed events

``submit`` checks, in this order: the envelope (a client id, a positive seq, a base version,
an op record) → idempotency (a resend of a committed or pending ``(client_id, seq)`` returns
the original entry with ``duplicate=True`` and changes nothing; the same key with a different
op raises ``SeqReuse``) → ``authorize(author, op)`` (a reason string refuses with
``Forbidden``) → the base version (newer than ours: ``FutureVersion``; older than what can still
be rebased from: ``ResyncRequired``) → ``sync.rebase`` onto every op applied since the base
(the same rule everywhere; a refusal is ``Conflict``) → ``Document.apply`` (validation errors
such as ``UnknownTarget`` / ``InvalidRange``) → ``LogStore.append``. Every refusal raises a
``sync.errors`` class whose ``code`` is the wire reason, and leaves memory and storage as they
were. Versions are gap-free: entry ``n`` always follows entry ``n - 1``.

Ops committed by someone else (another process writing the same SQLite library) come in
through :meth:`Authority.absorb`, which applies them at their stored versions and emits their
events like any other committed change.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from sync.document import Document, Savepoint
from sync.errors import (
    BadOpFormat,
    Forbidden,
    FutureVersion,
    LogGap,
    OpError,
    ResyncRequired,
    SeqReuse,
)
from sync.events import Change, Event, LogEntry, OpKind
from sync.ops import (
    MAX_COMPOUND_DEPTH,
    Op,
    compound_depth,
    is_op,
    op_digest,
    type_name,
    with_base,
)
from sync.rebase import rebase, was_adjusted
from sync.snapshot import Snapshot

log = logging.getLogger(__name__)

WINDOW = 4096
"""Committed entries kept in memory for rebasing and resends; older ones come from storage."""

Authorize = Callable[[str, Op], str | None]
"""``authorize(author, op)``: ``None`` allows the edit; a string is the reason it is refused."""

Listener = Callable[[Change], None]


class LogStore(Protocol):
    """What the authority needs from storage. All calls happen inside the driver's transaction
    (``append``) or while it holds the document (the rest); none may change the document."""

    def append(self, entry: LogEntry) -> None:
        """Record ``entry`` (op, inverse, author, client id, seq, version) with the batch.

        It must not be visible to anyone until the driver commits; raising makes ``submit``
        undo the op in memory and re-raise."""
        ...

    def find(self, client_id: str, seq: int) -> LogEntry | None:
        """The committed entry submitted under ``(client_id, seq)``, if any."""
        ...

    def entries_after(self, version: int) -> Iterable[LogEntry]:
        """Committed entries with a version above ``version``, in order (may start later when
        the log was compacted; the authority then answers ``ResyncRequired``)."""
        ...

    def load(self) -> tuple[Snapshot | None, Iterable[LogEntry]]:
        """The newest readable snapshot (``None``: start empty) and the entries after it."""
        ...


@dataclass(frozen=True, slots=True)
class Submitted:
    """``submit``'s answer: the entry to acknowledge once the batch is committed."""

    entry: LogEntry
    duplicate: bool = False
    """A resend: ``entry`` is the original (already committed or pending); nothing was done."""
    adjusted: bool = False
    """Rebasing changed what the op does (narrowed it, or made it a no-op): tell the author."""

    @property
    def version(self) -> int:
        return self.entry.version


def allow_all(author: str, op: Op) -> str | None:
    """The default ``authorize``: everyone may make every edit."""
    return None


class Authority:
    """Orders, rebases, applies and commits the ops of one document. Not thread-safe."""

    def __init__(
        self,
        document: Document,
        storage: LogStore,
        *,
        authorize: Authorize = allow_all,
        window: int = WINDOW,
    ) -> None:
        self._doc = document
        self._storage = storage
        self._authorize = authorize
        self._recent: deque[LogEntry] = deque(maxlen=max(1, window))
        self._seen: dict[tuple[str, int], LogEntry] = {}
        self._pending: list[tuple[LogEntry, tuple[Event, ...]]] = []
        self._pending_keys: dict[tuple[str, int], LogEntry] = {}
        self._batch: Savepoint | None = None
        self._committed = document.version
        self._listeners: list[Listener] = []

    @classmethod
    def load(
        cls, storage: LogStore, *, authorize: Authorize = allow_all, window: int = WINDOW
    ) -> Authority:
        """An authority over the document ``storage`` holds (snapshot, then its tail)."""
        snapshot, tail = storage.load()
        doc = Document() if snapshot is None else Document.from_snapshot(snapshot)
        auth = cls(doc, storage, authorize=authorize, window=window)
        auth._replay(tail, emit=False)
        return auth

    # --- reading -----------------------------------------------------------------------------

    @property
    def document(self) -> Document:
        """The live document (always this object; ``rollback`` restores it in place)."""
        return self._doc

    @property
    def version(self) -> int:
        """The document's version, pending ops included."""
        return self._doc.version

    @property
    def committed_version(self) -> int:
        """The version of the last committed change."""
        return self._committed

    @property
    def pending(self) -> tuple[LogEntry, ...]:
        """Entries applied in memory and appended, waiting for the driver's commit."""
        return tuple(e for e, _ in self._pending)

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Call ``fn(change)`` for every committed change, in version order; returns an
        unsubscribe function. A listener that raises is logged and skipped."""
        self._listeners.append(fn)

        def unsubscribe() -> None:
            if fn in self._listeners:
                self._listeners.remove(fn)

        return unsubscribe

    # --- submitting --------------------------------------------------------------------------

    def submit(
        self,
        client_id: str,
        seq: int,
        base_version: int | None,
        op: Op,
        author: str,
        *,
        kind: OpKind = "do",
        target: int | None = None,
    ) -> Submitted:
        """Check, rebase, apply and append one op (see the module docstring for the order).

        ``base_version`` is the version the author saw (``None``: "whatever is current", for
        a local edit made against the live document). Raises a ``sync.errors`` class on
        refusal; on success the op is pending until :meth:`commit`.
        """
        _check_envelope(client_id, seq, base_version, op, author)
        request = with_base(op, base_version)
        digest = op_digest(request)
        key = (client_id, seq)
        prior = self._pending_keys.get(key) or self._find(key)
        if prior is not None:
            if prior.digest and prior.digest != digest:
                raise SeqReuse(
                    f"client {client_id!r} already used seq {seq} for another op "
                    f"(version {prior.version})"
                )
            return Submitted(prior, duplicate=True)
        reason = self._authorize(author, op)
        if reason is not None:
            raise Forbidden(f"{author or 'this user'} may not {type_name(op)}: {reason}")
        if base_version is not None and base_version > self._doc.version:
            raise FutureVersion(
                f"{type_name(op)} was made at version {base_version}, after this document's "
                f"{self._doc.version}; resync"
            )
        concurrent = [] if base_version is None else self._since(base_version)
        applied = rebase(request, concurrent, self._doc)
        if self._batch is None:
            self._batch = self._doc.savepoint()
        point = self._doc.savepoint()
        events: list[Event] = []
        try:
            inverse = self._doc.apply(applied, events)
        except OpError:
            self._close_if_idle()
            raise
        entry = LogEntry(
            version=self._doc.version,
            op=applied,
            inverse=inverse,
            author=author,
            client_id=client_id,
            seq=seq,
            kind=kind,
            target=target,
            digest=digest,
        )
        try:
            self._storage.append(entry)
        except BaseException:
            self._doc.rollback_to(point)
            self._close_if_idle()
            raise
        self._pending.append((entry, tuple(events)))
        self._pending_keys[key] = entry
        return Submitted(entry, adjusted=was_adjusted(request, applied))

    def commit(self) -> tuple[Change, ...]:
        """The driver's transaction committed: make the batch permanent and tell listeners."""
        done, self._pending = self._pending, []
        self._pending_keys.clear()
        self._release()
        changes = tuple(Change(e.version, events, e) for e, events in done)
        for e, _ in done:
            self._remember(e)
        self._committed = self._doc.version
        self._notify(changes)
        return changes

    def rollback(self) -> None:
        """The driver's transaction failed: undo the whole batch in place; nobody is told."""
        if self._batch is not None:
            self._doc.rollback_to(self._batch)
        self._pending.clear()
        self._pending_keys.clear()
        self._release()

    # --- what others committed ---------------------------------------------------------------

    def absorb(self, entries: Iterable[LogEntry]) -> tuple[Change, ...]:
        """Apply entries already committed to storage by another writer; returns (and emits)
        their changes. Entries at or below the committed version are skipped; one that does not
        follow raises ``LogGap`` (the ones before it stay applied: they are committed)."""
        if self._pending:
            raise RuntimeError("absorb: commit or roll back the pending batch first")
        return self._replay(entries, emit=True)

    def reset(self, snapshot: Snapshot) -> Change:
        """Replace the whole document, in place, with ``snapshot`` (a resync or a reload).

        Listeners get one change holding a ``Reset`` event; the resend window is cleared (older
        keys are looked up in storage)."""
        if self._pending:
            raise RuntimeError("reset: commit or roll back the pending batch first")
        self._doc.restore(snapshot)
        self._recent.clear()
        self._seen.clear()
        self._committed = self._doc.version
        change = Change.reset(self._doc.version)
        self._notify((change,))
        return change

    # --- internals ---------------------------------------------------------------------------

    def _replay(self, entries: Iterable[LogEntry], *, emit: bool) -> tuple[Change, ...]:
        out: list[Change] = []
        try:
            for e in entries:
                if e.version <= self._doc.version:
                    continue
                if e.version != self._doc.version + 1:
                    raise LogGap(f"the log jumps from version {self._doc.version} to {e.version}")
                events: list[Event] | None = [] if emit else None
                try:
                    self._doc.apply(with_base(e.op, None), events)
                except OpError as exc:
                    raise LogGap(f"stored edit {e.version} does not apply: {exc}") from exc
                self._remember(e)
                self._committed = self._doc.version
                if emit:
                    out.append(Change(e.version, tuple(events or ()), e))
        finally:
            changes = tuple(out)
            self._notify(changes)
        return changes

    def _find(self, key: tuple[str, int]) -> LogEntry | None:
        hit = self._seen.get(key)
        if hit is not None:
            return hit
        recent = self._recent
        if recent and recent[0].version == 1 and len(recent) < (recent.maxlen or 0):
            return None  # the whole log is in memory: storage cannot know more
        return self._storage.find(*key)

    def _since(self, base: int) -> list[Op]:
        """The ops applied after version ``base`` (committed and pending), oldest first."""
        head = self._doc.version
        if base == head:
            return []
        pending = [e.op for e, _ in self._pending]
        committed_from = base + 1
        if committed_from > self._committed:
            return pending[committed_from - self._committed - 1 :]
        recent = self._recent
        if recent and recent[0].version <= committed_from:
            start = committed_from - recent[0].version
            ops = [e.op for e in islice(recent, start, None)]
        else:
            ops = [e.op for e in self._storage.entries_after(base) if e.version <= self._committed]
            first = self._committed - len(ops) + 1
            if len(ops) != self._committed - base or (ops and first != committed_from):
                raise ResyncRequired(
                    f"version {base} is older than the log this document keeps; resync",
                    self._committed,
                )
        return ops + pending

    def _remember(self, entry: LogEntry) -> None:
        recent = self._recent
        if len(recent) == recent.maxlen:
            old = recent[0]
            self._seen.pop((old.client_id, old.seq), None)
        recent.append(entry)
        self._seen[(entry.client_id, entry.seq)] = entry

    def _release(self) -> None:
        self._batch = None
        self._doc.release()

    def _close_if_idle(self) -> None:
        if not self._pending:
            self._release()

    def _notify(self, changes: Sequence[Change]) -> None:
        for change in changes:
            for fn in list(self._listeners):
                try:
                    fn(change)
                except Exception:  # a broken view must not stop the others or undo the edit
                    log.exception("a change listener failed on version %s", change.version)


def _check_envelope(
    client_id: object, seq: object, base: object, op: object, author: object
) -> None:
    if not isinstance(client_id, str) or not client_id:
        raise BadOpFormat("submit: the client id must be a non-empty string")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise BadOpFormat(f"submit: seq must be a positive integer, not {seq!r}")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 0):
        raise BadOpFormat(f"submit: base_version must be a version number, not {base!r}")
    if not isinstance(author, str):
        raise BadOpFormat("submit: the author must be a string")
    if not is_op(op):
        raise BadOpFormat(f"submit: not an op: {type(op).__name__}")
    if compound_depth(op) > MAX_COMPOUND_DEPTH:  # type: ignore[arg-type]
        raise BadOpFormat(f"submit: compound ops nested deeper than {MAX_COMPOUND_DEPTH}")
