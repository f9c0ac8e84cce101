"""Random edits, undone and redone: the incrementally updated model always equals a fresh one."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from editor.session import Applied
from editor.viewmodel import Style, TranscriptModel
from sync.errors import OpError
from tests.sync.factory import OpMaker, make_doc
from tests.viewmodel.test_model import shape

KINDS = (
    "delete",
    "delete",
    "restore",
    "correct",
    "set_pause",
    "rename_section",
    "compound",
    "split_section",
    "reorder_section",
    "insert_overdub",
    "merge_section",
)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 25))
def test_incremental_model_equals_a_rebuild(seed: int, steps: int) -> None:
    rnd = random.Random(seed)
    doc = make_doc(rnd, rnd.randrange(5, 80), overlap=rnd.random() < 0.3)
    model = TranscriptModel(doc, pause_from=0.5)
    maker = OpMaker(rnd)
    inverses = []
    model.set_playing(doc.words[0].id if doc.words else None)
    for _ in range(steps):
        op = maker.make(doc, rnd.choice(KINDS))
        if rnd.random() < 0.25 and inverses:
            op = inverses.pop()
        if op is None:
            continue
        try:
            inverse = doc.apply(op)
        except OpError:
            continue
        inverses.append(inverse)
        model.apply(Applied(op, doc.version, "me", "do"))
        fresh = TranscriptModel(doc, pause_from=0.5)
        fresh.set_playing(model.playing)
        assert shape(model) == shape(fresh)
        for t in model.words:
            assert model.word(t.key) is t
    assert all(not t.style & Style.MATCH for t in model.words)
