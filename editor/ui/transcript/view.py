"""The transcript view widget: paints the model, routes input as requests.

A custom-painted ``QAbstractScrollArea`` (DESKTOP.md measured this design at ≤ 4.5 ms p95 for a
strike-through on 15,000 words). It keeps a :class:`DocumentLayout` in step with the model's
:class:`~editor.viewmodel.Update` events — restyled tokens repaint only their rectangles,
re-texted paragraphs are laid out again, a new structure lays out everything — and paints only
the paragraphs inside the exposed rectangle. Scrolling blits the viewport and paints the strip
that came into view. Mouse and keyboard handling live in :mod:`.interaction`, the correction
editor in :mod:`.overlay`, the find bar in :mod:`.find_bar`, the context menu in :mod:`.menu`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QMenu, QWidget

from editor.ui.transcript import accessible, scrolling, tooltips, updates
from editor.ui.transcript.find_bar import FindBar
from editor.ui.transcript.interaction import Interaction
from editor.ui.transcript.layout import DocumentLayout
from editor.ui.transcript.menu import build_menu
from editor.ui.transcript.overlay import CorrectionOverlay
from editor.ui.transcript.painter import PaintContext, bands, paint_paragraph
from editor.ui.transcript.scrolling import TOP_PAD
from editor.ui.transcript.theme import TextMetrics, colors_from
from editor.viewmodel import Selection, Token, TranscriptModel, Update
from editor.viewmodel.selection import changed_spans

MARGIN = 28.0
BIG_SELECTION = 400
"""A selection change touching more words than this repaints the viewport in one go."""


class TranscriptView(QAbstractScrollArea):
    """The editable transcript; see the package docstring for the contract with the shell."""

    selectionChanged = Signal(object)
    seekRequested = Signal(str)
    cutRequested = Signal(object)
    restoreRequested = Signal(object)
    correctRequested = Signal(str, str)
    ready = Signal()
    contextMenuAboutToShow = Signal(QMenu)

    def __init__(self, model: TranscriptModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._metrics = TextMetrics(self.font())
        self._colors = colors_from(self.palette())
        self._layout = DocumentLayout(self._metrics)
        self._show_deleted = True
        self._laid_out = False
        self._ready_sent = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always there, so the first layout never changes the viewport's width (a relayout).
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        # paintEvent fills every band it is asked to paint: no background erase first.
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAccessibleName("Transcript")
        accessible.install()
        self._interaction = Interaction(self)
        self._overlay = CorrectionOverlay(self)
        self._find = FindBar(self)
        self._find.hide()
        self._unsubscribe = model.subscribe(self._on_update)
        self.destroyed.connect(self._unsubscribe)

    # --- the contract ----------------------------------------------------------------------

    @property
    def model(self) -> TranscriptModel:
        return self._model

    def selection(self) -> Selection | None:
        return self._model.selection

    def select_range(self, first_id: str, last_id: str) -> None:
        """Select words ``first_id``..``last_id`` (program order) and show the caret end."""
        old = self._model.selection
        sel = self._model.select_ids(first_id, last_id)
        if sel is not None:
            self._selection_changed(old)
            self.ensure_visible(sel.last)

    def set_playing_word(self, word_id: str | None) -> None:
        """Highlight the word under the playhead and keep it in view (not while the user is
        dragging a selection or correcting a word: the text must not move under them)."""
        tok = self._model.set_playing(word_id)
        if tok is not None and not self._interaction.dragging and self._overlay.word is None:
            scrolling.keep_in_view(self, tok)

    def set_show_deleted(self, show: bool) -> None:
        """Show struck words (struck and dimmed) or hide them from the text."""
        if show == self._show_deleted:
            return
        anchor = scrolling.anchor(self)
        self._show_deleted = show
        self.relayout_all()
        scrolling.restore_anchor(self, anchor)
        self.viewport().update()

    def show_deleted(self) -> bool:
        return self._show_deleted

    def ensure_visible(self, word_id: str) -> None:
        tok = self._model.token(word_id)
        if tok is not None:
            scrolling.keep_in_view(self, tok, margin=self._metrics.line_height)

    def find_bar(self) -> FindBar:
        return self._find

    def correct_word(self, word_id: str) -> None:
        """Open the in-place editor on a word (what F2 does)."""
        tok = self._model.word(word_id)
        if tok is not None:
            scrolling.keep_in_view(self, tok)
            self._overlay.open(tok)

    @property
    def interaction(self) -> Interaction:
        return self._interaction

    # --- input -----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._interaction.mouse_press(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._interaction.mouse_move(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._interaction.mouse_release(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self._interaction.mouse_double_click(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._interaction.key_press(event):
            event.ignore()

    def event(self, event: QEvent) -> bool:
        # Keys the transcript owns win over window shortcuts while it has focus.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._interaction.owns(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tooltips.show(self, event)
            return True
        return super().viewportEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = build_menu(self)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._repaint_selection()  # the selection is drawn dimmer without focus

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._repaint_selection()

    def _looks_focused(self) -> bool:
        """The view, its find bar or its correction editor has the keyboard."""
        fw = QApplication.focusWidget()
        return fw is not None and (fw is self or self.isAncestorOf(fw))

    def _repaint_selection(self) -> None:
        sel = self._model.selection
        if sel is not None:
            self.repaint_tokens(self._model.selected_tokens(sel))

    # --- geometry helpers (also used by interaction, overlay, find bar) --------------------

    @property
    def doc_layout(self) -> DocumentLayout:
        self._ensure_layout()
        return self._layout

    @property
    def metrics(self) -> TextMetrics:
        return self._metrics

    def column(self) -> tuple[float, float]:
        """``(x0, width)`` of the text column in viewport coordinates."""
        vw = self.viewport().width()
        width = max(80.0, min(vw - 2 * MARGIN, self._metrics.max_column))
        return max(MARGIN, (vw - width) / 2), width

    def scroll_y(self) -> float:
        return float(self.verticalScrollBar().value()) - TOP_PAD

    def token_rect(self, tok: Token) -> QRectF | None:
        """A token's rectangle in viewport coordinates (``None`` when hidden)."""
        r = self.doc_layout.token_rect(tok.para, tok.index)
        if r is None:
            return None
        x0, _ = self.column()
        return QRectF(x0 + r[0], r[1] - self.scroll_y(), r[2], r[3])

    def to_document(self, x: float, y: float) -> tuple[float, float]:
        x0, _ = self.column()
        return x - x0, y + self.scroll_y()

    def repaint_tokens(self, tokens: list[Token]) -> None:
        if len(tokens) > BIG_SELECTION:
            self.viewport().update()
            return
        vis = QRectF(self.viewport().rect())
        pad = self._metrics.space + 3  # the band between two selected words, and its ends
        for tok in tokens:
            r = self.token_rect(tok)
            if r is not None and r.intersects(vis):
                self.viewport().update(r.adjusted(-pad, 0, pad, 0).toAlignedRect())

    def _selection_changed(self, old: Selection | None) -> None:
        """Repaint the words whose selected state changed, and tell the shell."""
        new = self._model.selection
        if old == new:
            return
        spans = changed_spans(old, new)
        if sum(b - a + 1 for a, b in spans) > BIG_SELECTION:
            self.viewport().update()
        else:
            words, paras = self._model.words, self._model.paragraphs
            touched: list[Token] = []
            for a, b in spans:
                touched.extend(words[a : b + 1])
                # A pause or clip after word k is selected iff k and k + 1 are: k in [a-1, b].
                for p in range(words[max(a - 1, 0)].para, words[b].para + 1):
                    touched.extend(
                        t for t in paras[p].tokens if not t.is_word and a - 1 <= t.ordinal <= b
                    )
            self.repaint_tokens(touched)
        accessible.announce_selection(self)
        self.selectionChanged.emit(new)

    def set_selection(self, anchor: int, caret: int, *, follow: bool = True) -> None:
        """Select by ordinals (interaction's entry point) and, with ``follow``, show the caret."""
        old = self._model.selection
        self._model.select(anchor, caret)
        self._selection_changed(old)
        sel = self._model.selection
        if sel is not None and follow:
            scrolling.keep_in_view(self, self._model.words[sel.caret_ordinal], margin=0)

    def clear_selection(self) -> None:
        old = self._model.selection
        self._model.clear_selection()
        self._selection_changed(old)

    # --- model updates (see updates.py) ---------------------------------------------------

    def _on_update(self, update: Update) -> None:
        if not self._laid_out:
            self.viewport().update()
        elif update.structure:
            self._overlay.cancel()
            self.relayout_all()
            self.viewport().update()
            if update.selection:
                self.selectionChanged.emit(self._model.selection)
        else:
            updates.apply(self, update)
            if self._overlay.word is not None:
                self._overlay.place()  # the word being corrected may have moved

    # --- layout and painting ---------------------------------------------------------------

    @property
    def laid_out(self) -> bool:
        return self._laid_out

    def _ensure_layout(self) -> None:
        if not self._laid_out:
            self.relayout_all()

    def relayout_all(self) -> None:
        _, width = self.column()
        self._layout.reset(self._model.paragraphs, width, show_deleted=self._show_deleted)
        self._laid_out = True
        self.update_scrollbar()

    def update_scrollbar(self) -> None:
        bar = self.verticalScrollBar()
        vh = self.viewport().height()
        bar.setRange(0, max(0, int(self._layout.height + 2 * TOP_PAD - vh)))
        bar.setPageStep(vh)
        bar.setSingleStep(int(self._metrics.line_height))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        _, width = self.column()
        if self._laid_out and width != self._layout.width:
            anchor = scrolling.anchor(self)
            self.relayout_all()
            scrolling.restore_anchor(self, anchor)
        elif self._laid_out:
            self.update_scrollbar()
        self._find.place()
        self._overlay.place()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        # Blit; only the strip that came into view is painted. Qt moves rectangles still
        # waiting to be painted along (test_partial_repaint checks a scroll right after one).
        self.viewport().scroll(dx, dy)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._colors = colors_from(self.palette())
            self.viewport().update()
        elif event.type() == QEvent.Type.FontChange:
            self._metrics = TextMetrics(self.font())
            self._layout.metrics = self._metrics
            if self._laid_out:
                self.relayout_all()
            self.viewport().update()
        super().changeEvent(event)

    def _paint_band(self, p: QPainter, ctx: PaintContext, y0: float, y1: float) -> None:
        """Paint the paragraphs meeting document band ``[y0, y1)``."""
        lay = self._layout
        first = lay.paragraph_at(y0)
        if first < 0:
            return
        for i in range(first, len(lay.layouts)):
            if lay.tops[i] >= y1:
                break
            paint_paragraph(p, ctx, i, y0, y1)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._ensure_layout()
        p = QPainter(self.viewport())
        try:
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            x0, _ = self.column()
            sel = self._model.selection
            lo, hi = (sel.first_ordinal, sel.last_ordinal) if sel is not None else (1, 0)
            ctx = PaintContext(
                self._layout,
                self._metrics,
                self._colors,
                x0,
                self.scroll_y(),
                lo,
                hi,
                self.hasFocus()
                or self._overlay.hasFocus()
                or self._find.isAncestorOf(self.focusWidget() or self),
            )
            # Paint each horizontal band of the region on its own: a word repainted at the
            # top and one at the bottom must not repaint everything between them.
            for top, bottom in bands(event.region(), self._metrics.line_height):
                p.fillRect(QRectF(0, top, self.viewport().width(), bottom - top), self._colors.base)
                self._paint_band(p, ctx, top + ctx.y_off, bottom + ctx.y_off)
        finally:
            p.end()
        if not self._ready_sent:
            self._ready_sent = True
            QTimer.singleShot(0, self.ready.emit)
