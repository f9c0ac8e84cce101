"""Where the transcript scrolls to: following a word, and staying put across a relayout.

Viewport y of document y is ``y - value + TOP_PAD`` (the scroll bar's value, and a little
padding above the first heading). A relayout (a new width, hiding struck words) keeps the first
word shown where it was, unless the view was at the very top, which stays the top; a followed
word (the playhead) is brought a third of the way down, so it does not crawl along an edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from editor.viewmodel import Token

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView

TOP_PAD = 18.0
FOLLOW_AT = 1 / 3


def anchor(view: TranscriptView) -> tuple[Token, float] | None:
    """The first word shown and its viewport y (``None`` at the top, or before any layout)."""
    if view.verticalScrollBar().value() == 0 or not view.laid_out:
        return None
    lay = view.doc_layout
    hit = lay.hit(0.0, view.scroll_y() + TOP_PAD)
    if hit is None or hit.token is None:
        return None
    tok = lay.paragraphs[hit.para].tokens[hit.token]
    r = view.token_rect(tok)
    return (tok, r.top()) if r is not None else None


def restore_anchor(view: TranscriptView, kept: tuple[Token, float] | None) -> None:
    """Scroll so the anchored word sits at the viewport y it had."""
    if kept is None:
        return
    tok, y = kept
    lay = view.doc_layout
    r = lay.token_rect(tok.para, tok.index)
    doc_y = r[1] if r is not None else lay.tops[tok.para]
    view.verticalScrollBar().setValue(int(doc_y + TOP_PAD - y))


def scroll_to(view: TranscriptView, tok: Token, at: float) -> None:
    """Put the token's line ``at`` of the way down the viewport (below the top padding)."""
    lay = view.doc_layout
    r = lay.token_rect(tok.para, tok.index)
    y = r[1] if r is not None else lay.tops[tok.para]
    view.verticalScrollBar().setValue(int(y - view.viewport().height() * at))


def keep_in_view(view: TranscriptView, tok: Token, margin: float | None = None) -> None:
    """Scroll only if the token is (partly) out of view: by the least amount plus ``margin``
    pixels, or (``margin=None``, for a followed word) to a third of the way down."""
    r = view.token_rect(tok)
    if r is None:
        return
    vh = view.viewport().height()
    if r.top() >= 0 and r.bottom() <= vh:
        return
    if margin is None:
        scroll_to(view, tok, FOLLOW_AT)
        return
    bar = view.verticalScrollBar()
    if r.top() < 0:
        lay = view.doc_layout
        if lay.line_of(tok.para, tok.index) == 0:
            # Going up to a paragraph's first line: show its speaker and heading too.
            if tok.para == 0:
                bar.setValue(0)
                return
            top = lay.tops[tok.para] - view.scroll_y()
            bar.setValue(int(bar.value() + top))
            return
        bar.setValue(int(bar.value() + r.top() - margin))
    else:
        bar.setValue(int(bar.value() + r.bottom() - vh + margin))
