"""The wire protocol byte for byte, without sockets: what each input becomes, what is answered."""

from __future__ import annotations

import json

import msgspec
import pytest

from sync import protocol as p
from sync.ops import Delete, op_to_dict

HELLO = b'{"type":"hello","protocol":1,"client_id":"c1","name":"Ann","last_version":null}'
SHA = "ab" * 32


def hello_conn() -> p.RelayConnection:
    conn = p.RelayConnection(max_bad=3)
    assert isinstance(conn.receive(HELLO.decode()), p.Hello)
    return conn


def test_hello_parses_and_fixes_identity() -> None:
    conn = p.RelayConnection()
    ev = conn.receive(HELLO.decode())
    assert ev == p.Hello(protocol=1, client_id="c1", name="Ann", last_version=None)
    assert conn.hello == ev


def test_first_message_must_be_hello_and_closes_1008() -> None:
    conn = p.RelayConnection()
    ev = conn.receive('{"type":"resync"}')
    assert isinstance(ev, p.Reply) and ev.close_code == p.CLOSE_POLICY
    assert json.loads(ev.data or b"") == {
        "type": "error",
        "code": "bad_message",
        "message": "the first message must be hello",
        "supported": None,
    }


def test_binary_before_hello_closes() -> None:
    ev = p.RelayConnection().receive(p.encode_chunk(p.CHUNK_UPLOAD, SHA, 0, b"x"))
    assert isinstance(ev, p.Reply) and ev.close_code == p.CLOSE_POLICY


def test_unsupported_protocol_lists_supported_versions_then_closes() -> None:
    ev = p.RelayConnection().receive(HELLO.replace(b'"protocol":1', b'"protocol":7').decode())
    assert isinstance(ev, p.Reply) and ev.close_code == p.CLOSE_UNSUPPORTED
    body = json.loads(ev.data or b"")
    assert body["code"] == "unsupported_protocol" and body["supported"] == [1]


def test_second_hello_is_a_bad_message_and_identity_stays() -> None:
    conn = hello_conn()
    ev = conn.receive(HELLO.replace(b"c1", b"intruder").decode())
    assert isinstance(ev, p.Reply) and ev.close_code is None
    assert json.loads(ev.data or b"")["code"] == "bad_message"
    assert conn.hello is not None and conn.hello.client_id == "c1"


def test_submit_parses_the_op() -> None:
    conn = hello_conn()
    wire = op_to_dict(Delete("w1", "w2", base_version=3))
    ev = conn.receive(json.dumps({"type": "submit", "seq": 5, "op": wire}))
    assert isinstance(ev, p.OpSubmitted)
    assert ev.seq == 5 and ev.op == Delete("w1", "w2", base_version=3) and ev.wire == wire


def test_unknown_op_type_is_rejected_and_connection_kept() -> None:
    conn = hello_conn()
    ev = conn.receive('{"type":"submit","seq":1,"op":{"v":1,"type":"explode"}}')
    assert isinstance(ev, p.Reply) and ev.close_code is None
    body = json.loads(ev.data or b"")
    assert body["type"] == "rejected" and body["reason"] == "unknown_op" and body["seq"] == 1


def test_malformed_op_is_rejected_with_its_seq() -> None:
    conn = hello_conn()
    ev = conn.receive('{"type":"submit","seq":9,"op":{"v":1,"type":"delete"}}')
    assert isinstance(ev, p.Reply)
    body = json.loads(ev.data or b"")
    assert (body["type"], body["reason"], body["seq"]) == ("rejected", "bad_op", 9)


def test_unknown_message_type_is_rejected_unknown_op() -> None:
    ev = hello_conn().receive('{"type":"teleport","x":1}')
    assert isinstance(ev, p.Reply) and ev.close_code is None
    assert json.loads(ev.data or b"")["reason"] == "unknown_op"


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1,2,3]",
        '{"type":"submit","seq":-1,"op":{}}',
        '{"type":"submit","seq":0,"op":{}}',
        '{"type":"submit","seq":"1","op":{}}',
        '{"type":"submit","seq":9007199254740993,"op":{}}',
        '{"type":"presence","playhead":"left"}',
        '{"type":"presence","selection":["a"]}',
        '{"type":"blob_begin","sha256":"../../etc/passwd","size":1}',
        '{"type":"blob_get","sha256":"' + "AB" * 32 + '"}',
        '{"notype":1}',
    ],
)
def test_wrong_schema_is_bad_message(frame: str) -> None:
    ev = hello_conn().receive(frame)
    assert isinstance(ev, p.Reply) and ev.close_code is None
    assert json.loads(ev.data or b"")["code"] == "bad_message"


def test_repeated_abuse_closes_1008() -> None:
    conn = hello_conn()
    replies = [conn.receive("garbage") for _ in range(3)]
    assert [r.close_code for r in replies if isinstance(r, p.Reply)] == [None, None, 1008]


def test_identity_fields_in_later_messages_are_ignored() -> None:
    ev = hello_conn().receive('{"type":"presence","playhead":2.5,"client_id":"x","name":"y"}')
    assert ev == p.PresenceUpdate(playhead=2.5, selection=None)


def test_deep_nesting_is_refused_without_crashing() -> None:
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    ev = hello_conn().receive('{"type":"submit","seq":1,"op":' + deep + "}")
    assert isinstance(ev, p.Reply)


def test_relay_messages_round_trip() -> None:
    msgs: list[p.RelayMessage] = [
        p.Welcome(1, "room", "editor", 4, "c1"),
        p.Ack(3, 10, {"v": 1, "type": "delete", "start_word": "a", "end_word": "b"}),
        p.Rejected(3, "conflict", "same word corrected", 10),
        p.PresenceList([p.PresenceEntry("c1", "Ann", "#fff", 1.5, ("a", "b"))]),
        p.Error("seq_reuse", "x"),
        p.BlobStatus(SHA, 10, 4, False),
    ]
    for m in msgs:
        assert p.decode_relay(p.encode(m)) == m


def test_ack_bytes_are_the_documented_form() -> None:
    assert p.encode(p.Ack(3, 10, None)) == b'{"type":"ack","seq":3,"version":10,"op":null}'


def test_chunk_header_is_fixed_and_checksummed() -> None:
    frame = p.encode_chunk(p.CHUNK_UPLOAD, SHA, 1 << 40, b"payload")
    assert len(frame) == p.HEADER_SIZE + 7 == 52
    assert frame[0] == 1 and frame[1:33] == bytes.fromhex(SHA)
    assert int.from_bytes(frame[33:41], "big") == 1 << 40
    chunk = p.decode_chunk(frame, p.CHUNK_UPLOAD)
    assert (chunk.sha256, chunk.offset, chunk.payload) == (SHA, 1 << 40, b"payload")


def test_corrupt_chunk_becomes_an_event_naming_its_offset() -> None:
    frame = bytearray(p.encode_chunk(p.CHUNK_UPLOAD, SHA, 7, b"payload"))
    frame[-1] ^= 1
    ev = hello_conn().receive(bytes(frame))
    assert ev == p.CorruptChunk(SHA, 7)


def test_short_or_wrong_kind_chunk_is_bad_message() -> None:
    conn = hello_conn()
    for frame in (b"\x01abc", p.encode_chunk(p.CHUNK_DOWNLOAD, SHA, 0, b"x")):
        ev = conn.receive(frame)
        assert isinstance(ev, p.Reply) and json.loads(ev.data or b"")["code"] == "bad_message"


def test_encode_is_msgspec_json() -> None:
    assert msgspec.json.decode(p.encode(p.Synced(4))) == {"type": "synced", "version": 4}
