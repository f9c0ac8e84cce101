"""Hover help on the transcript: why a word looks the way it does.

Only marked tokens answer (a tooltip on every plain word would be noise): how unsure the
recogniser was, what a corrected word was heard as, that a word is a filler or cut, how long a
pause is and what is kept of it, whether a clip was generated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QToolTip

from editor.viewmodel import Kind, Style, Token
from editor.viewmodel.tokens import format_clock, format_seconds

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView

_MARKS = Style.DELETED | Style.FILLER | Style.LOW_CONFIDENCE | Style.CORRECTED


def token_at(view: TranscriptView, pos: QPointF) -> Token | None:
    """The token exactly under a viewport point, if any."""
    x, y = view.to_document(pos.x(), pos.y())
    hit = view.doc_layout.hit(x, y)
    if hit is None or hit.token is None or not hit.exact:
        return None
    return view.model.paragraphs[hit.para].tokens[hit.token]


def tooltip_for(view: TranscriptView, tok: Token) -> str | None:
    doc = view.model.document
    if tok.kind is Kind.PAUSE:
        gap = view.model.pause_length(tok.word)
        kept = doc.pause_after(tok.word)
        text = f"Pause of {format_seconds(gap)}" if gap is not None else "Pause"
        if kept is not None and gap is not None and kept < gap:
            text += f", shortened to {format_seconds(kept)}"
        return text + (" (cut)" if tok.style & Style.DELETED else "")
    if tok.kind is Kind.OVERDUB:
        kind = "Generated overdub" if tok.style & Style.GENERATED else "Inserted clip"
        return f"{kind}: “{tok.text}”"
    if not tok.style & _MARKS:
        return None
    word = doc.word(tok.key)
    lines: list[str] = []
    if tok.style & Style.DELETED:
        lines.append("Cut (select it and press Delete, or Ctrl+Shift+R, to restore)")
    if tok.style & Style.FILLER:
        lines.append("Filler word")
    if tok.style & Style.LOW_CONFIDENCE:
        lines.append(f"Unsure transcription ({word.confidence:.0%}): worth a listen")
    if tok.style & Style.CORRECTED:
        lines.append(f"Corrected; heard as “{word.text}”")
    lines.append(f"at {format_clock(word.start)}")
    return "\n".join(lines)


def show(view: TranscriptView, event: QHelpEvent) -> None:
    """Answer a tooltip event on the viewport: the help for the token under the pointer."""
    tok = token_at(view, QPointF(event.pos()))
    text = tooltip_for(view, tok) if tok is not None else None
    if text:
        QToolTip.showText(event.globalPos(), text, view.viewport())
    else:
        QToolTip.hideText()
        event.ignore()
