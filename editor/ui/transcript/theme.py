"""Fonts, sizes and colours of the transcript, derived from the widget's font and palette.

Everything follows the system: the body font is the application font a little larger for
reading, colours come from the palette (so light and dark themes both work) with tints mixed
against the base colour rather than fixed RGB, and all sizes are in device-independent pixels
(Qt scales them on HiDPI screens). :class:`TextMetrics` measures tokens once per distinct text.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPalette,
    QStaticText,
    QTransform,
)

from editor.viewmodel import Kind, Token

BODY_SCALE = 1.2
MAX_COLUMN = 46.0
"""Widest text column, in ems: long lines are hard to read."""
PILL_PAD = 6.0
STATIC_CACHE = 6_000
SEEN_CACHE = 50_000
"""Prepared text runs kept: a few per line, many screens of lines (then the oldest go)."""


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved ``t`` of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        1.0,
    )


@dataclass(slots=True)
class Colors:
    base: QColor
    text: QColor
    dim: QColor
    deleted: QColor
    heading: QColor
    rule: QColor
    filler_bg: QColor
    low_confidence: QColor
    corrected: QColor
    generated_bg: QColor
    generated_text: QColor
    pause_bg: QColor
    pause_text: QColor
    playing_bg: QColor
    playing_text: QColor
    selection_bg: QColor
    selection_inactive_bg: QColor
    selection_text: QColor
    match_bg: QColor
    speakers: tuple[QColor, ...]

    @property
    def dark(self) -> bool:
        return self.base.lightness() < 128


def colors_from(palette: QPalette) -> Colors:
    """Colours for the palette's theme (light or dark), tints mixed against its base."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    dark = base.lightness() < 128
    highlight = palette.color(QPalette.ColorRole.Highlight)
    sel = QColor(highlight)
    sel.setAlphaF(0.35 if dark else 0.28)
    amber = QColor("#f0b429") if dark else QColor("#f5a623")
    red = QColor("#ff7a6b") if dark else QColor("#d64545")
    green = QColor("#5fd08a") if dark else QColor("#1f8f4e")
    violet = QColor("#b49cff") if dark else QColor("#6b4fd8")
    speakers = (
        (QColor("#7cb7ff"), QColor("#ffa46b"), QColor("#7fd6a8"), QColor("#e39bff"))
        if dark
        else (QColor("#1f63c6"), QColor("#b8551b"), QColor("#1d7f53"), QColor("#8a3bb5"))
    )
    return Colors(
        base=base,
        text=text,
        dim=mix(text, base, 0.45),
        deleted=mix(text, base, 0.62),
        heading=text,
        rule=mix(text, base, 0.85),
        filler_bg=mix(base, amber, 0.30 if dark else 0.26),
        low_confidence=red,
        corrected=green,
        generated_bg=mix(base, violet, 0.28 if dark else 0.16),
        generated_text=mix(text, violet, 0.5),
        pause_bg=mix(base, text, 0.12 if dark else 0.08),
        pause_text=mix(text, base, 0.35),
        playing_bg=highlight,
        playing_text=palette.color(QPalette.ColorRole.HighlightedText),
        selection_bg=sel,
        selection_inactive_bg=mix(base, text, 0.14 if dark else 0.1),
        selection_text=text,
        match_bg=mix(base, QColor("#ffe14d"), 0.45 if dark else 0.6),
        speakers=speakers,
    )


class TextMetrics:
    """Fonts and token widths for one base font; widths are cached per (kind, text)."""

    def __init__(self, base: QFont) -> None:
        body = QFont(base)
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        body.setPointSizeF(size * BODY_SCALE)
        self.body = body
        self.heading = QFont(body)
        self.heading.setPointSizeF(size * BODY_SCALE * 1.3)
        self.heading.setWeight(QFont.Weight.DemiBold)
        self.speaker = QFont(base)
        self.speaker.setWeight(QFont.Weight.DemiBold)
        self.clock = QFont(base)
        self.clock.setPointSizeF(size * 0.92)
        self.pill = QFont(base)
        self.pill.setPointSizeF(size * 0.88)
        self.fm = QFontMetricsF(body)
        self.pill_fm = QFontMetricsF(self.pill)
        self.line_height: float = float(round(self.fm.height() * 1.55))
        self.space: float = self.fm.horizontalAdvance(" ")
        self.heading_height: float = float(round(QFontMetricsF(self.heading).height() * 2.2))
        self.speaker_height: float = float(round(QFontMetricsF(self.speaker).height() * 1.5))
        self.paragraph_gap: float = float(round(self.fm.height() * 0.9))
        self.max_column = self.fm.averageCharWidth() * MAX_COLUMN * 2.2
        self._cache: dict[str, float] = {}
        self._pills: dict[str, float] = {}
        self._static: dict[str, QStaticText] = {}
        self._seen: dict[str, None] = {}
        """Runs drawn once (a dict: insertion order says which is oldest)."""

    def draw_run(self, p: QPainter, x: float, top: float, text: str) -> None:
        """Draw a run of body text with its top-left at ``(x, top)``.

        A string drawn for the first time goes through ``drawText``; from its second draw on
        it is a prepared ``QStaticText``, kept. Preparing costs several ``drawText`` calls, so
        it only pays for text painted again and again (selection, playhead, nearby edits),
        where it draws ~7x faster; the two render the same pixels.
        """
        st = self._static.get(text)
        if st is not None:
            p.drawStaticText(QPointF(x, top), st)
            return
        if text in self._seen:
            if len(self._static) >= STATIC_CACHE:
                # Oldest out, one at a time: clearing thousands at once stalled a frame.
                del self._static[next(iter(self._static))]
            st = self._static[text] = QStaticText(text)
            st.setTextFormat(Qt.TextFormat.PlainText)
            st.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
            st.prepare(QTransform(), self.body)
            p.drawStaticText(QPointF(x, top), st)
            return
        if len(self._seen) >= SEEN_CACHE:
            del self._seen[next(iter(self._seen))]
        self._seen[text] = None
        p.drawText(QPointF(x, top + self.fm.ascent()), text)

    def forget_runs(self) -> None:
        """Drop every remembered run (benchmarks: measure text never drawn before)."""
        self._static.clear()
        self._seen.clear()

    def width(self, token: Token) -> float:
        if token.kind is Kind.WORD:
            w = self._cache.get(token.text)
            if w is None:
                w = self._cache[token.text] = self.fm.horizontalAdvance(token.text)
            return w
        w = self._pills.get(token.text)
        if w is None:
            w = self._pills[token.text] = self.pill_fm.horizontalAdvance(token.text) + 2 * PILL_PAD
        return w
