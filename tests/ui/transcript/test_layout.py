"""Layout and hit-testing, without Qt: fixed-width metrics make every position predictable."""

from __future__ import annotations

import random

from editor.ui.transcript.layout import DocumentLayout, layout_paragraph
from editor.viewmodel import Kind, Style, Token, TranscriptModel
from tests.sync.factory import make_doc


class Mono:
    """10 px per character, 20 px lines, headings 30 px, speaker labels 15 px, 5 px gaps."""

    line_height = 20.0
    space = 10.0
    heading_height = 30.0
    speaker_height = 15.0
    paragraph_gap = 5.0

    def width(self, token: Token) -> float:
        return 10.0 * len(token.text) + (12.0 if token.kind is not Kind.WORD else 0.0)


def test_lines_break_at_the_width_and_headers_push_text_down() -> None:
    model = TranscriptModel(make_doc(random.Random(1), 60))
    para = model.paragraphs[0]
    lay = layout_paragraph(para, 200.0, Mono(), show_deleted=True)
    assert lay.text_top == 45.0  # heading + speaker label
    for i in range(len(para.tokens)):
        assert lay.xs[i] + lay.widths[i] <= 200.0 or lay.xs[i] == 0.0
        if i and lay.line[i] == lay.line[i - 1]:
            assert lay.xs[i] == lay.xs[i - 1] + lay.widths[i - 1] + 10.0
    assert lay.height == 45.0 + 20.0 * len(lay.line_first) + 5.0


def test_hidden_deleted_tokens_take_no_room() -> None:
    model = TranscriptModel(make_doc(random.Random(2), 60, n_tracks=1))
    para = model.paragraphs[0]
    for tok in para.tokens[:3]:
        tok.style |= Style.DELETED
    lay = layout_paragraph(para, 10_000.0, Mono(), show_deleted=False)
    assert lay.line[:3] == [-1, -1, -1]
    assert lay.xs[3] == 0.0 and lay.line[3] == 0


def test_hit_finds_every_token_at_its_own_centre() -> None:
    model = TranscriptModel(make_doc(random.Random(3), 400))
    dl = DocumentLayout(Mono())
    dl.reset(model.paragraphs, 300.0, show_deleted=True)
    for p, para in enumerate(model.paragraphs):
        for i, _ in enumerate(para.tokens):
            r = dl.token_rect(p, i)
            assert r is not None
            hit = dl.hit(r[0] + r[2] / 2, r[1] + r[3] / 2)
            assert hit is not None and (hit.para, hit.token, hit.exact) == (p, i, True)


def test_hit_beside_a_line_answers_the_nearest_token_on_it() -> None:
    model = TranscriptModel(make_doc(random.Random(4), 100))
    dl = DocumentLayout(Mono())
    dl.reset(model.paragraphs, 300.0, show_deleted=True)
    r = dl.token_rect(0, 0)
    assert r is not None
    left = dl.hit(-50.0, r[1] + 5)
    assert left is not None and (left.para, left.token, left.exact) == (0, 0, False)
    line = dl.tokens_on_line(0, 0)
    right = dl.hit(10_000.0, r[1] + 5)
    assert right is not None and right.token == line[-1]


def test_relayout_moves_later_paragraphs_by_the_height_change() -> None:
    model = TranscriptModel(make_doc(random.Random(5), 200))
    dl = DocumentLayout(Mono())
    dl.reset(model.paragraphs, 200.0, show_deleted=True)
    before = list(dl.tops)
    model.paragraphs[0].tokens[0].text = "x" * 150  # a long correction: more lines
    dl.relayout({0})
    grow = dl.tops[1] - before[1]
    assert grow > 0
    assert all(abs((a - b) - grow) < 1e-9 for a, b in zip(dl.tops[1:], before[1:], strict=True))


def test_changed_spans_are_the_symmetric_difference() -> None:
    from editor.viewmodel import Selection
    from editor.viewmodel.selection import changed_spans

    def sel(a: int, b: int) -> Selection:
        return Selection(f"w{a}", f"w{b}", a, b, a)

    assert changed_spans(None, sel(2, 4)) == [(2, 4)]
    assert changed_spans(sel(2, 4), None) == [(2, 4)]
    assert changed_spans(sel(2, 4), sel(2, 6)) == [(5, 6)]
    assert changed_spans(sel(2, 6), sel(4, 6)) == [(2, 3)]
    assert changed_spans(sel(2, 6), sel(0, 9)) == [(0, 1), (7, 9)]
    assert changed_spans(sel(0, 1), sel(5, 6)) == [(0, 1), (5, 6)]
    assert changed_spans(sel(3, 3), sel(3, 3)) == []
