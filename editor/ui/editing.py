"""Edits from the window: the transcript view's and panels' requests become ops on the session.

The view never submits anything; it asks (cut these runs, restore those, correct this word) and
this controller builds the ``sync.ops`` op, submits it through the project's session (validated,
persisted, then announced), and lets the committed change flow back: the transcript model
applies it, the EDL is derived again, and the waveform and playback are told. A refused op (a
stale range, an empty correction) reaches the user as one line through the error route and
changes nothing.

The derived EDL and programme map are cached per document version, so several readers after one
edit (waveform, playback, the selection shading) derive once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from editor.errors import NothingToUndo
from editor.project import OpenProject
from render.edl import Edl
from sync.derive import ProgramMap
from sync.ops import Compound, Correct, Delete, Op, RenameSection, ReorderSection, Restore

log = logging.getLogger(__name__)

SETTLE_MS = 120


class EditController(QObject):
    """Owns the link between one open project's session and the widgets showing it."""

    committed = Signal(object)
    """A change is durable and applied: ``(change)`` as the session announced it."""
    programmeChanged = Signal()
    """The EDL may differ: views re-read :meth:`edl` / :meth:`programme_map`."""
    historyChanged = Signal(bool, bool)
    """``(can_undo, can_redo)``."""
    tracksChanged = Signal()
    """A track's gain, mute, offset or media changed, or a track was added."""
    settled = Signal()
    """Edits have paused for :data:`SETTLE_MS`: time for the work that needs the programme map
    (section times, filler times, the playing word when paused) — it costs tens of ms on a
    15,000-word episode, so it must not sit between a keypress and its repaint."""

    def __init__(
        self,
        project: OpenProject,
        model: Any,
        report: Callable[[BaseException], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.model = model
        self._report = report
        self._edl: tuple[int, Edl] | None = None
        self._map: tuple[int, ProgramMap] | None = None
        self.opened_version = project.session.version
        self._unsubscribe = project.session.subscribe(self._on_change)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.settled.emit)

    # --- derived state ----------------------------------------------------------------------

    @property
    def document(self) -> Any:
        return self.project.document

    @property
    def version(self) -> int:
        return int(self.project.session.version)

    @property
    def modified(self) -> bool:
        """Edited since the window opened (every edit is already saved)."""
        return self.version != self.opened_version

    def edl(self) -> Edl:
        version = self.version
        if self._edl is None or self._edl[0] != version:
            self._edl = (version, self.project.edl())
        return self._edl[1]

    def programme_map(self) -> ProgramMap:
        version = self.version
        if self._map is None or self._map[0] != version:
            self._map = (version, self.project.program_map(self.edl()))
        return self._map[1]

    def clip_seconds(self) -> list[float]:
        """Overdub durations in the order the EDL plays them (for the waveform's layout)."""
        doc = self.document
        ordered = sorted(doc.overdubs, key=lambda o: (doc.program_position(o.after_word), o.id))
        return [float(o.duration) for o in ordered]

    def programme_span(self, first: str, last: str) -> tuple[float, float] | None:
        """Programme seconds from the first kept word of a range to the last (None if all cut)."""
        pmap = self.programme_map()
        doc = self.document
        ids = doc.range_ids(first, last) if first != last else [first]
        spans = [s for s in (pmap.word_span(w) for w in ids) if s is not None]
        if not spans:
            return None
        return min(a for a, _ in spans), max(b for _, b in spans)

    # --- edits ------------------------------------------------------------------------------

    def submit(self, op: Op) -> bool:
        """Submit ``op``; a refused one is reported and changes nothing. True when committed."""
        try:
            self.project.session.submit(op)
        except Exception as exc:
            self._report(exc)
            return False
        self._history_changed()
        return True

    def cut(self, runs: Sequence[tuple[str, str]]) -> bool:
        return self._runs(runs, Delete, "cut")

    def restore(self, runs: Sequence[tuple[str, str]]) -> bool:
        return self._runs(runs, Restore, "restore")

    def _runs(self, runs: Sequence[tuple[str, str]], kind: type[Any], name: str) -> bool:
        runs = [(str(r[0]), str(r[1])) for r in runs]
        if not runs:
            return False
        if len(runs) == 1:
            return self.submit(kind(*runs[0]))
        return self.submit(Compound(f"{name} {len(runs)} ranges", tuple(kind(*r) for r in runs)))

    def correct(self, word_id: str, text: str) -> bool:
        text = text.strip()
        if not text or text == self.document.text_of(word_id):
            return False
        return self.submit(Correct(word_id, text))

    def rename_section(self, section_id: str, name: str) -> bool:
        name = name.strip()
        if not name or name == self.document.section(section_id).name:
            return False
        return self.submit(RenameSection(section_id, name))

    def move_section(self, section_id: str, index: int) -> bool:
        if self.document.section_index(section_id) == index:
            return False
        return self.submit(ReorderSection(section_id, index))

    def undo(self) -> bool:
        return self._history(self.project.session.undo)

    def redo(self) -> bool:
        return self._history(self.project.session.redo)

    def _history(self, fn: Callable[[], int]) -> bool:
        try:
            fn()
        except NothingToUndo:
            return False
        except Exception as exc:
            self._report(exc)
            return False
        self._history_changed()
        return True

    def _history_changed(self) -> None:
        # The session updates its stacks after it announced the change: read them now.
        self.historyChanged.emit(self.can_undo(), self.can_redo())

    def can_undo(self) -> bool:
        return bool(self.project.session.can_undo())

    def can_redo(self) -> bool:
        return bool(self.project.session.can_redo())

    # --- changes ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Pick up ops another process committed (a transcription job), then show them."""
        refresh = getattr(self.project.session, "refresh", None)
        if refresh is not None:
            refresh()  # announces each picked-up change through _on_change
        else:
            from editor.session import LocalSession

            self._unsubscribe()
            self.project.session = LocalSession(
                self.project.store, self.project.id, user=self.project.session.user
            )
            self._unsubscribe = self.project.session.subscribe(self._on_change)
            self.model.reset(self.project.document)
            self._after_change(None)

    def invalidate(self) -> None:
        """The tracks changed outside the document (gain, mute, a new track): derive again."""
        self._edl = None
        self._map = None
        self.tracksChanged.emit()
        self.programmeChanged.emit()
        self._settle.start()

    def _on_change(self, change: Any) -> None:
        self.model.apply(change)
        self._after_change(change)

    def _after_change(self, change: Any) -> None:
        self._edl = None
        self._map = None
        if change is not None:
            self.committed.emit(change)
        self.programmeChanged.emit()
        self.historyChanged.emit(self.can_undo(), self.can_redo())
        self._settle.start()

    def close(self) -> None:
        self._unsubscribe()
