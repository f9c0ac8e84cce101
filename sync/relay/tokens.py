"""Access tokens: one per (room, role, identity), stored only as a SHA-256, checked in
constant time.

A token may carry an identity (``name``): then every op and presence entry of its connections
is authored by that name, whatever the hello says, so a host's identity (which overdub consent
relies on: only ``voice_owner`` may insert a clip in that voice) comes from the credential the
relay issued, never from a message the client writes. An invitation token has no identity yet
and ``bind``: the first hello through it fixes its name for good (the link goes to one
person). A token with neither (made before identities existed, or without ``--name``) keeps
the old rule, the hello's name, and is trusted with nothing that needs an identity.

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
    name: str | None = None
    """The identity the token carries (``None``: none yet, or a legacy token)."""
    bind: bool = False
    """The first hello's name becomes the identity (an invitation)."""


def check_name(name: str) -> str:
    """An identity as stored: trimmed, 1-80 characters, printable."""
    clean = name.strip()
    if not clean or len(clean) > 80 or not clean.isprintable():
        raise TokenError(f"name {name[:40]!r} must be 1-80 printable characters")
    return clean


def create_token(
    store: RelayStore,
    room: str,
    role: str,
    label: str = "",
    *,
    name: str | None = None,
    bind: bool = False,
) -> tuple[str, TokenRow]:
    """A new token for ``room``; returns the secret (shown once) and its stored row.

    ``name``: the identity its connections author as; ``bind``: none yet, the first hello's
    name becomes it (ignored when ``name`` is given)."""
    if not ROOM_RE.fullmatch(room):
        raise TokenError(f"room {room!r} must be 1-64 letters, digits, '-' or '_'")
    if role not in ROLES:
        raise TokenError(f"role {role!r} is not one of {', '.join(ROLES)}")
    ident = None if name is None else check_name(name)
    secret = "wct_" + secrets.token_urlsafe(32)
    row = TokenRow(
        secrets.token_hex(6),
        room,
        role,
        hash_token(secret),
        label[:80],
        now(),
        None,
        ident,
        int(bind and ident is None),
    )
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
    return Grant(row.id, row.room, row.role, row.label, row.name, bool(row.bind))


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
