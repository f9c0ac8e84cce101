"""Fuzzing the EDL parser: whatever JSON (or bytes) arrives, the answer is an ``Edl`` or an
``EdlError`` naming the problem — never another exception — and what parses round-trips."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import render.edl as E
from render.errors import EdlError

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)

FIELDS = ["version", "sample_rate", "crossfade_ms", "tracks", "segments"]
TRACK_FIELDS = ["path", "gain_db", "mute", "offset", "label"]
SEGMENT_FIELDS = ["start", "end", "clip", "gain_db"]


def _valid() -> dict[str, Any]:
    return {
        "version": 1,
        "sample_rate": 48000,
        "tracks": [{"path": "a.wav", "gain_db": -1.0, "label": "Ann"}],
        "segments": [{"start": 0.5, "end": 2.0}, {"clip": "fix.wav", "gain_db": 1.0}],
    }


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid EDL with one field (top level, a track's or a segment's) replaced or dropped."""
    data = _valid()
    where = draw(st.sampled_from(["top", "track", "segment"]))
    target, names = {
        "top": (data, FIELDS),
        "track": (data["tracks"][0], TRACK_FIELDS),
        "segment": (data["segments"][draw(st.integers(0, 1))], SEGMENT_FIELDS),
    }[where]
    name = draw(st.sampled_from(names))
    if draw(st.booleans()):
        target.pop(name, None)
    else:
        target[name] = draw(json_values)
    return data


def _parse_or_refuse(data: Any) -> None:
    try:
        edl = E.from_dict(data)
    except EdlError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    again = E.from_dict(json.loads(json.dumps(E.to_dict(edl))))
    assert again == edl


@settings(max_examples=200, deadline=None)
@given(mutated())
def test_mutated_edls_parse_or_are_refused(data: dict[str, Any]) -> None:
    _parse_or_refuse(data)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_any_json_value_parses_or_is_refused(data: Any) -> None:
    _parse_or_refuse(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64) | st.text(max_size=64))
def test_any_bytes_parse_or_are_refused(raw: bytes | str) -> None:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    with contextlib.suppress(EdlError):
        E.loads(text)
