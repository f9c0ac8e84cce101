"""Join links in both spellings, and the reconnect backoff's shape (pure logic)."""

from __future__ import annotations

import random

import pytest

from editor.collab.backoff import Backoff
from editor.collab.link import JoinLink, parse_link
from editor.errors import CollabError


def test_plain_and_app_links_parse_to_the_same_thing() -> None:
    a = parse_link("ws://127.0.0.1:8765/v1/rooms/ep-12?token=wct_abc")
    b = parse_link("wordcut://join?relay=ws://127.0.0.1:8765&room=ep-12&token=wct_abc")
    assert a == b == JoinLink("ws://127.0.0.1:8765", "ep-12", "wct_abc")
    assert parse_link(a.url()) == a and parse_link(a.app_link()) == a
    assert parse_link("wss://relay.example/v1/rooms/x").token is None


@pytest.mark.parametrize(
    "bad",
    [
        "http://127.0.0.1/v1/rooms/x?token=t",
        "ws://127.0.0.1:8765/rooms/x",
        "ws://127.0.0.1:8765/v1/rooms/../etc",
        "wordcut://join?room=x",
        "not a link",
        "ws:///v1/rooms/x",
    ],
)
def test_bad_links_say_what_is_wrong(bad: str) -> None:
    with pytest.raises(CollabError):
        parse_link(bad)


def test_backoff_grows_to_the_cap_with_jitter_and_resets() -> None:
    b = Backoff(rng=random.Random(4))
    delays = [b.next_delay() for _ in range(8)]
    ceilings = [1, 2, 4, 8, 16, 30, 30, 30]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert b.ceiling() == 30
    b.reset()
    assert b.ceiling() == 1 and b.next_delay() <= 1


def test_many_clients_spread_their_reconnects() -> None:
    """200 clients of a restarted relay: the first attempts are spread over the interval."""
    firsts = sorted(Backoff(rng=random.Random(i)).next_delay() for i in range(200))
    buckets = [sum(1 for d in firsts if k / 10 <= d < (k + 1) / 10) for k in range(10)]
    assert max(buckets) < 40  # no stampede: no tenth of the second gets a fifth of them
