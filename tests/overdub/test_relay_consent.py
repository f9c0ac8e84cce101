"""Overdub consent through a live relay (loopback sockets): an overdub in a host's voice is
accepted only from that host's identity; the room is unchanged otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sync.model import Overdub, TrackRef, Word
from sync.ops import AddTranscript, InsertOverdub, op_to_dict
from sync.relay.room import foreign_voice
from tests.relay.helpers import arun, make_token, running_relay, wire


def _transcript() -> dict[str, Any]:
    words = tuple(Word(f"w{i}", "t", f"word{i}", i * 0.5, i * 0.5 + 0.4) for i in range(4))
    return op_to_dict(AddTranscript(TrackRef("t", "Ann"), words, base_version=0))


def _overdub(oid: str, owner: str | None, voice: str | None = "ann-voice") -> dict[str, Any]:
    o = Overdub(oid, "w1", f"{oid}.wav", "fixed", 1.0, voice=voice, voice_owner=owner)
    return op_to_dict(InsertOverdub(o))


def test_rule() -> None:
    ins = InsertOverdub(Overdub("o", "w1", "c.wav", "x", 1.0, "v", voice_owner="ann"))
    assert foreign_voice("ann", ins) is None
    assert foreign_voice("bob", ins) is not None
    no_owner = InsertOverdub(Overdub("o", "w1", "c.wav", "x", 1.0, "v"))
    assert foreign_voice("ann", no_owner) is not None
    sting = InsertOverdub(Overdub("o", "w1", "c.wav", "x", 1.0))
    assert foreign_voice("bob", sting) is None


@arun
async def test_relay_refuses_another_hosts_voice(tmp_path: Path) -> None:
    tok = make_token(tmp_path, "r", "editor", name="bob")  # voiced overdubs need an identity
    async with running_relay(tmp_path) as relay, wire(relay, "r", tok) as bob:
        await bob.hello("bob-app", name="bob")
        assert (await bob.submit(1, _transcript()))["type"] == "ack"
        refused = await bob.submit(2, _overdub("o1", owner="ann"))
        assert (refused["type"], refused["reason"]) == ("rejected", "forbidden")
        claimed = await bob.submit(3, _overdub("o2", owner=None))
        assert claimed["reason"] == "forbidden"
        assert relay.rooms["r"].authority.doc.overdubs == ()
        own = await bob.submit(4, _overdub("o3", owner="bob", voice="bob-voice"))
        assert own["type"] == "ack", own
        sting = await bob.submit(5, _overdub("o4", owner=None, voice=None))
        assert sting["type"] == "ack"
        assert len(relay.rooms["r"].authority.doc.overdubs) == 2


def test_voice_owner_travels_on_the_wire_and_is_optional() -> None:
    from sync.ops import op_from_dict

    o = Overdub("o", "w1", "c.wav", "x", 1.0, "v", voice_owner="ann")
    wire = op_to_dict(InsertOverdub(o))
    assert wire["overdub"]["voice_owner"] == "ann"
    back = op_from_dict(wire)
    assert isinstance(back, InsertOverdub) and back.overdub == o
    del wire["overdub"]["voice_owner"]  # what an older peer sends
    older = op_from_dict(wire)
    assert isinstance(older, InsertOverdub) and older.overdub.voice_owner is None
