"""The transcript view under pytest-qt, offscreen: selection, requests, editing, find, playing."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from editor.ui.transcript import TranscriptView
from editor.viewmodel import Style, TranscriptModel
from tests.ui.transcript.conftest import Harness


def centre(view: TranscriptView, word_id: str) -> QPoint:
    tok = view.model.word(word_id)
    assert tok is not None
    r = view.token_rect(tok)
    assert r is not None
    return r.center().toPoint()


def sel_ids(view: TranscriptView) -> tuple[str, str] | None:
    sel = view.selection()
    return None if sel is None else (sel.first, sel.last)


def test_click_selects_the_word_and_says_so(qtbot, view: TranscriptView) -> None:
    with qtbot.waitSignal(view.selectionChanged) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre(view, "w3"))
    assert blocker.args[0].first == "w3" and sel_ids(view) == ("w3", "w3")
    assert view.hasFocus()


def test_shift_click_extends_from_the_anchor(qtbot, view: TranscriptView) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre(view, "w6"))
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        centre(view, "w2"),
    )
    assert sel_ids(view) == ("w2", "w6")


def test_drag_selects_word_by_word(qtbot, view: TranscriptView) -> None:
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=centre(view, "w1"))
    qtbot.mouseMove(vp, centre(view, "w4"))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=centre(view, "w4"))
    assert sel_ids(view) == ("w1", "w4")


def test_double_click_asks_to_play_from_the_word(qtbot, view: TranscriptView) -> None:
    with qtbot.waitSignal(view.seekRequested) as blocker:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre(view, "w5"))
    assert blocker.args == ["w5"]


def test_select_and_delete_cuts_the_kept_runs(
    qtbot, view: TranscriptView, harness: Harness
) -> None:
    harness.cut([("w3", "w3")])
    view.select_range("w1", "w5")
    with qtbot.waitSignal(view.cutRequested) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert blocker.args == [[("w1", "w5")]]
    assert all(view.model.word(f"w{i}").style & Style.DELETED for i in range(1, 6))
    # The caret moved on to the next kept word, so Delete again cuts on, like in an editor.
    assert sel_ids(view) == ("w6", "w6")
    with qtbot.waitSignal(view.cutRequested) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert blocker.args == [[("w6", "w6")]] and sel_ids(view) == ("w7", "w7")
    # Backspace cuts and steps back, over the struck words, to the kept word before them.
    with qtbot.waitSignal(view.cutRequested):
        qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert sel_ids(view) == ("w0", "w0")
    # A selection that is all struck: the same key brings it back.
    view.select_range("w1", "w5")
    with qtbot.waitSignal(view.restoreRequested) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert blocker.args == [[("w1", "w5")]]
    assert not any(view.model.word(f"w{i}").style & Style.DELETED for i in range(1, 6))


def test_restore_key_restores_only_the_struck_words(
    qtbot, view: TranscriptView, harness: Harness
) -> None:
    harness.cut([("w2", "w2"), ("w4", "w4")])
    view.select_range("w1", "w5")
    with qtbot.waitSignal(view.restoreRequested) as blocker:
        qtbot.keyClick(
            view,
            Qt.Key.Key_R,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert blocker.args == [[("w2", "w2"), ("w4", "w4")]]


def test_arrow_keys_move_and_shift_extends(qtbot, view: TranscriptView) -> None:
    view.setFocus()
    view.select_range("w3", "w3")
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert sel_ids(view) == ("w4", "w4")
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert sel_ids(view) == ("w4", "w6")
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert sel_ids(view) == ("w4", "w5")
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert sel_ids(view) == ("w4", "w4")


def test_ctrl_arrows_jump_by_sentence(qtbot, view: TranscriptView) -> None:
    # "Hello and welcome to the show." is w0..w5; "Today" is w6.
    view.select_range("w2", "w2")
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert sel_ids(view) == ("w6", "w6")
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert sel_ids(view) == ("w0", "w0")
    qtbot.keyClick(
        view,
        Qt.Key.Key_Right,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert sel_ids(view) == ("w0", "w6")


def test_down_goes_to_the_line_below_and_home_end_to_its_ends(qtbot, view: TranscriptView) -> None:
    view.select_range("w0", "w0")
    qtbot.keyClick(view, Qt.Key.Key_End)
    sel = view.selection()
    assert sel is not None
    end_tok = view.model.words[sel.first_ordinal]
    line0 = view.doc_layout.line_of(end_tok.para, end_tok.index)
    next_tok = view.model.words[sel.first_ordinal + 1]
    assert view.doc_layout.line_of(next_tok.para, next_tok.index) == line0 + 1
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert sel_ids(view) == ("w0", "w0")
    qtbot.keyClick(view, Qt.Key.Key_Down)
    below = view.model.words[view.selection().first_ordinal]
    assert view.doc_layout.line_of(below.para, below.index) == 1
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert sel_ids(view) == ("w0", "w0")


def test_ctrl_down_goes_to_the_next_speaker_turn(qtbot, view: TranscriptView) -> None:
    view.select_range("w1", "w1")
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    first_of_bob = view.model.paragraphs[1].tokens[0].key
    assert sel_ids(view) == (first_of_bob, first_of_bob)


def test_select_all_and_copy(qtbot, view: TranscriptView, harness: Harness) -> None:
    view.select_range("w0", "w4")
    harness.cut([("w1", "w1")])
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "Hello welcome to the"
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    sel = view.selection()
    assert sel is not None and len(sel) == len(view.model.words)


def test_correct_a_word_in_place(qtbot, view: TranscriptView, harness: Harness) -> None:
    view.select_range("w2", "w2")
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view._overlay
    qtbot.waitUntil(editor.isVisible)
    assert editor.text() == "welcome"
    editor.selectAll()
    qtbot.keyClicks(editor, "welcome back")
    with qtbot.waitSignal(view.correctRequested) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert blocker.args == ["w2", "welcome back"]
    assert not editor.isVisible()
    tok = view.model.word("w2")
    assert tok.text == "welcome back" and tok.style & Style.CORRECTED
    assert view.hasFocus()


def test_escape_cancels_a_correction(qtbot, view: TranscriptView) -> None:
    view.correct_word("w2")
    editor = view._overlay
    qtbot.waitUntil(editor.isVisible)
    qtbot.keyClicks(editor, "nonsense")
    with qtbot.assertNotEmitted(view.correctRequested):
        qtbot.keyClick(editor, Qt.Key.Key_Escape)
        QApplication.processEvents()
    assert not editor.isVisible()


def test_find_steps_through_hits_and_cuts_them_all(
    qtbot, view: TranscriptView, harness: Harness
) -> None:
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = view.find_bar()
    qtbot.waitUntil(bar.isVisible)
    qtbot.keyClicks(bar.edit, "the show")
    assert len(bar.hits) == 2 and bar.count.text() == "1 of 2"
    first = bar.hits[0]
    assert sel_ids(view) == first
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert sel_ids(view) == bar.hits[1] and bar.count.text() == "2 of 2"
    hits = bar.hits
    with qtbot.waitSignal(view.cutRequested) as blocker:
        qtbot.mouseClick(bar.cut_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [hits]
    assert bar.count.text() == "no matches"
    for a, _ in hits:
        assert view.model.word(a).style & Style.DELETED
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert not any(t.style & Style.MATCH for t in view.model.words)


def test_hiding_deleted_words_takes_them_out_of_the_text(
    qtbot, view: TranscriptView, harness: Harness
) -> None:
    harness.cut([("w1", "w3")])
    height = view.doc_layout.height
    assert view.token_rect(view.model.word("w2")) is not None
    view.set_show_deleted(False)
    assert view.token_rect(view.model.word("w2")) is None
    assert view.doc_layout.height <= height
    # Later cuts disappear at once while hidden; the keys skip nothing that is shown.
    harness.cut([("w5", "w5")])
    assert view.token_rect(view.model.word("w5")) is None
    view.set_show_deleted(True)
    assert view.token_rect(view.model.word("w5")) is not None


def test_playing_word_is_highlighted_and_followed(qtbot, view: TranscriptView) -> None:
    view.resize(640, 200)
    last = view.model.words[-1]
    assert view.token_rect(last).top() > view.viewport().height()  # off screen
    view.set_playing_word(last.key)
    r = view.token_rect(last)
    assert r.top() >= 0 and r.bottom() <= view.viewport().height()
    assert last.style & Style.PLAYING
    img = view.viewport().grab().toImage()
    px = img.pixelColor(int(r.left()) - 1, int(r.center().y()))  # the band, not a glyph
    assert px == view._colors.playing_bg
    view.set_playing_word(None)
    assert not last.style & Style.PLAYING


def test_ensure_visible_scrolls_only_when_needed(qtbot, view: TranscriptView) -> None:
    view.resize(640, 200)
    bar = view.verticalScrollBar()
    view.ensure_visible("w1")
    assert bar.value() == 0
    far = view.model.words[-1].key
    view.ensure_visible(far)
    r = view.token_rect(view.model.word(far))
    assert bar.value() > 0 and r.bottom() <= view.viewport().height()


def test_struck_word_is_repainted_dimmed(qtbot, view: TranscriptView, harness: Harness) -> None:
    tok = view.model.word("w0")

    def darkest() -> int:
        r = view.token_rect(tok).toAlignedRect()
        img = view.viewport().grab(r).toImage()
        return min(
            img.pixelColor(x, y).lightness()
            for x in range(img.width())
            for y in range(img.height())
        )

    before = darkest()
    harness.cut([("w0", "w0")])
    qtbot.waitUntil(lambda: darkest() > before + 40)


def test_model_reset_relays_out_and_keeps_working(
    qtbot, view: TranscriptView, model: TranscriptModel
) -> None:
    from tests.ui.transcript.conftest import talk

    model.reset(talk())
    view.select_range("w0", "w2")
    with qtbot.waitSignal(view.cutRequested):
        qtbot.keyClick(view, Qt.Key.Key_Delete)


def test_ready_is_emitted_once(qtbot, model: TranscriptModel) -> None:
    v = TranscriptView(model)
    qtbot.addWidget(v)
    seen: list[int] = []
    v.ready.connect(lambda: seen.append(1))
    v.resize(300, 200)
    with qtbot.waitSignal(v.ready):
        v.show()
    v.viewport().repaint()
    QApplication.processEvents()
    assert seen == [1]


def test_the_view_stops_listening_when_deleted(qtbot, model: TranscriptModel) -> None:
    v = TranscriptView(model)
    before = len(model._listeners)
    v.deleteLater()
    qtbot.waitUntil(lambda: len(model._listeners) == before - 1)


def test_assistive_technology_hears_the_selection(
    qtbot, view: TranscriptView, harness: Harness
) -> None:
    from PySide6.QtGui import QAccessible

    iface = QAccessible.queryAccessibleInterface(view)
    assert iface.text(QAccessible.Text.Name) == "Transcript"
    assert iface.role() == QAccessible.Role.Document
    assert f"{len(view.model.words)} words" in iface.text(QAccessible.Text.Description)
    harness.cut([("w1", "w1")])
    view.select_range("w0", "w2")
    assert iface.text(QAccessible.Text.Value) == "Hello and welcome (3 words selected, 1 cut)"
    view.clear_selection()
    view.set_playing_word("w4")
    assert iface.text(QAccessible.Text.Value) == "playing: the"


def test_dragging_past_the_bottom_edge_scrolls_and_extends(qtbot, view: TranscriptView) -> None:
    view.resize(640, 160)
    vp = view.viewport()
    bar = view.verticalScrollBar()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=centre(view, "w0"))
    below = QPoint(200, vp.height() + 40)
    qtbot.mouseMove(vp, below)
    qtbot.waitUntil(lambda: bar.value() > 2 * view.metrics.line_height)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=below)
    sel = view.selection()
    assert sel is not None and sel.first == "w0" and len(sel) > 10
    assert not view.interaction._autoscroll.isActive()  # stops with the button


def test_keys_skip_hidden_struck_words(qtbot, view: TranscriptView, harness: Harness) -> None:
    harness.cut([("w3", "w5")])
    view.set_show_deleted(False)
    view.select_range("w2", "w2")
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert sel_ids(view) == ("w6", "w6")
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert sel_ids(view) == ("w2", "w2")
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert sel_ids(view) == ("w2", "w6")


def test_the_playhead_does_not_pull_the_text_away_while_correcting(
    qtbot, view: TranscriptView
) -> None:
    view.resize(640, 200)
    view.correct_word("w1")
    qtbot.waitUntil(view._overlay.isVisible)
    view.set_playing_word(view.model.words[-1].key)
    assert view.verticalScrollBar().value() == 0
    assert view.model.words[-1].style & Style.PLAYING


def test_context_menu_offers_the_requests(qtbot, view: TranscriptView, harness: Harness) -> None:
    from editor.ui.transcript.menu import build_menu

    view.select_range("w1", "w3")
    menu = build_menu(view)
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert actions["Cut"].isEnabled() and not actions["Restore"].isEnabled()
    assert actions["Show deleted words"].isChecked()
    with qtbot.waitSignal(view.cutRequested) as blocker:
        actions["Cut"].trigger()
    assert blocker.args == [[("w1", "w3")]]
    menu.deleteLater()
    menu = build_menu(view)
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert actions["Restore"].isEnabled() and not actions["Cut"].isEnabled()
    actions["Show deleted words"].trigger()
    assert not view.show_deleted()
    menu.deleteLater()


def test_a_dark_palette_repaints_dark(qtbot, view: TranscriptView) -> None:
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette(view.palette())
    pal.setColor(QPalette.ColorRole.Base, QColor("#18191b"))
    pal.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    view.setPalette(pal)
    assert view._colors.dark
    img = view.viewport().grab().toImage()
    assert img.pixelColor(2, img.height() - 2) == QColor("#18191b")
    word = view.token_rect(view.model.word("w0"))
    ink = [
        img.pixelColor(x, int(word.center().y())).lightness()
        for x in range(int(word.left()), int(word.right()))
    ]
    assert max(ink) > 150  # light text on the dark base


def test_marked_words_and_pauses_explain_themselves(
    qtbot, view: TranscriptView, harness: Harness
) -> None:
    from editor.ui.transcript import tooltips
    from sync.ops import SetPause

    unsure = next(t for t in view.model.words if t.text == "waveforms")
    assert "Unsure transcription (30%)" in tooltips.tooltip_for(view, unsure)
    harness.correct("w2", "welcomes")
    assert "heard as “welcome”" in tooltips.tooltip_for(view, view.model.word("w2"))
    assert tooltips.tooltip_for(view, view.model.word("w0")) is None  # plain: no noise
    pause = next(t for p in view.model.paragraphs for t in p.tokens if t.key.startswith("pause:"))
    harness.commit(SetPause(pause.word, 0.5))
    text = tooltips.tooltip_for(view, pause)
    assert text.startswith("Pause of ") and text.endswith("shortened to 0.5s")
    r = view.token_rect(unsure)
    assert tooltips.token_at(view, r.center()) is unsure


def test_page_keys_move_a_screen_and_ctrl_home_end_the_ends(qtbot, view: TranscriptView) -> None:
    view.resize(640, 200)
    view.select_range("w0", "w0")
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    sel = view.selection()
    assert sel is not None
    tok = view.model.words[sel.first_ordinal]
    assert view.doc_layout.token_rect(tok.para, tok.index)[1] > 100  # about a screen down
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    last = view.model.words[-1]
    assert sel_ids(view) == (last.key, last.key)
    r = view.token_rect(last)
    assert r.bottom() <= view.viewport().height()
    qtbot.keyClick(
        view,
        Qt.Key.Key_Home,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert sel_ids(view) == ("w0", last.key)
    assert view.verticalScrollBar().value() == 0


def test_an_empty_transcript_shows_its_heading_and_ignores_input(qtbot) -> None:
    from sync.document import Document

    v = TranscriptView(TranscriptModel(Document()))
    qtbot.addWidget(v)
    v.resize(400, 300)
    with qtbot.waitSignal(v.ready):
        v.show()
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_End, Qt.Key.Key_Delete):
        qtbot.keyClick(v, key)
    qtbot.keyClick(v, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(v.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    assert v.selection() is None
    img = v.viewport().grab().toImage()
    assert any(
        img.pixelColor(x, y).lightness() < 100 for x in range(20, 200) for y in range(10, 60)
    )  # the heading "Episode" is drawn


def test_text_drawn_again_is_kept_prepared(qtbot, view: TranscriptView) -> None:
    metrics = view.metrics
    QApplication.processEvents()  # nothing pending
    metrics.forget_runs()
    view.viewport().repaint()  # first sight: drawText, remembered
    # (the fixture's talk repeats its turns, so a few lines are on screen twice already)
    assert metrics._seen and len(metrics._static) < len(metrics._seen)
    view.viewport().repaint()  # second: prepared once, kept
    assert set(metrics._static) == set(metrics._seen)


def test_hidden_cuts_leave_a_tick_in_the_gap(qtbot, view: TranscriptView, harness: Harness) -> None:
    harness.cut([("w3", "w5")])
    view.set_show_deleted(False)
    left, right = view.token_rect(view.model.word("w2")), view.token_rect(view.model.word("w6"))
    assert right.left() - left.right() == 2 * view.metrics.space  # room for the mark
    img = view.viewport().grab().toImage()
    y = int(left.center().y())
    gap = [img.pixelColor(x, y) for x in range(int(left.right()) + 1, int(right.left()))]
    assert any(px != view._colors.base for px in gap)
    view.set_show_deleted(True)
    lay = view.doc_layout
    assert all(not layout.cuts for layout in lay.layouts)


def test_the_correction_editor_follows_its_word_when_the_text_moves(
    qtbot, view: TranscriptView, harness: Harness
) -> None:
    view.correct_word("w5")
    editor = view._overlay
    qtbot.waitUntil(editor.isVisible)
    before = editor.geometry().left()
    harness.correct("w1", "a much much longer word")  # pushes w5 to the right or down
    r = view.token_rect(view.model.word("w5"))
    assert editor.geometry().left() != before
    assert abs(editor.geometry().center().y() - r.center().y()) <= 2


def test_clicking_a_speaker_selects_the_turn_and_a_heading_the_section(
    qtbot, view: TranscriptView, harness: Harness
) -> None:
    from sync.ops import SplitSection

    bob = view.model.paragraphs[1]
    first = bob.tokens[0]
    harness.commit(SplitSection(first.key, "Bob's part", "s1"))
    lay = view.doc_layout
    paras = view.model.paragraphs
    bob_p = next(p for p in paras if p.heading == "Bob's part")
    top = lay.tops[bob_p.index] - view.scroll_y()
    heading_y = int(top + view.metrics.heading_height / 2)
    speaker_y = int(top + view.metrics.heading_height + view.metrics.speaker_height / 2)
    x = int(view.column()[0] + 10)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, speaker_y))
    words = [t for t in bob_p.tokens if t.is_word]
    assert sel_ids(view) == (words[0].key, words[-1].key)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, heading_y))
    section = [t for p in paras if p.section == "s1" for t in p.tokens if t.is_word]
    assert sel_ids(view) == (section[0].key, section[-1].key)
    assert len(section) > len(words)
