"""Access tokens: one per (room, role), stored only as a SHA-256, checked in constant time.

A token is ``wct_`` + 32 random bytes (URL-safe base64), so it can sit in a link's query. The
relay keeps only its hash: a leaked database does not leak working tokens. The lookup is by
the hash (an index lookup on a value an attacker cannot steer byte by byte), and the found row
is compared again with ``hmac.compare_digest`` so no code path compares secrets with ``==``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sync.relay.errors import TokenError
from sync.relay.store import RelayStore, TokenRow, now

ROLES = ("owner", "editor", "viewer")
ROOM_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Grant:
    """What a verified token allows: one room, one role."""

    token_id: str
    room: str
    role: str
    label: str


def create_token(store: RelayStore, room: str, role: str, label: str = "") -> tuple[str, TokenRow]:
    """A new token for ``room``; returns the secret (shown once) and its stored row."""
    if not ROOM_RE.fullmatch(room):
        raise TokenError(f"room {room!r} must be 1-64 letters, digits, '-' or '_'")
    if role not in ROLES:
        raise TokenError(f"role {role!r} is not one of {', '.join(ROLES)}")
    secret = "wct_" + secrets.token_urlsafe(32)
    row = TokenRow(secrets.token_hex(6), room, role, hash_token(secret), label[:80], now(), None)
    store.add_token(row)
    return secret, row


def verify(store: RelayStore, token: str) -> Grant | None:
    """The grant for a presented token, or ``None`` for an unknown or revoked one."""
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    row = store.token_by_hash(digest)
    if row is None or not hmac.compare_digest(row.hash, digest) or row.revoked_at is not None:
        return None
    return Grant(row.id, row.room, row.role, row.label)


def revoke(store: RelayStore, ref: str) -> TokenRow:
    """Revoke a token by its id or its secret; raises :class:`TokenError` if there is none."""
    rows = store.tokens()
    digest = hash_token(ref)
    for row in rows:
        if row.id == ref or hmac.compare_digest(row.hash, digest):
            if not store.revoke_token(row.id):
                raise TokenError(f"token {row.id} is already revoked")
            return row
    raise TokenError(f"no token {ref[:12]!r}")
