"""The op wire form as bytes: msgspec decoding agrees with the checked dict path, and anything
else (random bytes, mutated messages, bombs) is a ``BadOpFormat`` and nothing more."""

from __future__ import annotations

import contextlib
import random

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.errors import BadOpFormat
from sync.ops import MAX_COMPOUND_DEPTH, Delete, decode_op, encode_op, op_from_dict
from tests.sync.factory import OpMaker, make_doc

RND = random.Random(7)
DOC = make_doc(RND, n=80)
MAKER = OpMaker(RND, "f")
VALID = [
    op for op in (MAKER.make(DOC, RND.choice(OpMaker.KINDS)) for _ in range(200)) if op is not None
]


def test_every_op_round_trips_through_bytes_exactly() -> None:
    for op in VALID:
        data = encode_op(op)
        assert decode_op(data) == op == op_from_dict(msgspec.json.decode(data))
        assert encode_op(decode_op(data)) == data


def test_the_bytes_are_the_documented_wire_form() -> None:
    assert encode_op(Delete("w1", "w2", base_version=3)) == (
        b'{"v":1,"type":"delete","start_word":"w1","end_word":"w2","base_version":3}'
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{",
        b"null",
        b"[]",
        b'{"type":"delete","start_word":"a","end_word":"b"}',  # no envelope
        b'{"v":2,"type":"delete","start_word":"a","end_word":"b"}',
        b'{"v":true,"type":"delete","start_word":"a","end_word":"b"}',
        b'{"v":1,"type":"delete","start_word":"","end_word":"b"}',
        b'{"v":1,"type":"set_pause","after_word":"w","duration":1e999}',
        b'{"v":1,"type":"delete","start_word":"a","end_word":"b","base_version":1.0}',
        b"\xff\xfe",
        b'{"v":1,"type":"correct","word":"w","text":"\xed\xa0\x80"}',  # a lone surrogate
    ],
)
def test_bad_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(BadOpFormat):
        decode_op(data)


def test_a_newer_format_says_so() -> None:
    with pytest.raises(BadOpFormat, match="newer"):
        decode_op(b'{"v":9,"type":"teleport"}')


@pytest.mark.parametrize("depth", [MAX_COMPOUND_DEPTH + 1, 10_000])
def test_nesting_beyond_the_limit_is_refused_without_recursing(depth: int) -> None:
    inner = b'{"type":"delete","start_word":"a","end_word":"b"}'
    data = inner
    for _ in range(depth):
        data = b'{"type":"compound","label":"","ops":[' + data + b"]}"
    data = b'{"v":1,' + data[1:]
    with pytest.raises(BadOpFormat):
        decode_op(data)


@settings(max_examples=300, deadline=None)
@given(pick=st.integers(0, len(VALID) - 1), cuts=st.lists(st.integers(0, 10**6), max_size=4),
       junk=st.binary(max_size=6))  # fmt: skip
def test_mutated_messages_only_ever_raise_bad_op_format(
    pick: int, cuts: list[int], junk: bytes
) -> None:
    data = bytearray(encode_op(VALID[pick]))
    for c in cuts:
        at = c % (len(data) + 1)
        data[at:at] = junk  # insert garbage
        if data:
            del data[c % len(data)]  # and drop a byte
    try:
        op = decode_op(bytes(data))
    except BadOpFormat:
        return
    assert decode_op(encode_op(op)) == op


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=64))
def test_random_bytes_only_ever_raise_bad_op_format(data: bytes) -> None:
    with contextlib.suppress(BadOpFormat):
        decode_op(data)
