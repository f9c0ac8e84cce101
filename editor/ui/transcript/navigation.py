"""Where a navigation key takes the caret, in word ordinals (the unit of the transcript).

Left / Right step a word (Ctrl: to the previous / next sentence start), Up / Down go to the word
at the same x on the line above / below (Ctrl: to a paragraph start), Home / End to the line's
ends (Ctrl: the transcript's), PageUp / PageDown a screen. With struck words hidden the caret
never lands on one (:func:`shown`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from editor.viewmodel import Style

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView

_SENTENCE_END = (".", "?", "!", "…")


def target(view: TranscriptView, key: int, ctrl: bool) -> int | None:
    """The ordinal a navigation key moves the caret to, or ``None`` if not one."""
    words = view.model.words
    if not words:
        return None
    sel = view.selection()
    caret = sel.caret_ordinal if sel is not None else -1
    last = len(words) - 1
    if sel is None and key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown):
        return 0
    match key:
        case Qt.Key.Key_Left:
            return sentence_start(view, caret, -1) if ctrl else max(0, caret - 1)
        case Qt.Key.Key_Right:
            return sentence_start(view, caret, +1) if ctrl else min(last, caret + 1)
        case Qt.Key.Key_Up:
            return paragraph_start(view, caret, -1) if ctrl else vertical(view, caret, -1)
        case Qt.Key.Key_Down:
            return paragraph_start(view, caret, +1) if ctrl else vertical(view, caret, +1)
        case Qt.Key.Key_Home:
            return 0 if ctrl else line_end(view, caret, first=True)
        case Qt.Key.Key_End:
            return last if ctrl else line_end(view, caret, first=False)
        case Qt.Key.Key_PageUp:
            return vertical(view, caret, -1, page=True)
        case Qt.Key.Key_PageDown:
            return vertical(view, caret, +1, page=True)
    return None


def visible(view: TranscriptView, ordinal: int) -> bool:
    tok = view.model.words[ordinal]
    return view.doc_layout.line_of(tok.para, tok.index) >= 0


def shown(view: TranscriptView, ordinal: int, step: int) -> int:
    """The nearest word shown from ``ordinal`` on in ``step``'s direction (then the other
    way): with struck words hidden, the caret never lands on one."""
    n = len(view.model.words)
    for direction in (step, -step):
        i = ordinal
        while 0 <= i < n:
            if visible(view, i):
                return i
            i += direction
    return ordinal


def sentence_start(view: TranscriptView, caret: int, step: int) -> int:
    words = view.model.words
    i = max(caret, 0)
    if step < 0:
        i -= 1
        while i > 0 and not words[i - 1].text.endswith(_SENTENCE_END):
            i -= 1
        return max(i, 0)
    while i < len(words) - 1:
        i += 1
        if words[i - 1].text.endswith(_SENTENCE_END):
            return i
    return len(words) - 1


def paragraph_start(view: TranscriptView, caret: int, step: int) -> int:
    model = view.model
    words = model.words
    tok = words[max(caret, 0)]
    p = tok.para
    first = next((t for t in model.paragraphs[p].tokens if t.is_word), tok)
    if step < 0 and first.ordinal < caret:
        return first.ordinal
    q = p + step
    while 0 <= q < len(model.paragraphs):
        w = next((t for t in model.paragraphs[q].tokens if t.is_word), None)
        if w is not None:
            return w.ordinal
        q += step
    return 0 if step < 0 else len(words) - 1


def line_end(view: TranscriptView, caret: int, *, first: bool) -> int:
    tok = view.model.words[caret]
    lay = view.doc_layout
    line = lay.line_of(tok.para, tok.index)
    if line < 0:
        return caret
    indices = lay.tokens_on_line(tok.para, line)
    toks = [lay.paragraphs[tok.para].tokens[i] for i in indices]
    words = [t for t in toks if t.is_word]
    return (words[0] if first else words[-1]).ordinal if words else caret


def vertical(view: TranscriptView, caret: int, step: int, *, page: bool = False) -> int:
    words = view.model.words
    if caret < 0:
        return 0
    tok = words[caret]
    lay = view.doc_layout
    r = lay.token_rect(tok.para, tok.index)
    if r is None:
        return caret
    lh = view.metrics.line_height
    dy = (view.viewport().height() - lh) if page else lh
    x = r[0] + r[2] / 2
    y = r[1] + lh / 2 + step * dy
    # Skip header bands (headings, speaker labels): keep going until a line is hit.
    for _ in range(8):
        if y < 0:
            return 0
        if y > lay.height:
            return len(words) - 1
        hit = lay.hit(x, y)
        if hit is not None and hit.token is not None:
            t = lay.paragraphs[hit.para].tokens[hit.token]
            if t.ordinal != caret:
                return t.ordinal
        y += step * lh
    return caret


def kept_beyond(view: TranscriptView, ordinal: int, step: int) -> int | None:
    """The nearest kept, shown word past ``ordinal`` in ``step``'s direction."""
    words = view.model.words
    i = ordinal + step
    while 0 <= i < len(words):
        if not words[i].style & Style.DELETED and visible(view, i):
            return i
        i += step
    return None
