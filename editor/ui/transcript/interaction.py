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

from editor.ui.transcript import navigation
from editor.viewmodel import Token

if TYPE_CHECKING:
    from editor.ui.transcript.view import TranscriptView

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
        target = navigation.target(view, key, ctrl)
        if target is None:
            return False
        sel = view.selection()
        caret = sel.caret_ordinal if sel is not None else -1
        target = navigation.shown(view, target, -1 if target < caret else +1)
        if shift and sel is not None:
            view.set_selection(sel.anchor_ordinal, target)
        else:
            view.set_selection(target, target)
        return True

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
            nxt = navigation.kept_beyond(
                view, sel.last_ordinal if then > 0 else sel.first_ordinal, then
            )
            if nxt is not None:
                view.set_selection(nxt, nxt)

    def restore(self) -> None:
        view = self.view
        runs = view.model.restore_runs()
        if runs:
            view.restoreRequested.emit(runs)

    def copy(self) -> None:
        text = self.view.model.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)
