"""How the view follows an in-place model update: repaint as little as the change needs.

Restyled tokens (a strike, a find hit, the playing word) keep their width: only their
rectangles are repainted. Paragraphs whose text changed (a correction, a relabelled pause, a
heading renamed — or any restyle while struck words are hidden) are laid out again; if their
height stayed the same only their band is repainted, else everything from the first of them
down, since the paragraphs below moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect

from editor.viewmodel import Update

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView


def apply(view: TranscriptView, update: Update) -> None:
    lay = view.doc_layout
    paras = set(update.relayout)
    if not view.show_deleted():
        paras.update(t.para for t in update.restyled)
    if paras:
        before = lay.height
        heights = {p: lay.layouts[p].height for p in paras}
        lay.relayout(paras)
        view.update_scrollbar()
        if before == lay.height and all(lay.layouts[p].height == h for p, h in heights.items()):
            for p in paras:
                band(view, lay.tops[p], lay.tops[p + 1])
        else:
            band(view, lay.tops[min(paras)], view.scroll_y() + 1e9)
    rest = [t for t in update.restyled if t.para not in paras]
    if rest:
        view.repaint_tokens(rest)


def band(view: TranscriptView, y0: float, y1: float) -> None:
    """Repaint the full-width band of document ``[y0, y1)`` where it is in view."""
    vp = view.viewport()
    top = y0 - view.scroll_y()
    bottom = min(y1 - view.scroll_y(), float(vp.height()))
    if bottom <= 0 or top >= vp.height():
        return
    vp.update(QRect(0, int(max(top, 0)), vp.width(), int(bottom - max(top, 0)) + 1))
