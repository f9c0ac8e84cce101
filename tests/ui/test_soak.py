"""A scripted session of random edits, playback and undo in the real window (fake audio
device). Short by default; ``WORDCUT_SOAK_SECONDS=1800`` runs the 30-minute session of the bar.

After every step: the transcript model shows the document's words, the session's version is
what the library stored, and nothing reached the error route as a bug. At the end the project,
reloaded from the library in a fresh session, is exactly the document on screen.
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from tests.playback.fakes import FakeBackend

STEPS = 80
SECONDS = float(os.environ.get("WORDCUT_SOAK_SECONDS", "0"))


def _actions(w: Any, backend: FakeBackend, rnd: random.Random) -> list[Any]:
    c, t = w.controller, w.transport

    def words() -> list[str]:
        return [tok.key for tok in w.model.words]

    def cut() -> None:
        ids = words()
        i = rnd.randrange(len(ids))
        c.cut([(ids[i], ids[min(len(ids) - 1, i + rnd.randrange(6))])])

    def restore() -> None:
        ids = words()
        i = rnd.randrange(len(ids))
        w.view.select_range(ids[i], ids[min(len(ids) - 1, i + 20)])
        c.restore(w.model.restore_runs())

    def correct() -> None:
        c.correct(rnd.choice(words()), rnd.choice(["fixed", "Wordcut", "podcast", "hello"]))

    def play() -> None:
        t.toggle()
        if t.playing:
            for _ in range(rnd.randrange(1, 8)):
                backend.stream.run(rnd.choice([256, 480, 4800]))
                t._poll()

    def seek() -> None:
        t.seek(rnd.random() * t.duration())

    def view() -> None:
        rnd.choice(
            [
                w.acts.show_deleted.toggle,
                w.acts.source_timeline.toggle,
                w.acts.zoom_in.trigger,
                w.acts.zoom_out.trigger,
                w.acts.zoom_fit.trigger,
            ]
        )()

    return [cut, cut, cut, restore, correct, c.undo, c.undo, c.redo, play, play, seek, view]


@pytest.mark.timeout(SECONDS + 300)
def test_random_session_never_breaks(window: Any, ctx: Any, qtbot: Any) -> None:
    from editor.playback import Player
    from editor.session import load_document

    backend = FakeBackend()
    ctx.player_factory = lambda edl, words, device: Player(
        edl, words=words, backend=backend, clock=backend.clock
    )
    w = window
    rnd = random.Random(20261201)
    actions = _actions(w, backend, rnd)
    end = time.monotonic() + SECONDS
    step = 0
    while step < STEPS or time.monotonic() < end:
        rnd.choice(actions)()
        QApplication.processEvents()  # repaints, queued player events
        if step % 10 == 9:  # and now and then let the edits settle (panels, word, shading)
            qtbot.waitUntil(lambda: not w.controller._settle.isActive())
        doc = w.controller.document
        assert len(w.model.words) == len(doc.words)
        assert w.controller.version == ctx.store.head_version(w.project.id)
        assert not [m for m, bug, _ in ctx.errors.history if bug]
        step += 1
    print(f"{step} random steps in {time.monotonic() - end + SECONDS:.0f} s")
    w.transport.pause()
    fresh = load_document(ctx.store, w.project.id)
    assert fresh.content_hash() == w.controller.document.content_hash()
