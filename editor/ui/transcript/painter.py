"""Drawing the laid-out transcript: only the lines inside the clip, words in runs.

A line is drawn in three passes: backgrounds (playing, selection, find hits, filler tints —
adjacent tokens with the same background share one rectangle, so a selection reads as one
band), text (adjacent words with the same look are joined and drawn with one ``drawText``: one
call per word was the slow part of the prototype), then marks (strike-through over struck runs,
a dotted underline for low confidence, a solid one for corrections). Pauses and overdub clips
are drawn as pills with their label.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QRegion

from editor.ui.transcript.layout import DocumentLayout
from editor.ui.transcript.theme import Colors, TextMetrics
from editor.viewmodel import Kind, Paragraph, Style, Token
from editor.viewmodel.tokens import format_clock

_LOOK = Style.DELETED | Style.PLAYING


@dataclass(slots=True)
class PaintContext:
    """What a paint pass needs: geometry, fonts, colours and the selected ordinals."""

    layout: DocumentLayout
    metrics: TextMetrics
    colors: Colors
    x0: float
    """Left edge of the text column in viewport coordinates."""
    y_off: float
    """Document y shown at the viewport's top (the scroll position)."""
    sel_lo: int
    sel_hi: int
    """Selected word ordinals (inclusive); ``sel_lo > sel_hi`` when nothing is selected."""
    focused: bool


_DELETED = Style.DELETED
_FILLER = Style.FILLER
_PLAYING = Style.PLAYING
_MATCH = Style.MATCH
_MARKED = Style.LOW_CONFIDENCE | Style.CORRECTED
_WORD = Kind.WORD


def _selected(tok: Token, ctx: PaintContext) -> bool:
    if tok.kind is _WORD:
        return ctx.sel_lo <= tok.ordinal <= ctx.sel_hi
    # A pause or clip after a word is selected when the words on both sides are.
    return ctx.sel_lo <= tok.ordinal < ctx.sel_hi


def _background(style: int, selected: bool, focused: bool, c: Colors) -> QColor | None:
    """A word's background: playing over selected over find hit over kept filler."""
    if style & _PLAYING:
        return c.playing_bg
    if selected:
        return c.selection_bg if focused else c.selection_inactive_bg
    if style & _MATCH:
        return c.match_bg
    if style & _FILLER and not style & _DELETED:
        return c.filler_bg
    return None


def paint_paragraph(p: QPainter, ctx: PaintContext, index: int, y0: float, y1: float) -> None:
    """Paint paragraph ``index`` where it meets document band ``[y0, y1)``."""
    lay = ctx.layout.layouts[index]
    para = ctx.layout.paragraphs[index]
    m, c = ctx.metrics, ctx.colors
    top = ctx.layout.tops[index] - ctx.y_off
    if top < y1 - ctx.y_off and top + lay.text_top > y0 - ctx.y_off:
        _paint_header(p, ctx, para, top)
    lh = m.line_height
    for line in ctx.layout.visible_lines(index, y0, y1):
        y = top + lay.text_top + line * lh
        toks = [i for i in range(lay.line_first[line], lay.line_ends[line]) if lay.line[i] == line]
        _paint_line(p, ctx, para, toks, y)
    del c


def _paint_header(p: QPainter, ctx: PaintContext, para: Paragraph, top: float) -> None:
    m, c = ctx.metrics, ctx.colors
    width = ctx.layout.width
    y = top
    if para.heading is not None:
        p.setFont(m.heading)
        p.setPen(c.heading)
        h = m.heading_height
        rect = QRectF(ctx.x0, y + h * 0.25, width, h * 0.55)
        p.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, para.heading)
        p.setPen(QPen(c.rule, 1.0))
        p.drawLine(QPointF(ctx.x0, y + h * 0.86), QPointF(ctx.x0 + width, y + h * 0.86))
        y += h
    if para.speaker and not para.continued and para.tokens:
        p.setFont(m.speaker)
        p.setPen(c.speakers[para.speaker_index % len(c.speakers)])
        rect = QRectF(ctx.x0, y, width, m.speaker_height)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
        bounds = p.boundingRect(rect, flags, para.speaker)
        p.drawText(rect, flags, para.speaker)
        p.setFont(m.clock)
        p.setPen(c.dim)
        clock = QRectF(bounds.right() + m.space * 2, y, width, m.speaker_height)
        p.drawText(clock, flags, format_clock(para.start))


def _paint_line(p: QPainter, ctx: PaintContext, para: Paragraph, toks: list[int], y: float) -> None:
    lay = ctx.layout.layouts[para.index]
    m, c = ctx.metrics, ctx.colors
    lh, space, x0 = m.line_height, m.space, ctx.x0
    tokens = para.tokens
    fm = m.fm
    pad_y = (lh - fm.height()) / 2
    baseline = y + pad_y + fm.ascent()
    lo, hi, focused = ctx.sel_lo, ctx.sel_hi, ctx.focused
    xs, widths = lay.xs, lay.widths

    # Backgrounds: one rectangle per run of equal background (pills paint their own).
    run_bg: QColor | None = None
    run_x = run_end = 0.0
    bg_top, bg_h = y + pad_y * 0.35, lh - pad_y * 0.7
    for i in toks:
        tok = tokens[i]
        if tok.kind is _WORD:
            st = tok.style
            bg = _background(st, lo <= tok.ordinal <= hi, focused, c) if st or lo <= hi else None
        else:
            bg = None
        x, w = x0 + xs[i], widths[i]
        if bg is not None and bg is run_bg and x - run_end <= space + 0.5:
            run_end = x + w
            continue
        if run_bg is not None:
            p.fillRect(QRectF(run_x - 2, bg_top, run_end - run_x + 4, bg_h), run_bg)
        run_bg, run_x, run_end = bg, x, x + w
    if run_bg is not None:
        p.fillRect(QRectF(run_x - 2, bg_top, run_end - run_x + 4, bg_h), run_bg)

    # Text, in runs of words with the same look; pills for pauses and clips.
    p.setFont(m.body)
    for text, k0, k1, look in line_runs(tokens, toks):
        i, j = toks[k0], toks[k1 - 1]
        if text is None:
            _paint_pill(p, ctx, tokens[i], x0 + xs[i], widths[i], y)
            p.setFont(m.body)
        else:
            _flush(p, ctx, text, look, x0 + xs[i], x0 + xs[j] + widths[j], baseline)
    marked = [i for i in toks if tokens[i].style & _MARKED and tokens[i].kind is _WORD]

    # Where struck words are hidden: a small dot in the gap, so a cut is never invisible.
    if lay.cuts:
        on_line = set(toks)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(c.dim)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        r = max(1.5, fm.xHeight() * 0.22)
        cy = baseline - fm.xHeight() * 0.45
        for i, after in lay.cuts:
            if i in on_line:
                # The layout left one extra space at a cut: its middle is a space from the word.
                tx = x0 + xs[i] + (widths[i] + space if after else -space)
                p.drawEllipse(QPointF(tx, cy), r, r)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    # Per-word marks: a solid underline for corrections, a dotted one for low confidence.
    if marked:
        uy = baseline + fm.descent() * 0.75
        solid = QPen(c.corrected, 1.5)
        dotted = QPen(c.low_confidence, 1.3, Qt.PenStyle.DotLine)
        for i in marked:
            x, w = x0 + xs[i], widths[i]
            p.setPen(solid if tokens[i].style & Style.CORRECTED else dotted)
            p.drawLine(QPointF(x, uy), QPointF(x + w, uy))


def line_runs(tokens: list[Token], toks: list[int]) -> list[tuple[str | None, int, int, int]]:
    """A line's drawing runs: ``(text, k0, k1, look)`` over ``toks[k0:k1]``; ``text`` is the
    joined words of a run with one look, or ``None`` for a pill (a pause or clip, alone).

    """
    out: list[tuple[str | None, int, int, int]] = []
    words: list[str] = []
    start = 0
    look = 0
    for k, i in enumerate(toks):
        tok = tokens[i]
        if tok.kind is not _WORD:
            if words:
                out.append((" ".join(words), start, k, look))
                words = []
            out.append((None, k, k + 1, 0))
            continue
        st = tok.style & _LOOK
        if words and st == look:
            words.append(tok.text)
            continue
        if words:
            out.append((" ".join(words), start, k, look))
        words, start, look = [tok.text], k, st
    if words:
        out.append((" ".join(words), start, len(toks), look))
    return out


def _flush(
    p: QPainter,
    ctx: PaintContext,
    text: str,
    style: int,
    x: float,
    end: float,
    baseline: float,
) -> None:
    c = ctx.colors
    gone = bool(style & Style.DELETED)
    p.setPen(c.playing_text if style & Style.PLAYING else c.deleted if gone else c.text)
    ctx.metrics.draw_run(p, x, baseline - ctx.metrics.fm.ascent(), text)
    if gone:
        sy = baseline - ctx.metrics.fm.xHeight() * 0.5
        p.setPen(QPen(c.deleted, 1.2))
        p.drawLine(QPointF(x, sy), QPointF(end, sy))


def _paint_pill(p: QPainter, ctx: PaintContext, tok: Token, x: float, w: float, y: float) -> None:
    m, c = ctx.metrics, ctx.colors
    lh = m.line_height
    h = float(ceil(m.pill_fm.height() + 4))
    generated = bool(tok.style & Style.GENERATED)
    gone = bool(tok.style & Style.DELETED)
    bg = c.generated_bg if generated else c.pause_bg
    if tok.style & Style.PLAYING:
        bg = c.playing_bg
    elif _selected(tok, ctx):
        bg = c.selection_bg if ctx.focused else c.selection_inactive_bg
    fg = c.deleted if gone else c.generated_text if generated else c.pause_text
    dpr = p.device().devicePixelRatioF()
    key = (tok.text, bg.rgba(), fg.rgba(), gone, w, h, dpr)
    pix = _PILLS.get(key)
    if pix is None:
        if len(_PILLS) >= PILL_CACHE:
            del _PILLS[next(iter(_PILLS))]
        pix = _PILLS[key] = _render_pill(m, tok.text, bg, fg, gone, w, h, dpr)
    # Whole pixels: a pill at a fractional offset rounds differently under different clips.
    p.drawPixmap(QPointF(round(x), round(y + (lh - h) / 2)), pix)


PILL_CACHE = 2_000
_PILLS: dict[tuple[str, int, int, bool, float, float, float], QPixmap] = {}
"""Pills drawn once per look: a pixmap blit is far cheaper than a rounded rect and its text."""


def _render_pill(
    m: TextMetrics, text: str, bg: QColor, fg: QColor, gone: bool, w: float, h: float, dpr: float
) -> QPixmap:
    pix = QPixmap(max(1, ceil(w * dpr)), max(1, ceil(h * dpr)))
    pix.setDevicePixelRatio(dpr)
    pix.fill(Qt.GlobalColor.transparent)
    q = QPainter(pix)
    try:
        q.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        q.setPen(Qt.PenStyle.NoPen)
        q.setBrush(bg)
        rect = QRectF(0, 0, w, h)
        q.drawRoundedRect(rect, h / 2, h / 2)
        q.setFont(m.pill)
        q.setPen(fg)
        q.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        if gone:
            q.setPen(QPen(fg, 1.0))
            q.drawLine(QPointF(3, h / 2), QPointF(w - 3, h / 2))
    finally:
        q.end()
    return pix


def bands(region: QRegion, merge: float) -> list[tuple[float, float]]:
    """The region's vertical extents, merged where closer than ``merge`` pixels."""
    spans = sorted((r.top(), r.bottom() + 1) for r in region)  # type: ignore[attr-defined]
    out: list[tuple[float, float]] = []
    for top, bottom in spans:
        if out and top <= out[-1][1] + merge:
            out[-1] = (out[-1][0], max(out[-1][1], bottom))
        else:
            out.append((top, bottom))
    return out
