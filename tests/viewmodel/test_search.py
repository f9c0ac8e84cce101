"""The model's fast find gives exactly what sync.cleanup.find_matches gives."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from editor.viewmodel import TranscriptModel
from sync.cleanup import find_matches
from sync.errors import OpError
from sync.ops import Correct, Delete
from tests.sync.factory import VOCAB, make_doc
from tests.viewmodel.test_model import commit

PHRASES = st.lists(st.sampled_from((*VOCAB, "um", "you", "know", "Fixed!", "...")), max_size=3)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), words=PHRASES)
def test_find_equals_find_matches(seed: int, words: list[str]) -> None:
    rnd = random.Random(seed)
    doc = make_doc(rnd, rnd.randrange(1, 120))
    model = TranscriptModel(doc)
    ids = [w.id for w in doc.words]
    for _ in range(rnd.randrange(6)):
        i = rnd.randrange(len(ids))
        j = min(len(ids) - 1, i + rnd.randrange(4))
        op = (
            Delete(ids[i], ids[j])
            if rnd.random() < 0.6
            else Correct(ids[i], rnd.choice(("Fixed!", "the", "um,")))
        )
        try:
            commit(doc, model, op)
        except OpError:
            continue
    phrase = " ".join(words)
    try:
        expected = find_matches(doc, phrase)
    except OpError:
        expected = []
    assert model.find(phrase) == expected
