"""Random edits, undone and redone: the incrementally updated model always equals a fresh one."""

from __future__ import annotations

import random
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from editor.viewmodel import Style, TranscriptModel
from sync.authority import Authority
from sync.document import Document
from sync.errors import OpError
from sync.ops import AddTranscript, Op
from tests.sync.factory import OpMaker, make_doc
from tests.sync.memstore import MemoryLog
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
    src = make_doc(rnd, rnd.randrange(5, 80), overlap=rnd.random() < 0.3)
    doc, log = Document(), MemoryLog()
    authority = Authority(doc, log)
    seq = count(1)

    def edit(op: Op) -> Op:
        submitted = authority.submit("me", next(seq), None, op, "me")
        log.commit()
        authority.commit()
        return submitted.entry.inverse

    for track in src.tracks:
        edit(AddTranscript(track, tuple(w for w in src.words if w.track == track.id)))
    model = TranscriptModel(doc, pause_from=0.5)
    authority.subscribe(model.apply)  # the real path: typed events after commit
    maker = OpMaker(rnd)
    inverses: list[Op] = []
    model.set_playing(doc.words[0].id if doc.words else None)
    for _ in range(steps):
        op = maker.make(doc, rnd.choice(KINDS))
        if rnd.random() < 0.25 and inverses:
            op = inverses.pop()
        if op is None:
            continue
        try:
            inverses.append(edit(op))
        except OpError:
            continue
        fresh = TranscriptModel(doc, pause_from=0.5)
        fresh.set_playing(model.playing)
        assert shape(model) == shape(fresh)
        for t in model.words:
            assert model.word(t.key) is t
    assert all(not t.style & Style.MATCH for t in model.words)
