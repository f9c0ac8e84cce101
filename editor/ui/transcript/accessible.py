"""What assistive technology hears from the custom-painted transcript.

A painted widget has no text a screen reader can find, so the view gets its own accessible
interface: its role is a document, its name "Transcript", its description says how many
words it holds and how to edit, and its value is what matters while editing — the selected
words (with how many of them are struck), else the word playing. Every selection change is
announced as a value change (only while an assistive client is listening: it costs nothing
otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleInterface, QAccessibleValueChangeEvent
from PySide6.QtWidgets import QAccessibleWidget

from editor.viewmodel import Style

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView

_installed = False
SPOKEN_WORDS = 40
"""A selection longer than this is summarised (its first words and a count)."""


def describe_selection(view: TranscriptView) -> str:
    """The accessible value: the selected words and a count, else the playing word."""
    model = view.model
    sel = model.selection
    if sel is None:
        playing = model.playing
        tok = model.token(playing) if playing else None
        return f"playing: {tok.text}" if tok is not None else ""
    toks = model.selected_tokens(sel)
    struck = sum(1 for t in toks if t.style & Style.DELETED)
    words = " ".join(t.text for t in toks[:SPOKEN_WORDS])
    if len(toks) > SPOKEN_WORDS:
        words += " …"
    count = "1 word selected" if len(toks) == 1 else f"{len(toks)} words selected"
    if struck:
        count += ", all cut" if struck == len(toks) else f", {struck} cut"
    return f"{words} ({count})"


class TranscriptAccessible(QAccessibleWidget):
    def __init__(self, view: TranscriptView) -> None:
        super().__init__(view, QAccessible.Role.Document, "Transcript")
        self._view = view

    def text(self, t: QAccessible.Text) -> str:
        view = self._view
        if t == QAccessible.Text.Name:
            return view.accessibleName() or "Transcript"
        if t == QAccessible.Text.Value:
            return describe_selection(view)
        if t == QAccessible.Text.Description:
            n, p = len(view.model.words), len(view.model.paragraphs)
            return (
                f"{n} words in {p} paragraphs. Arrow keys move by word, Shift extends, "
                "Delete cuts, F2 corrects, Enter plays from the selection."
            )
        return super().text(t)


def _factory(key: str, obj: QObject) -> QAccessibleInterface | None:
    from editor.ui.transcript.view import TranscriptView

    if isinstance(obj, TranscriptView):
        return TranscriptAccessible(obj)
    return None


def install() -> None:
    """Register the interface factory once per process."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True


def announce_selection(view: TranscriptView) -> None:
    """Tell a listening screen reader the selection changed."""
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleValueChangeEvent(view, describe_selection(view)))
