"""Voice profiles: a host's voice, the reference sample it came from, and their consent.

Consent is stored as a record (who agreed, when, to what) rather than a flag, because the overdub
feature must be able to show it; a profile without a consent record cannot be created.

The record (``consent_json``) written by ``wordcut voice add`` holds ``given_by`` (the host),
``owner`` (the identity that created the profile and alone may generate with it), the
``statement`` read, the sample's ``sample_sha256``, the ``date``, and what the verifying
transcription ``heard`` with its word error rate ``wer``. Profiles made before owners were
recorded belong to the host named in ``given_by``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from editor.errors import NotFound, StoreError
from editor.store.db import new_id, now
from editor.store.records import VoiceProfile

_COLUMNS = (
    "id, project_id, host, reference_media, reference_sha256, backend, consent_json, "
    "created_at, revoked_at"
)


def _row(row: sqlite3.Row) -> VoiceProfile:
    return VoiceProfile(
        id=row["id"],
        project_id=row["project_id"],
        host=row["host"],
        reference_media=Path(row["reference_media"]),
        reference_sha256=row["reference_sha256"],
        backend=row["backend"],
        consent=json.loads(row["consent_json"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


def add(
    conn: sqlite3.Connection,
    *,
    host: str,
    reference_media: Path,
    consent: Mapping[str, Any],
    project_id: str | None = None,
    reference_sha256: str | None = None,
    backend: str = "splice",
) -> VoiceProfile:
    if not host.strip():
        raise StoreError("a voice profile needs the host it belongs to")
    if not consent or not consent.get("given_by"):
        raise StoreError("a voice profile needs a consent record naming who gave it (given_by)")
    vid = new_id()
    conn.execute(
        f"INSERT INTO voice_profiles ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        (
            vid,
            project_id,
            host.strip(),
            str(reference_media),
            reference_sha256,
            backend,
            json.dumps(dict(consent)),
            now(),
        ),
    )
    return get(conn, vid)


def get(conn: sqlite3.Connection, voice_id: str) -> VoiceProfile:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM voice_profiles WHERE id = ?", (voice_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no voice profile with id {voice_id!r}")
    return _row(row)


def list_for(conn: sqlite3.Connection, host: str | None = None) -> list[VoiceProfile]:
    """Active (not revoked) profiles, optionally only one host's."""
    sql = f"SELECT {_COLUMNS} FROM voice_profiles WHERE revoked_at IS NULL"
    params: tuple[str, ...] = ()
    if host is not None:
        sql += " AND host = ?"
        params = (host,)
    return [_row(r) for r in conn.execute(sql + " ORDER BY created_at", params).fetchall()]


def revoke(conn: sqlite3.Connection, voice_id: str) -> VoiceProfile:
    """Withdraw consent: the profile stays on record but can no longer be used."""
    cur = conn.execute(
        "UPDATE voice_profiles SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        (now(), voice_id),
    )
    if cur.rowcount == 0:
        get(conn, voice_id)  # raises NotFound when it does not exist
    return get(conn, voice_id)


def owner(profile: VoiceProfile) -> str:
    """The identity allowed to generate with ``profile`` (see the module docstring)."""
    value = profile.consent.get("owner") or profile.consent.get("given_by") or profile.host
    return str(value)


def find(conn: sqlite3.Connection, ref: str) -> VoiceProfile:
    """An active profile by id, or by host name when exactly one active profile has it."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM voice_profiles WHERE id = ? AND revoked_at IS NULL", (ref,)
    ).fetchone()
    if row is not None:
        return _row(row)
    matches = list_for(conn, ref.strip())
    if not matches:
        raise NotFound(f"no voice profile for {ref!r} (see `wordcut voice list`)")
    if len(matches) > 1:
        ids = ", ".join(m.id for m in matches)
        raise StoreError(f"{ref!r} has {len(matches)} voice profiles ({ids}); name one by id")
    return matches[0]


def owners(conn: sqlite3.Connection) -> dict[str, str]:
    """Active profile id → owner identity: what the authority needs to check an overdub."""
    return {p.id: owner(p) for p in list_for(conn)}
