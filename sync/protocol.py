"""The co-editing wire protocol, sans-I/O: typed messages, their byte forms, and the rules.

Nothing here touches a socket. The relay and the client each feed the bytes of a received
WebSocket message in and get a typed value (or a ready-made answer to a bad one) out; they
encode typed values to the bytes they send. The ``websockets`` drivers around this module only
move bytes, so every rule below is tested byte for byte without a network (STYLE.md practice 1).
``docs/protocol.md`` is the reference other tools can speak from.

Text frames carry JSON objects with a ``"type"``. Client -> relay: ``hello`` (exactly once,
first), ``submit``, ``presence``, ``resync``, ``blob_begin``, ``blob_get``, ``seed``,
``invite``, ``clip_put``, ``clip_get``. Relay -> client: ``welcome``, ``snapshot``, ``applied``,
``synced``, ``ack``, ``rejected``, ``resync_required``, ``presence``, ``error``,
``blob_status``, ``blob_error``, ``blob_end``, ``invited``, ``clip_info``.
Unknown extra fields are ignored so newer peers can add optional information.

Binary frames carry media chunks behind a fixed 45-byte header::

    kind u8 | sha256 32 bytes | offset u64 big-endian | crc32 u32 big-endian | payload

``kind`` is :data:`CHUNK_UPLOAD` (client -> relay) or :data:`CHUNK_DOWNLOAD` (relay -> client);
the CRC-32 covers the payload, so a corrupted chunk is refused without touching what is stored.

Errors: :class:`ProtocolError` (a subclass of ``sync.errors.SyncError``) carries the ``code``
that goes on the wire and, where the connection must end, the WebSocket ``close_code``.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import Annotated, Any, Final

import msgspec

from sync.errors import BadOpFormat, SyncError
from sync.ops import OP_TYPES, Op, op_from_dict

PROTOCOL_VERSION: Final = 1
SUPPORTED_VERSIONS: Final = (1,)

CLOSE_GOING_AWAY: Final = 1001
CLOSE_POLICY: Final = 1008
CLOSE_TOO_BIG: Final = 1009
CLOSE_TRY_AGAIN: Final = 1013
CLOSE_REPLACED: Final = 4000
"""The same client id connected again; the older connection yields to it."""
CLOSE_UNSUPPORTED: Final = 4001
"""The client speaks no protocol version this relay supports."""

MAX_INT: Final = 2**53 - 1
"""Versions, sequence numbers, offsets and sizes stay below this (JSON-safe integers)."""
MAX_ID: Final = 128
MAX_NAME: Final = 80
SHA256_RE: Final = re.compile(r"[0-9a-f]{64}")

Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_INT)]
Ident = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ID, pattern=r"^[\x21-\x7e]+$")]
Name = Annotated[str, msgspec.Meta(max_length=MAX_NAME)]
WordRef = Annotated[str, msgspec.Meta(max_length=MAX_ID)]
Sha = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
ClipName = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{32}\.wav$")]
"""An overdub clip's name as ``editor.overdub`` writes it: the first 32 hex digits of the
WAV's SHA-256, so the relay can check that the blob named for it really is it."""
MAX_RECORD: Final = 64 << 10
"""Bytes of a clip's record (its JSON) a ``clip_put`` may carry."""


class ProtocolError(SyncError):
    """A message that breaks the protocol; ``code`` goes on the wire, ``close_code`` ends it."""

    def __init__(self, code: str, message: str, close_code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.close_code = close_code


_KW: dict[str, Any] = {"tag_field": "type", "omit_defaults": False}


# --- client -> relay -------------------------------------------------------------------------


class Hello(msgspec.Struct, tag="hello", **_KW):
    """The first message: who this client is and which version it last saw (``None``: none)."""

    protocol: int
    client_id: Ident
    name: Name = ""
    last_version: Count | None = None


class Submit(msgspec.Struct, tag="submit", **_KW):
    """An op (its wire form, with ``base_version``) under the client's sequence number."""

    seq: Annotated[int, msgspec.Meta(ge=1, le=MAX_INT)]
    op: dict[str, Any]


class PresenceUpdate(msgspec.Struct, tag="presence", **_KW):
    playhead: Annotated[float, msgspec.Meta(ge=0, le=1e9)] | None = None
    selection: tuple[WordRef, WordRef] | None = None


class Resync(msgspec.Struct, tag="resync", **_KW):
    """Ask for a full snapshot (after ``resync_required``)."""


class BlobBegin(msgspec.Struct, tag="blob_begin", **_KW):
    """Announce an upload; the relay answers with the offset it already holds."""

    sha256: Sha
    size: Count


class BlobGet(msgspec.Struct, tag="blob_get", **_KW):
    """Ask for a blob's bytes from ``offset`` on (a resumed download)."""

    sha256: Sha
    offset: Count = 0


class Seed(msgspec.Struct, tag="seed", **_KW):
    """Start an empty room from an uploaded snapshot blob (owners only); ``manifest`` names a
    blob describing the room's media (which blob is which track), told to every joiner."""

    sha256: Sha
    manifest: Sha | None = None


class Invite(msgspec.Struct, tag="invite", **_KW):
    """Ask for a new token to this room (owners only). ``name``: the invited host's identity;
    ``None``: the first hello through the token fixes it (each invited host gets their own)."""

    role: Annotated[str, msgspec.Meta(pattern=r"^(owner|editor|viewer)$")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME)] | None = None


class ClipPut(msgspec.Struct, tag="clip_put", **_KW):
    """Tell the room which uploaded blob holds overdub clip ``clip`` (sent before the op that
    inserts it, so a co-host who applies the op can fetch the clip), with its record."""

    clip: ClipName
    sha256: Sha
    size: Count
    record: dict[str, Any] | None = None


class ClipGet(msgspec.Struct, tag="clip_get", **_KW):
    """Ask which blob holds overdub clip ``clip`` in this room."""

    clip: ClipName


ClientMessage = (
    Hello
    | Submit
    | PresenceUpdate
    | Resync
    | BlobBegin
    | BlobGet
    | Seed
    | Invite
    | ClipPut
    | ClipGet
)


# --- relay -> client -------------------------------------------------------------------------


class Welcome(msgspec.Struct, tag="welcome", **_KW):
    protocol: int
    room: str
    role: str
    version: int
    client_id: str
    manifest: str | None = None
    name: str | None = None
    """The identity this connection's ops and presence carry (the token's, when it has one;
    else the hello's name); a client keeps it as its author name."""
    identified: bool = False
    """Whether ``name`` comes from the token (only then may it insert overdubs in a voice)."""


class Invited(msgspec.Struct, tag="invited", **_KW):
    role: str
    token: str


class Snapshot(msgspec.Struct, tag="snapshot", **_KW):
    version: int
    document: dict[str, Any]


class Applied(msgspec.Struct, tag="applied", **_KW):
    version: int
    op: dict[str, Any]
    client_id: str
    seq: int
    author: str


class Synced(msgspec.Struct, tag="synced", **_KW):
    """Everything up to ``version`` has been sent; what follows is live."""

    version: int


class Ack(msgspec.Struct, tag="ack", **_KW):
    """``seq`` is committed at ``version``; ``op`` is the op as applied (after rebase), or
    ``None`` for a resend whose op has been compacted out of the retained log."""

    seq: int
    version: int
    op: dict[str, Any] | None


class Rejected(msgspec.Struct, tag="rejected", **_KW):
    seq: int | None
    reason: str
    message: str
    version: int


class ResyncRequired(msgspec.Struct, tag="resync_required", **_KW):
    version: int


class PresenceEntry(msgspec.Struct, omit_defaults=False):
    client_id: str
    name: str
    color: str
    playhead: float | None = None
    selection: tuple[str, str] | None = None


class PresenceList(msgspec.Struct, tag="presence", **_KW):
    clients: list[PresenceEntry]


class Error(msgspec.Struct, tag="error", **_KW):
    code: str
    message: str
    supported: list[int] | None = None


class BlobStatus(msgspec.Struct, tag="blob_status", **_KW):
    sha256: str
    size: int
    offset: int
    complete: bool


class BlobError(msgspec.Struct, tag="blob_error", **_KW):
    sha256: str
    code: str
    message: str
    offset: int


class BlobEnd(msgspec.Struct, tag="blob_end", **_KW):
    sha256: str
    size: int


class ClipInfo(msgspec.Struct, tag="clip_info", **_KW):
    """Where a clip is: its blob (``sha256`` ``None``: the room knows no such clip yet)."""

    clip: str
    sha256: str | None
    size: int = 0
    record: dict[str, Any] | None = None


RelayMessage = (
    Welcome
    | Snapshot
    | Applied
    | Synced
    | Ack
    | Rejected
    | ResyncRequired
    | PresenceList
    | Error
    | BlobStatus
    | BlobError
    | BlobEnd
    | Invited
    | ClipInfo
)

_CLIENT_TYPES: Final = frozenset(
    {
        "hello",
        "submit",
        "presence",
        "resync",
        "blob_begin",
        "blob_get",
        "seed",
        "invite",
        "clip_put",
        "clip_get",
    }
)
_client_decoder = msgspec.json.Decoder(ClientMessage)
_relay_decoder = msgspec.json.Decoder(RelayMessage)
_encoder = msgspec.json.Encoder()


def encode(msg: ClientMessage | RelayMessage) -> bytes:
    """A message's bytes (UTF-8 JSON) for a text frame."""
    return _encoder.encode(msg)


def _text(data: str | bytes) -> bytes:
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data


def _unknown_type(raw: bytes) -> str | None:
    """The ``type`` of an otherwise undecodable object when it is a name we do not know."""
    try:
        obj = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return None
    kind = obj.get("type") if isinstance(obj, dict) else None
    return kind if isinstance(kind, str) and kind not in _CLIENT_TYPES else None


def decode_client(data: str | bytes) -> ClientMessage:
    """Parse a client's text frame; raises :class:`ProtocolError` (``bad_message`` or
    ``unknown_op`` for a well-formed object of a type this relay does not know)."""
    raw = _text(data)
    try:
        return _client_decoder.decode(raw)
    except msgspec.ValidationError as exc:
        kind = _unknown_type(raw)
        if kind is not None:
            raise ProtocolError("unknown_op", f"unknown message type {kind[:40]!r}") from None
        raise ProtocolError("bad_message", f"invalid message: {exc}") from None
    except msgspec.DecodeError as exc:
        raise ProtocolError("bad_message", f"not a JSON message: {exc}") from None
    except RecursionError:
        raise ProtocolError("bad_message", "message nested too deeply") from None


def decode_relay(data: str | bytes) -> RelayMessage:
    """Parse a relay's text frame (the client side); raises ``ProtocolError(bad_message)``."""
    try:
        return _relay_decoder.decode(_text(data))
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
        raise ProtocolError("bad_message", f"invalid message from the relay: {exc}") from None


def parse_op(wire: dict[str, Any]) -> Op:
    """A submitted op's wire form as an ``Op``; ``ProtocolError`` with ``unknown_op`` or
    ``bad_op`` (the submit itself was well-formed, so the answer is a ``rejected``)."""
    kind = wire.get("type")
    if isinstance(kind, str) and kind not in OP_TYPES:
        raise ProtocolError("unknown_op", f"unknown op type {kind[:40]!r}")
    try:
        return op_from_dict(wire)
    except BadOpFormat as exc:
        raise ProtocolError("bad_op", str(exc)) from None
    except RecursionError:
        raise ProtocolError("bad_op", "op nested too deeply") from None


# --- binary chunks ---------------------------------------------------------------------------

CHUNK_UPLOAD: Final = 1
CHUNK_DOWNLOAD: Final = 2
_HEADER: Final = struct.Struct(">B32sQI")
HEADER_SIZE: Final = _HEADER.size


@dataclass(frozen=True, slots=True)
class Chunk:
    """One media chunk: which blob, where in it, and the bytes (CRC already verified)."""

    kind: int
    sha256: str
    offset: int
    payload: bytes


def encode_chunk(kind: int, sha256: str, offset: int, payload: bytes) -> bytes:
    """The binary frame for a chunk (header + payload)."""
    if not SHA256_RE.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    header = _HEADER.pack(kind, bytes.fromhex(sha256), offset, zlib.crc32(payload))
    return header + payload


def decode_chunk(data: bytes, kind: int) -> Chunk:
    """Parse a binary frame of the expected ``kind``; ``ProtocolError`` for a short frame, a
    wrong kind (``bad_message``) or a payload whose CRC does not match (``corrupt_chunk``)."""
    if len(data) < HEADER_SIZE:
        raise ProtocolError("bad_message", f"binary frame of {len(data)} bytes has no header")
    got_kind, digest, offset, crc = _HEADER.unpack_from(data)
    if got_kind != kind:
        raise ProtocolError("bad_message", f"unexpected binary frame kind {got_kind}")
    if offset > MAX_INT:
        raise ProtocolError("bad_message", "chunk offset out of range")
    payload = bytes(data[HEADER_SIZE:])
    if zlib.crc32(payload) != crc:
        raise ProtocolError("corrupt_chunk", f"chunk at offset {offset} fails its checksum")
    return Chunk(got_kind, digest.hex(), offset, payload)


# --- the relay's per-connection rules ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpSubmitted:
    """A well-formed submit whose op parsed: what the room acts on."""

    seq: int
    op: Op
    wire: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Reply:
    """Bad input answered here: ``data`` to send (maybe none), then close with ``close_code``."""

    data: bytes | None
    close_code: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CorruptChunk:
    """An upload chunk whose payload fails its CRC: answered with the offset the relay holds."""

    sha256: str
    offset: int


Event = (
    Hello
    | OpSubmitted
    | PresenceUpdate
    | Resync
    | BlobBegin
    | BlobGet
    | Seed
    | Invite
    | ClipPut
    | ClipGet
    | Chunk
    | CorruptChunk
    | Reply
)


class RelayConnection:
    """One connection's protocol state on the relay: hello first and once, identity fixed by
    it, bad input counted (``max_bad`` strikes and the connection is closed 1008).

    ``receive(frame)`` returns the event to act on or a :class:`Reply` that already says what
    to send; the caller never has to decide how to answer malformed input.
    """

    def __init__(self, *, max_bad: int = 20) -> None:
        self.hello: Hello | None = None
        self.max_bad = max_bad
        self.bad = 0

    def receive(self, data: str | bytes, *, binary: bool | None = None) -> Event:
        is_binary = isinstance(data, bytes) if binary is None else binary
        if is_binary:
            return self._binary(data if isinstance(data, bytes) else data.encode())
        try:
            msg = decode_client(data)
        except ProtocolError as exc:
            if exc.code == "unknown_op" and self.hello is not None:
                return Reply(encode(Rejected(None, "unknown_op", str(exc), -1)))
            return self._strike(exc.code, str(exc))
        if self.hello is None:
            if not isinstance(msg, Hello):
                return Reply(
                    encode(Error("bad_message", "the first message must be hello")),
                    CLOSE_POLICY,
                    "no hello",
                )
            if msg.protocol not in SUPPORTED_VERSIONS:
                text = f"protocol {msg.protocol} is not supported"
                err = Error("unsupported_protocol", text, list(SUPPORTED_VERSIONS))
                return Reply(encode(err), CLOSE_UNSUPPORTED, "unsupported protocol")
            self.hello = msg
            return msg
        if isinstance(msg, Hello):
            return self._strike("bad_message", "hello may be sent only once")
        if isinstance(msg, Submit):
            try:
                op = parse_op(msg.op)
            except ProtocolError as exc:
                self.bad += 1
                return Reply(encode(Rejected(msg.seq, exc.code, str(exc), -1)))
            return OpSubmitted(msg.seq, op, msg.op)
        return msg

    def _binary(self, data: bytes) -> Chunk | CorruptChunk | Reply:
        if self.hello is None:
            return Reply(
                encode(Error("bad_message", "the first message must be hello")),
                CLOSE_POLICY,
                "no hello",
            )
        try:
            return decode_chunk(data, CHUNK_UPLOAD)
        except ProtocolError as exc:
            if exc.code == "corrupt_chunk":
                self.bad += 1
                _, digest, offset, _ = _HEADER.unpack_from(data)
                return CorruptChunk(digest.hex(), offset)
            return self._strike(exc.code, str(exc))

    def _strike(self, code: str, message: str) -> Reply:
        self.bad += 1
        data = encode(Error(code, message[:500]))
        if self.bad >= self.max_bad:
            return Reply(data, CLOSE_POLICY, "too many bad messages")
        return Reply(data)


def presence_color(client_id: str) -> str:
    """A stable colour per client id (the same on every replica, no coordination)."""
    palette = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6")
    return palette[zlib.crc32(client_id.encode()) % len(palette)]
