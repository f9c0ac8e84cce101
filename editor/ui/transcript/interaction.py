"""Mouse and keyboard for the transcript view: selection, navigation and edit requests.

The unit is the word: a click selects the word under the pointer, a drag extends word by word,
shift+click extends from the anchor, double-click selects the word and asks to play from it;
a click on a speaker label selects the turn, on a section heading the whole section.
Keys (shift extends every move):

===========================  ==================================================
Left / Right                 previous / next word
Ctrl+Left / Ctrl+Right       previous / next sentence start
Up / Down                    the word above / below (same x)
Ctrl+Up / Ctrl+Down          previous / next paragraph start
Home / End                   start / end of the line (Ctrl: of the transcript)
PageUp / PageDown            a screen up / down
Delete / Backspace           cut the selection and move on to the next / previous kept
                             word (a selection all struck is restored instead)
Ctrl+Shift+R                 restore the struck words in the selection
Enter                        play from the selection (seekRequested)
F2                           correct the selected word in place
Ctrl+C / Ctrl+A / Ctrl+F     copy / select all / find
Escape                       close the editor or find bar, else clear the selection
===========================  ==================================================

Nothing here edits: cuts, restores, corrections and seeks leave as the view's request signals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QMouseEvent

from editor.viewmodel import Style, Token

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView

_SENTENCE_END = (".", "?", "!", "…")
AUTOSCROLL_MS = 30
_OWNED = frozenset(
    {
        Qt.Key.Key_Delete,
        Qt.Key.Key_Backspace,
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Return,
        Qt.Key.Key_Enter,
        Qt.Key.Key_F2,
    }
)


class Interaction(QObject):
    """Input handling installed on the view's viewport (and called by the view for keys)."""

    def __init__(self, view: TranscriptView) -> None:
        super().__init__(view)
        self.view = view
        self._dragging = False
        self._drag_pos = QPointF()
        # A drag past the top or bottom edge keeps scrolling (and extending) while held there.
        self._autoscroll = QTimer(self)
        self._autoscroll.setInterval(AUTOSCROLL_MS)
        self._autoscroll.timeout.connect(self._autoscroll_step)

    @property
    def dragging(self) -> bool:
        return self._dragging

    # --- hit testing -----------------------------------------------------------------------

    def word_at(self, pos: QPointF) -> Token | None:
        """The word nearest to a viewport point (a pause or clip answers with its word)."""
        lay = self.view.doc_layout
        x, y = self.view.to_document(pos.x(), pos.y())
        hit = lay.hit(x, y)
        if hit is None or hit.token is None:
            para = lay.paragraph_at(y)
            return self._nearest_word_from_para(para)
        tok = lay.paragraphs[hit.para].tokens[hit.token]
        return self.view.model.words[tok.ordinal] if self.view.model.words else None

    def _nearest_word_from_para(self, para: int) -> Token | None:
        paras = self.view.model.paragraphs
        for p in range(para, -1, -1):
            for tok in reversed(paras[p].tokens) if 0 <= p < len(paras) else ():
                return self.view.model.words[tok.ordinal]
        return None

    # --- mouse -----------------------------------------------------------------------------

    def mouse_press(self, event: QMouseEvent) -> None:
        view = self.view
        if event.button() == Qt.MouseButton.RightButton:
            tok = self.word_at(event.position())
            sel = view.selection()
            if tok is not None and (sel is None or tok.ordinal not in sel):
                view.set_selection(tok.ordinal, tok.ordinal)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self._select_header(event.position()):
            return
        tok = self.word_at(event.position())
        if tok is None:
            return
        sel = view.selection()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and sel is not None:
            view.set_selection(sel.anchor_ordinal, tok.ordinal)
        else:
            view.set_selection(tok.ordinal, tok.ordinal)
        self._dragging = True

    def _select_header(self, pos: QPointF) -> bool:
        """A click on a speaker label selects that turn; on a heading, the whole section."""
        view = self.view
        _, y = view.to_document(pos.x(), pos.y())
        header = view.doc_layout.header_at(y)
        if header is None:
            return False
        p, part = header
        paras = view.model.paragraphs
        if part == "heading":
            section = paras[p].section
            group = [q for q in paras if q.section == section]
        else:
            group = [paras[p]]
            for q in paras[p + 1 :]:  # a long turn goes on in continued paragraphs
                if not q.continued:
                    break
                group.append(q)
        words = [t for q in group for t in q.tokens if t.is_word]
        if not words:
            return False
        view.set_selection(words[0].ordinal, words[-1].ordinal, follow=False)
        return True

    def mouse_move(self, event: QMouseEvent) -> None:
        if not self._dragging or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        self._drag_pos = event.position()
        outside = not 0 <= self._drag_pos.y() < self.view.viewport().height()
        if outside and not self._autoscroll.isActive():
            self._autoscroll.start()
        elif not outside:
            self._autoscroll.stop()
        self._extend_to(self._drag_pos)

    def _extend_to(self, pos: QPointF) -> None:
        vh = self.view.viewport().height()
        inside = QPointF(pos.x(), min(max(pos.y(), 1.0), vh - 1.0))
        tok = self.word_at(inside)
        sel = self.view.selection()
        if tok is not None and sel is not None and tok.ordinal != sel.caret_ordinal:
            self.view.set_selection(sel.anchor_ordinal, tok.ordinal, follow=False)

    def _autoscroll_step(self) -> None:
        if not self._dragging:
            self._autoscroll.stop()
            return
        y, vh = self._drag_pos.y(), self.view.viewport().height()
        over = y if y < 0 else y - vh
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.value() + int(max(-80.0, min(80.0, over / 2 or 1))))
        self._extend_to(self._drag_pos)

    def mouse_release(self, event: QMouseEvent) -> None:
        self._dragging = False
        self._autoscroll.stop()

    def mouse_double_click(self, event: QMouseEvent) -> None:
        tok = self.word_at(event.position())
        if tok is None:
            return
        self.view.set_selection(tok.ordinal, tok.ordinal)
        self.view.seekRequested.emit(tok.key)

    # --- keyboard --------------------------------------------------------------------------

    def owns(self, event: QKeyEvent) -> bool:
        """Whether a key press is one the transcript handles (so it beats window shortcuts)."""
        if any(
            event.matches(k)
            for k in (
                QKeySequence.StandardKey.Copy,
                QKeySequence.StandardKey.SelectAll,
                QKeySequence.StandardKey.Find,
            )
        ):
            return True
        return event.key() in _OWNED

    def key_press(self, event: QKeyEvent) -> bool:
        """Handle a key; ``False`` lets the view pass it on (to the shell's shortcuts)."""
        view = self.view
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            return True
        if event.matches(QKeySequence.StandardKey.SelectAll):
            if view.model.words:
                view.set_selection(0, len(view.model.words) - 1)
            return True
        if event.matches(QKeySequence.StandardKey.Find):
            view.find_bar().open()
            return True
        key = event.key()
        mods = event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.cut(then=+1 if key == Qt.Key.Key_Delete else -1)
            return True
        if key == Qt.Key.Key_R and ctrl and shift:
            self.restore()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sel = view.selection()
            if sel is not None:
                view.seekRequested.emit(sel.first)
            return True
        if key == Qt.Key.Key_F2:
            sel = view.selection()
            if sel is not None:
                view.correct_word(view.model.words[sel.caret_ordinal].key)
            return True
        if key == Qt.Key.Key_Escape:
            if view.find_bar().isVisible():
                view.find_bar().close_bar()
            elif view.selection() is not None:
                view.clear_selection()
            else:
                return False
            return True
        target = self._target(key, ctrl)
        if target is None:
            return False
        sel = view.selection()
        caret = sel.caret_ordinal if sel is not None else -1
        target = self._shown(target, -1 if target < caret else +1)
        if shift and sel is not None:
            view.set_selection(sel.anchor_ordinal, target)
        else:
            view.set_selection(target, target)
        return True

    def _target(self, key: int, ctrl: bool) -> int | None:
        """The ordinal a navigation key moves the caret to, or ``None`` if not one."""
        words = self.view.model.words
        if not words:
            return None
        sel = self.view.selection()
        caret = sel.caret_ordinal if sel is not None else -1
        last = len(words) - 1
        if sel is None and key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            return 0
        match key:
            case Qt.Key.Key_Left:
                return self._sentence_start(caret, -1) if ctrl else max(0, caret - 1)
            case Qt.Key.Key_Right:
                return self._sentence_start(caret, +1) if ctrl else min(last, caret + 1)
            case Qt.Key.Key_Up:
                return self._paragraph_start(caret, -1) if ctrl else self._vertical(caret, -1)
            case Qt.Key.Key_Down:
                return self._paragraph_start(caret, +1) if ctrl else self._vertical(caret, +1)
            case Qt.Key.Key_Home:
                return 0 if ctrl else self._line_end(caret, first=True)
            case Qt.Key.Key_End:
                return last if ctrl else self._line_end(caret, first=False)
            case Qt.Key.Key_PageUp:
                return self._vertical(caret, -1, page=True)
            case Qt.Key.Key_PageDown:
                return self._vertical(caret, +1, page=True)
        return None

    def _visible(self, ordinal: int) -> bool:
        tok = self.view.model.words[ordinal]
        return self.view.doc_layout.line_of(tok.para, tok.index) >= 0

    def _shown(self, ordinal: int, step: int) -> int:
        """The nearest word shown from ``ordinal`` on in ``step``'s direction (then the other
        way): with struck words hidden, the caret never lands on one."""
        n = len(self.view.model.words)
        for direction in (step, -step):
            i = ordinal
            while 0 <= i < n:
                if self._visible(i):
                    return i
                i += direction
        return ordinal

    def _sentence_start(self, caret: int, step: int) -> int:
        words = self.view.model.words
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

    def _paragraph_start(self, caret: int, step: int) -> int:
        model = self.view.model
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

    def _line_end(self, caret: int, *, first: bool) -> int:
        tok = self.view.model.words[caret]
        lay = self.view.doc_layout
        line = lay.line_of(tok.para, tok.index)
        if line < 0:
            return caret
        indices = lay.tokens_on_line(tok.para, line)
        toks = [lay.paragraphs[tok.para].tokens[i] for i in indices]
        words = [t for t in toks if t.is_word]
        return (words[0] if first else words[-1]).ordinal if words else caret

    def _vertical(self, caret: int, step: int, *, page: bool = False) -> int:
        view = self.view
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

    # --- requests --------------------------------------------------------------------------

    def cut(self, then: int = 0) -> None:
        """Ask to cut the selection; a selection that is all struck asks to restore it.

        With ``then`` the caret moves on past the cut like a text editor's — Delete to the next
        kept word, Backspace to the one before — so pressing it again cuts on, word by word.
        """
        view = self.view
        sel = view.selection()
        if sel is None:
            return
        runs = view.model.cut_runs(sel)
        if not runs:
            self.restore()
            return
        view.cutRequested.emit(runs)
        if then:
            nxt = self._kept_beyond(sel.last_ordinal if then > 0 else sel.first_ordinal, then)
            if nxt is not None:
                view.set_selection(nxt, nxt)

    def _kept_beyond(self, ordinal: int, step: int) -> int | None:
        """The nearest kept, shown word past ``ordinal`` in ``step``'s direction."""
        words = self.view.model.words
        i = ordinal + step
        while 0 <= i < len(words):
            if not words[i].style & Style.DELETED and self._visible(i):
                return i
            i += step
        return None

    def restore(self) -> None:
        view = self.view
        runs = view.model.restore_runs()
        if runs:
            view.restoreRequested.emit(runs)

    def copy(self) -> None:
        text = self.view.model.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)
