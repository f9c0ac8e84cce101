"""Join links: where the relay is, which room, and (optionally) the token.

Two spellings are accepted: the room's own WebSocket URL with ``?token=`` (what any tool can
use), and ``wordcut://join?relay=ws://host:port&room=R&token=T`` (the friendlier form the app
registers). Only ``ws`` and ``wss`` relays are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from editor.errors import CollabError

ROOM_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
PREFIX = "/v1/rooms/"


@dataclass(frozen=True, slots=True)
class JoinLink:
    relay: str
    """``ws[s]://host:port`` (no path)."""
    room: str
    token: str | None

    @property
    def room_url(self) -> str:
        return f"{self.relay}{PREFIX}{self.room}"

    def url(self) -> str:
        """The room URL carrying the token (the plain form of the link)."""
        return self.room_url + (f"?{urlencode({'token': self.token})}" if self.token else "")

    def app_link(self) -> str:
        query = {"relay": self.relay, "room": self.room}
        if self.token:
            query["token"] = self.token
        return "wordcut://join?" + urlencode(query)


def _relay(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise CollabError(f"{url!r} is not a relay address (ws://HOST:PORT or wss://...)")
    return f"{parts.scheme}://{parts.netloc}"


def parse_link(text: str) -> JoinLink:
    """A join link in either spelling; raises :class:`CollabError` naming what is wrong."""
    text = text.strip()
    parts = urlsplit(text)
    query = parse_qs(parts.query)

    def one(key: str) -> str | None:
        values = query.get(key)
        return values[0] if values else None

    if parts.scheme == "wordcut":
        relay, room = one("relay"), one("room")
        if not relay or not room:
            raise CollabError("a wordcut:// join link needs relay= and room=")
        base = _relay(relay)
    else:
        base = _relay(text)
        if not parts.path.startswith(PREFIX):
            raise CollabError(f"{text!r} has no /v1/rooms/ROOM path")
        room = parts.path[len(PREFIX) :]
    if not ROOM_RE.fullmatch(room):
        raise CollabError(f"room {room!r} is not a room name")
    return JoinLink(base, room, one("token"))


def relay_base(url: str) -> str:
    """``ws://host:port`` of a relay given as a base address or as any room URL."""
    return _relay(url)
