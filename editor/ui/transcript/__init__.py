"""The transcript view: the episode's words, edited like a document.

The contract with the app shell (keep it stable)::

    from editor.ui.transcript import TranscriptView
    from editor.viewmodel import TranscriptModel

    model = TranscriptModel(session.document)
    session.subscribe(model.apply)          # every committed change, after commit
    view = TranscriptView(model, parent=None)

Signals (all emitted on the GUI thread; the view never submits ops or touches the store —
the shell turns requests into ops through the session):

- ``selectionChanged(object)`` — an ``editor.viewmodel.Selection`` (``first`` / ``last`` word
  ids, ordinals, anchor) or ``None``;
- ``seekRequested(str)`` — a word id to play from (double-click, Enter, "Play from here");
- ``cutRequested(object)`` — a list of ``(first_id, last_id)`` runs to delete (Delete /
  Backspace, "Cut", find's "Cut all"); struck words inside a selection never split a run;
  after Delete / Backspace the selection moves on to the next / previous kept word;
- ``restoreRequested(object)`` — the same, for runs of struck words to restore;
- ``correctRequested(str, str)`` — word id, new text (the in-place editor: F2, menu);
- ``ready()`` — once, after the first full paint (``wordcut app --screenshot`` waits on it);
- ``contextMenuAboutToShow(QMenu)`` — the shell may add actions to the context menu.

Methods: ``set_playing_word(word_id | None)``, ``set_show_deleted(bool)``,
``select_range(first_id, last_id)``, ``selection()``, ``ensure_visible(word_id)``,
``find_bar()``, ``correct_word(word_id)``.

The model is fed by the shell, on the GUI thread: ``model.apply(change)`` for each committed
``sync.events.Change`` from the authority, ``model.reset(document)`` for a whole new
document. Keys and mouse: see :mod:`editor.ui.transcript.interaction`.
"""

from editor.ui.transcript.view import TranscriptView

__all__ = ["TranscriptView"]
