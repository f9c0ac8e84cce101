"""Shorten pauses: every silence longer than X kept at Y, previewed (how many, how much time
it saves) before it is applied as one undoable edit (``sync.cleanup.shorten_pauses``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sync import cleanup
from sync.document import Document
from sync.errors import SyncError
from sync.ops import Compound, SetPause

if TYPE_CHECKING:
    from editor.ui.main_window import EditorWindow


def seconds_saved(doc: Document, op: Compound) -> float:
    """How much shorter the programme gets when ``op``'s pause edits are applied."""
    saved = 0.0
    pauses = doc.pauses
    for part in op.ops:
        if isinstance(part, SetPause) and part.duration is not None:
            a, b = doc.gap_after(part.after_word)
            current = pauses.get(part.after_word)
            now = (b - a) if current is None else min(current, b - a)
            saved += max(0.0, now - part.duration)
    return saved


def _spin(value: float, lo: float, hi: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(2)
    box.setSingleStep(0.1)
    box.setSuffix(" s")
    box.setValue(value)
    return box


class PausesPanel(QWidget):
    def __init__(self, window: EditorWindow) -> None:
        super().__init__()
        self.w = window
        self.longer = _spin(1.0, 0.1, 30.0)
        self.longer.setAccessibleName("Pauses longer than")
        self.to = _spin(0.5, 0.0, 29.0)
        self.to.setAccessibleName("Shorten to")
        form = QFormLayout()
        form.addRow("Pauses longer than", self.longer)
        form.addRow("Shorten to", self.to)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.apply_button = QPushButton("Shorten Pauses")
        self.apply_button.clicked.connect(self.apply)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.apply_button)
        layout.addStretch(1)
        self.longer.valueChanged.connect(lambda _: self.refresh())
        self.to.valueChanged.connect(lambda _: self.refresh())

    def plan(self) -> tuple[Compound | None, str]:
        doc = self.w.controller.document
        try:
            op = cleanup.shorten_pauses(doc, self.longer.value(), self.to.value())
        except SyncError as exc:
            return None, str(exc)
        n = len(op.ops)
        if not n:
            return None, f"No pause is longer than {self.longer.value():g} s."
        saved = seconds_saved(doc, op)
        return op, f"{n} pause{'s' if n != 1 else ''} to shorten, saving {saved:.1f} s."

    def refresh(self) -> None:
        op, text = self.plan()
        self.preview.setText(text)
        self.apply_button.setEnabled(op is not None)

    def apply(self) -> bool:
        op, _ = self.plan()
        return op is not None and self.w.controller.submit(op)
