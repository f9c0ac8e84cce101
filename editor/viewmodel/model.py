"""The transcript view model: what the transcript view shows, kept current edit by edit.

Qt-free on purpose (STYLE.md practice 2): it holds paragraphs of tokens shaped from a
``sync.Document``, the selection, the find hits and the playing word, and tells subscribers
exactly what changed in an :class:`Update` — the tokens restyled in place (repaint their
rectangles), the paragraphs whose text changed (lay them out again), or a new structure
(everything). The shell feeds it: ``apply(change)`` for every committed change from the
authority, ``reset(document)`` when a whole new document arrives (open, resync). It never
submits edits; it only answers questions the view asks (which runs would a cut remove, what
text does a copy take).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from editor.viewmodel.build import PAUSE_FROM, Built, build, pause_shape, word_style
from editor.viewmodel.changes import Delta, delta_of
from editor.viewmodel.search import Finder
from editor.viewmodel.selection import Selection
from editor.viewmodel.tokens import Kind, Paragraph, Style, Token
from sync.document import Document, id_runs
from sync.events import Change

log = logging.getLogger(__name__)

_VIEW_FLAGS = Style.PLAYING | Style.MATCH
"""Flags the model sets itself (not read from the document); restyles keep them."""


@dataclass(frozen=True, slots=True)
class Update:
    """What changed in the model since the last update, for a view to redraw just that."""

    structure: bool = False
    """The paragraphs were replaced: every layout is stale."""
    relayout: frozenset[int] = frozenset()
    """Paragraphs whose tokens changed text (their width) and must be laid out again."""
    restyled: tuple[Token, ...] = ()
    """Tokens whose style changed in place (same text)."""
    selection: bool = False
    """The selection was changed by the model (re-anchored or dropped after an edit)."""


Listener = Callable[[Update], None]


class TranscriptModel:
    """Paragraphs and tokens of one document, with the selection, find hits and playing word."""

    def __init__(self, document: Document, *, pause_from: float = PAUSE_FROM) -> None:
        self._pause_from = pause_from
        self._listeners: list[Listener] = []
        self._doc = document
        self._built: Built = build(document, pause_from=pause_from)
        self._selection: Selection | None = None
        self._playing: Token | None = None
        self._matches: list[tuple[str, str]] = []
        self._phrase = ""
        self._finder = Finder()

    # --- reading ---------------------------------------------------------------------------

    @property
    def document(self) -> Document:
        return self._doc

    @property
    def paragraphs(self) -> list[Paragraph]:
        return self._built.paragraphs

    @property
    def words(self) -> list[Token]:
        """Word tokens in program order (``words[i].ordinal == i``)."""
        return self._built.words

    def __len__(self) -> int:
        return len(self._built.words)

    def token(self, key: str) -> Token | None:
        """The token with this key (a word id, ``pause:<id>``, ``overdub:<id>``), if shown."""
        return self._built.by_key.get(key)

    def word(self, word_id: str) -> Token | None:
        tok = self._built.by_key.get(word_id)
        return tok if tok is not None and tok.kind is Kind.WORD else None

    def pause_length(self, word_id: str) -> float | None:
        """The silence after a word as shown in its pause token (``None`` if none is shown)."""
        gap = self._built.gaps.get(word_id)
        return gap[0] if gap is not None else None

    @property
    def playing(self) -> str | None:
        return self._playing.key if self._playing is not None else None

    # --- subscribing -----------------------------------------------------------------------

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Call ``fn`` with every :class:`Update`; returns a function that unsubscribes."""
        self._listeners.append(fn)

        def unsubscribe() -> None:
            if fn in self._listeners:
                self._listeners.remove(fn)

        return unsubscribe

    def _emit(self, update: Update) -> None:
        for fn in list(self._listeners):
            try:
                fn(update)
            except Exception:  # one broken view must not stop the others
                log.exception("a transcript model listener failed")

    # --- feeding ---------------------------------------------------------------------------

    def reset(self, document: Document) -> None:
        """Show a whole new document (opened, reloaded, resynced)."""
        self._doc = document
        self._rebuild()

    def apply(self, change: Change) -> None:
        """Bring the model up to date with one committed change of its document."""
        delta = delta_of(change)
        if delta.structure:
            self._rebuild()
            return
        self._apply_delta(delta)

    def _rebuild(self) -> None:
        playing = self.playing
        self._built = build(self._doc, pause_from=self._pause_from)
        self._playing = None
        if playing is not None:
            tok = self._built.by_key.get(playing)
            if tok is not None:
                tok.style |= Style.PLAYING
                self._playing = tok
        # The find hits are re-marked on the new shapes (the phrase is still being looked at).
        self._matches = self._finder.find(self._built.words, self._phrase)
        for tok in self._match_tokens(self._matches):
            tok.style |= Style.MATCH
        sel_changed = self._reanchor_selection()
        self._emit(Update(structure=True, selection=sel_changed))

    def _reanchor_selection(self) -> bool:
        sel = self._selection
        if sel is None:
            return False
        a, b = self.word(sel.first), self.word(sel.last)
        if a is None or b is None or a.ordinal > b.ordinal:
            self._selection = None
            return True
        anchor = a.ordinal if sel.anchor_ordinal == sel.first_ordinal else b.ordinal
        new = Selection(a.key, b.key, a.ordinal, b.ordinal, anchor)
        self._selection = new
        return new != sel

    def _apply_delta(self, delta: Delta) -> None:
        doc, built = self._doc, self._built
        restyled: dict[str, Token] = {}
        relayout: set[int] = set()
        words = built.words
        pauses_touched: set[str] = set(delta.pauses)
        n = len(words)
        if any(stop > n for _, stop in delta.status + delta.text) or len(doc) != n:
            self._rebuild()  # positions this model never saw: start over
            return
        for start, stop in delta.status:
            for tok in words[start:stop]:
                if self._restyle_word(tok):
                    restyled[tok.key] = tok
                pauses_touched.add(tok.key)
            if start > 0:
                pauses_touched.add(words[start - 1].key)
        for start, stop in delta.text:
            for fixed in words[start:stop]:
                wid = fixed.key
                text = doc.text_of(wid)
                if text != fixed.text:
                    fixed.text = text
                    relayout.add(fixed.para)
                if self._restyle_word(fixed):
                    restyled[wid] = fixed
        # Per-id lookups, not the document's set/dict copies: an edit costs what it touches.
        gone = doc.is_deleted
        for wid in pauses_touched:
            pause = built.pauses.get(wid)
            if pause is None:
                continue
            gap, nxt = built.gaps[wid]
            label, style = pause_shape(gap, doc.pause_after(wid), gone(wid), gone(nxt))
            if label != pause.text:
                pause.text = label
                relayout.add(pause.para)
            style |= pause.style & _VIEW_FLAGS
            if style != pause.style:
                pause.style = style
                restyled[pause.key] = pause
        for sid in delta.renamed:
            name = doc.section(sid).name
            for para in built.paragraphs:
                if para.section == sid and para.heading is not None:
                    para.heading = name
                    relayout.add(para.index)
        if restyled or relayout:
            self._emit(Update(relayout=frozenset(relayout), restyled=tuple(restyled.values())))

    def _restyle_word(self, tok: Token) -> bool:
        """Recompute a word token's document flags; whether its style changed."""
        doc = self._doc
        w = doc.words_by_id()[tok.key]
        corrected = doc.text_of(tok.key) != w.text
        style = word_style(w, doc.is_deleted(tok.key), corrected) | (tok.style & _VIEW_FLAGS)
        if style == tok.style:
            return False
        tok.style = style
        return True

    # --- playing word ----------------------------------------------------------------------

    def set_playing(self, word_id: str | None) -> Token | None:
        """Mark the word under the playhead (``None``: nothing plays); returns its token."""
        old = self._playing
        new = self.word(word_id) if word_id is not None else None
        if new is old:
            return new
        changed: list[Token] = []
        if old is not None:
            old.style &= ~Style.PLAYING
            changed.append(old)
        if new is not None:
            new.style |= Style.PLAYING
            changed.append(new)
        self._playing = new
        self._emit(Update(restyled=tuple(changed)))
        return new

    # --- selection -------------------------------------------------------------------------

    @property
    def selection(self) -> Selection | None:
        return self._selection

    def select(self, anchor: int, caret: int) -> Selection | None:
        """Select the words between two ordinals (either order; clamped to the transcript)."""
        n = len(self._built.words)
        if n == 0:
            self._selection = None
            return None
        anchor = min(max(anchor, 0), n - 1)
        caret = min(max(caret, 0), n - 1)
        lo, hi = min(anchor, caret), max(anchor, caret)
        words = self._built.words
        self._selection = Selection(words[lo].key, words[hi].key, lo, hi, anchor)
        return self._selection

    def select_ids(self, first: str, last: str) -> Selection | None:
        """Select ``first``..``last`` by word id; unknown ids select nothing and return None."""
        a, b = self.word(first), self.word(last)
        if a is None or b is None:
            return None
        return self.select(a.ordinal, b.ordinal)

    def clear_selection(self) -> None:
        self._selection = None

    def selected_tokens(self, sel: Selection | None = None) -> list[Token]:
        sel = sel if sel is not None else self._selection
        if sel is None:
            return []
        return self._built.words[sel.first_ordinal : sel.last_ordinal + 1]

    def cut_runs(self, sel: Selection | None = None) -> list[tuple[str, str]]:
        """The ``(first, last)`` runs a cut of the selection deletes (its kept words).

        Struck words inside the selection neither start nor break a run, so a selection over
        an earlier cut is one delete, as the document would merge it.
        """
        return id_runs(
            (t.key for t in self.selected_tokens(sel)),
            lambda i: None if self._style(i) & Style.DELETED else True,
        )

    def restore_runs(self, sel: Selection | None = None) -> list[tuple[str, str]]:
        """The ``(first, last)`` runs of struck words in the selection (what restore revives)."""
        return id_runs(
            (t.key for t in self.selected_tokens(sel)),
            lambda i: bool(self._style(i) & Style.DELETED),
        )

    def _style(self, key: str) -> int:
        return self._built.by_key[key].style

    def selected_text(self, sel: Selection | None = None) -> str:
        """The selection as plain text: its kept words (all of them if every one is struck),
        one line per paragraph."""
        toks = self.selected_tokens(sel)
        keep = [t for t in toks if not t.style & Style.DELETED] or toks
        lines: list[list[str]] = []
        para = -1
        for t in keep:
            if t.para != para:
                lines.append([])
                para = t.para
            lines[-1].append(t.text)
        return "\n".join(" ".join(line) for line in lines)

    # --- find ------------------------------------------------------------------------------

    @property
    def matches(self) -> list[tuple[str, str]]:
        return list(self._matches)

    def find(self, phrase: str) -> list[tuple[str, str]]:
        """Mark every occurrence of ``phrase`` (whole words, case and punctuation ignored,
        struck words skipped) and return them as ``(first, last)`` runs in program order."""
        self._phrase = phrase
        found = self._finder.find(self._built.words, phrase)
        changed: dict[str, Token] = {}
        for tok in self._match_tokens(self._matches):
            tok.style &= ~Style.MATCH
            changed[tok.key] = tok
        self._matches = found
        for tok in self._match_tokens(found):
            tok.style |= Style.MATCH
            changed[tok.key] = tok
        if changed:
            self._emit(Update(restyled=tuple(changed.values())))
        return list(found)

    def clear_find(self) -> None:
        self.find("")

    def _match_tokens(self, runs: Iterable[tuple[str, str]]) -> list[Token]:
        out: list[Token] = []
        for a, b in runs:
            ta, tb = self.word(a), self.word(b)
            if ta is not None and tb is not None:
                out.extend(self._built.words[ta.ordinal : tb.ordinal + 1])
        return out
