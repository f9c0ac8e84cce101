"""Fixtures for the transcript view: a small two-host document, its model, and a shown view.

``Harness`` plays the shell's part: it turns the view's requests into ops on the document and
feeds each committed change back to the model, as the app does through the session.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest

from editor.viewmodel import TranscriptModel
from sync.document import Document
from sync.events import Change, Event
from sync.model import TrackRef, Word
from sync.ops import AddTranscript, Correct, Delete, Op, Restore

TEXT_A = (
    "Hello and welcome to the show. Today we talk about audio editing with transcripts, "
    "which is a lot faster than cutting waveforms by hand. um Let us start."
)
TEXT_B = (
    "Thanks for having me. I have been editing podcasts for years and the biggest change "
    "was being able to read what was said. you know It saves hours every week."
)


def talk() -> Document:
    """Two hosts in four turns (about 100 words), fillers flagged, one unsure word."""
    doc = Document()
    words: dict[str, list[Word]] = {"a": [], "b": []}
    t = 0.0
    n = 0
    for turn, (track, text) in enumerate(
        [("a", TEXT_A), ("b", TEXT_B), ("a", TEXT_A), ("b", TEXT_B)]
    ):
        for token in text.split():
            filler = token in ("um", "you", "know")
            conf = 0.3 if token == "waveforms" else 0.95
            words[track].append(Word(f"w{n}", track, token, t, t + 0.25, conf, None, filler))
            n += 1
            t += 0.32
        t += 1.5 + turn
    for track, label in (("a", "Ann"), ("b", "Bob")):
        doc.apply(AddTranscript(TrackRef(track, label, t + 1), tuple(words[track])))
    return doc


class Harness:
    """The shell's part: requests become ops; committed changes go back to the model."""

    def __init__(self, doc: Document, model: TranscriptModel) -> None:
        self.doc = doc
        self.model = model
        self.ops: list[Op] = []

    def commit(self, op: Op) -> None:
        events: list[Event] = []
        self.doc.apply(op, events)
        self.ops.append(op)
        self.model.apply(Change(self.doc.version, tuple(events), None))

    def cut(self, runs: list[tuple[str, str]]) -> None:
        for a, b in runs:
            self.commit(Delete(a, b))

    def restore(self, runs: list[tuple[str, str]]) -> None:
        for a, b in runs:
            self.commit(Restore(a, b))

    def correct(self, word: str, text: str) -> None:
        self.commit(Correct(word, text))


@pytest.fixture
def doc() -> Document:
    return talk()


@pytest.fixture
def model(doc: Document) -> TranscriptModel:
    return TranscriptModel(doc)


@pytest.fixture
def view(qtbot, model: TranscriptModel) -> Iterator[object]:
    from editor.ui.transcript import TranscriptView

    v = TranscriptView(model)
    qtbot.addWidget(v)
    v.resize(640, 420)
    with qtbot.waitSignal(v.ready, timeout=5000):
        v.show()
    yield v


@pytest.fixture
def harness(doc: Document, model: TranscriptModel, view: object) -> Harness:
    h = Harness(doc, model)
    view.cutRequested.connect(h.cut)  # type: ignore[attr-defined]
    view.restoreRequested.connect(h.restore)  # type: ignore[attr-defined]
    view.correctRequested.connect(h.correct)  # type: ignore[attr-defined]
    return h
