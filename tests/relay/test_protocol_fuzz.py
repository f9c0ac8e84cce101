"""Fuzz the relay's message handler: any bytes, mutated valid messages, wrong types, huge
numbers. Pass: no unexpected exception, every bad input answered with a documented code."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import protocol as p

HELLO = '{"type":"hello","protocol":1,"client_id":"c1","name":"Ann","last_version":3}'
CODES = {"bad_message", "unknown_op", "bad_op", "unsupported_protocol"}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
types = st.sampled_from(
    ["hello", "submit", "presence", "resync", "blob_begin", "blob_get", "seed", "zzz", 1, None]
)


def check(ev: p.Event, conn: p.RelayConnection) -> None:
    assert conn.hello is not None and conn.hello.client_id == "c1"
    if isinstance(ev, p.Reply):
        assert ev.data is not None
        body = json.loads(ev.data)
        assert body["type"] in ("error", "rejected")
        assert body.get("code", body.get("reason")) in CODES
        assert ev.close_code in (None, p.CLOSE_POLICY)


def fresh() -> p.RelayConnection:
    conn = p.RelayConnection(max_bad=10**9)
    conn.receive(HELLO)
    return conn


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    conn = fresh()
    check(conn.receive(data), conn)
    text = data.decode("utf-8", "replace")
    check(conn.receive(text), conn)


@settings(max_examples=200, deadline=None)
@given(
    types,
    st.dictionaries(
        st.sampled_from(
            [
                "seq",
                "op",
                "protocol",
                "client_id",
                "playhead",
                "selection",
                "sha256",
                "size",
                "offset",
            ]
        ),
        json_values,
        max_size=5,
    ),
)
def test_mutated_messages(kind: object, fields: dict[str, object]) -> None:
    conn = fresh()
    frame = json.dumps({"type": kind, **fields})
    check(conn.receive(frame), conn)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["v", "type", "start_word", "end_word", "word", "text", "ops", "base_version", "label"]
        ),
        json_values | st.sampled_from(["delete", "compound", "correct"]),
        max_size=6,
    )
)
def test_mutated_ops(op: dict[str, object]) -> None:
    conn = fresh()
    check(conn.receive(json.dumps({"type": "submit", "seq": 1, "op": op})), conn)
