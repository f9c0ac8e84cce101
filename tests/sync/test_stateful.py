"""Random documents under random op sequences: the invariants hold after every step, every op
undoes exactly, refused ops change nothing, and persisted equals live."""

from __future__ import annotations

import json
import random

import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from sync.document import Document
from sync.errors import OpError
from sync.ops import Op, op_from_dict, op_to_dict
from tests.sync.factory import OpMaker, make_doc
from tests.sync.invariants import check_derivation, check_structure


class DocumentMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.doc = Document()
        self.maker = OpMaker(random.Random(0))
        self.undo: list[tuple[Op, str]] = []

    @initialize(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 40), tracks=st.integers(1, 2))
    def start(self, seed: int, n: int, tracks: int) -> None:
        rnd = random.Random(seed)
        self.doc = make_doc(rnd, n, tracks)
        self.maker = OpMaker(rnd)

    @rule(kind=st.sampled_from(OpMaker.KINDS))
    def apply_random_op(self, kind: str) -> None:
        op = self.maker.make(self.doc, kind)
        if op is None:
            return
        # The wire form is lossless for every op the document sees.
        assert op_from_dict(json.loads(json.dumps(op_to_dict(op)))) == op
        before, version = self.doc.content_hash(), self.doc.version
        try:
            self.doc.validate(op)
        except OpError:
            validated = False
        else:
            validated = True
        assert (self.doc.content_hash(), self.doc.version) == (before, version)
        try:
            inverse = self.doc.apply(op)
        except OpError:
            assert not validated, f"validate passed but apply refused {op}"
            assert self.doc.content_hash() == before, "a refused op changed the document"
            assert self.doc.version == version
            return
        assert validated, f"validate refused {op} but apply took it"
        assert op_from_dict(json.loads(json.dumps(op_to_dict(inverse)))) == inverse
        assert self.doc.version == version + 1
        self.undo.append((inverse, before))

    @rule()
    def undo_last(self) -> None:
        if not self.undo:
            return
        inverse, before = self.undo.pop()
        self.doc.apply(inverse)
        assert self.doc.content_hash() == before, f"undo by {inverse} is not exact"

    @invariant()
    def structure_holds(self) -> None:
        check_structure(self.doc)

    @invariant()
    def derivation_holds(self) -> None:
        check_derivation(self.doc)

    @invariant()
    def snapshot_round_trips(self) -> None:
        data = msgspec.to_builtins(self.doc.snapshot())
        copy = Document.from_snapshot(data)
        assert copy.content_hash() == self.doc.content_hash()
        assert copy.version == self.doc.version
        assert msgspec.to_builtins(copy.snapshot()) == data


DocumentMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDocumentMachine = DocumentMachine.TestCase
