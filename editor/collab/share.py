"""Sharing a local project into a relay room, and joining a room as a new local project.

Share (owner token): every track's recording and every overdub clip goes up as a blob (by
SHA-256, resumable), then a manifest blob that says which blob is which track, then the
document's snapshot blob; ``seed`` starts the empty room from it, and the project is linked.
Join: hello, take the snapshot, fetch the manifest and every blob (verified by hash), import
each recording into the new project's cache under the track id the document uses, store the
snapshot as the project's document, link it. A join that fails part-way removes the project it
was creating, so a bad link or a dead relay leaves the library as it was.

Identity: the link keeps the name the relay authors this host's ops as (``welcome.name``: the
token's identity when it carries one), so the local log and the room's agree. An invitation
made here gives the invited host an identity of their own: the name given with ``--invite-as``,
or else the name they join with, fixed by the relay at their first connection.

Overdub clips also go into the room's clip index with their records (``editor.collab.clips``),
and a join fetches every clip the document plays from it (the manifest's list is for rooms
shared by older clients), so clips made later travel the same way as these.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from editor import paths
from editor.collab import clips
from editor.collab.conn import Progress, RelayConn, sha256_of
from editor.collab.link import JoinLink
from editor.errors import CollabError, EditorError
from editor.project import OpenProject
from editor.store import Store, links, oplog
from sync import protocol as p
from sync.snapshot import encode_snapshot, parse_snapshot

MANIFEST_FORMAT = 1
Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Shared:
    version: int
    link: JoinLink
    invited: str | None
    uploaded: int


async def _settle(conn: RelayConn) -> p.Synced:
    while True:
        msg = await conn.recv(30)
        if isinstance(msg, p.Synced):
            return msg
        if isinstance(msg, p.Error):
            raise CollabError(f"the relay refused: {msg.message}")


async def share(
    store: Store,
    project: OpenProject,
    relay: str,
    room: str,
    token: str,
    *,
    name: str,
    invite: str | None = None,
    invite_as: str | None = None,
    say: Say = lambda _: None,
    progress: Progress | None = None,
) -> Shared:
    if links.get(store.conn, project.id) is not None:
        raise CollabError(f"project {project.name!r} is already shared")
    doc = project.document
    client_id = uuid.uuid4().hex
    conn = await RelayConn.open(f"{relay}/v1/rooms/{room}", token)
    try:
        welcome = await conn.hello(client_id, name, None)
        name = welcome.name or name
        await _settle(conn)
        if welcome.role != "owner":
            raise CollabError(
                "sharing needs an owner token (wordcut-relay token create --role owner)"
            )
        if welcome.version != 0:
            raise CollabError(f"room {room!r} already holds a document; join it instead")
        sent = 0
        tracks: list[dict[str, Any]] = []
        for t in project.tracks:
            media = Path(t.record.media_path)
            if not media.is_file():
                raise CollabError(f"{media}: the recording of track {t.label!r} is missing")
            say(f"uploading {media.name}")
            sent += await conn.upload(media, t.record.sha256, progress)
            tracks.append(
                {
                    "id": t.id,
                    "label": t.label,
                    "sha256": t.record.sha256,
                    "size": media.stat().st_size,
                    "name": media.name,
                    "clock_offset": t.record.clock_offset,
                    "gain_db": t.record.gain_db,
                }
            )
        listed = []
        for o in doc.overdubs:
            path = project.clip_path(o.clip)
            if path.is_file():
                sha = sha256_of(path)
                sent += await conn.upload(path, sha, progress)
                listed.append({"clip": o.clip, "sha256": sha, "size": path.stat().st_size})
        sent += await clips.offer(conn, paths.clips_dir(store.home, project.id), doc.overdubs)
        manifest = json.dumps(
            {
                "format": MANIFEST_FORMAT,
                "sample_rate": project.record.sample_rate,
                "tracks": tracks,
                "clips": listed,
            }
        ).encode()
        manifest_sha = hashlib.sha256(manifest).hexdigest()
        await conn.upload(manifest, manifest_sha)
        snapshot = encode_snapshot(doc.snapshot())
        snap_sha = hashlib.sha256(snapshot).hexdigest()
        await conn.upload(snapshot, snap_sha)
        await conn.send(p.Seed(snap_sha, manifest_sha))
        while True:
            msg = await conn.recv(60)
            if isinstance(msg, p.Error):
                raise CollabError(f"the relay refused the document: {msg.message}")
            if isinstance(msg, p.Synced):
                break
        if msg.version != doc.version:
            raise CollabError(f"the room started at version {msg.version}, not {doc.version}")
        invited = None
        if invite is not None:
            await conn.send(p.Invite(invite, invite_as))
            while True:
                ans = await conn.recv(10)
                if isinstance(ans, p.Invited):
                    invited = ans.token
                    break
                if isinstance(ans, p.Error):
                    raise CollabError(f"the relay refused the invitation: {ans.message}")
    finally:
        await conn.close()
    with store.transaction() as c:
        links.create(
            c,
            project.id,
            relay_url=relay,
            room=room,
            token=token,
            client_id=client_id,
            name=name,
            role="owner",
        )
    return Shared(doc.version, JoinLink(relay, room, invited), invited, sent)


async def join(
    store: Store,
    link: JoinLink,
    token: str,
    project_name: str,
    *,
    name: str,
    say: Say = lambda _: None,
    progress: Progress | None = None,
) -> tuple[str, int]:
    """Create ``project_name`` from the room; returns (project id, version)."""
    client_id = uuid.uuid4().hex
    conn = await RelayConn.open(link.room_url, token)
    project_id: str | None = None
    try:
        welcome = await conn.hello(client_id, name, None)
        name = welcome.name or name
        snapshot: p.Snapshot | None = None
        while True:
            msg = await conn.recv(60)
            if isinstance(msg, p.Snapshot):
                snapshot = msg
            elif isinstance(msg, p.Synced):
                break
        if snapshot is None or welcome.manifest is None:
            raise CollabError(f"room {link.room!r} has no shared document yet")
        snap = parse_snapshot(snapshot.document)
        mdir = store.home / "incoming"
        mdir.mkdir(parents=True, exist_ok=True)
        mpath = mdir / welcome.manifest
        await conn.download(welcome.manifest, 0, mpath)
        try:
            manifest = msgspec.json.decode(mpath.read_bytes())
            tracks, shared_clips = manifest["tracks"], manifest["clips"]
        except (msgspec.DecodeError, KeyError, TypeError) as exc:
            raise CollabError(f"the room's media manifest is unreadable: {exc}") from None
        finally:
            mpath.unlink(missing_ok=True)
        record = store.create_project(project_name, int(manifest.get("sample_rate", 48000)))
        project_id = record.id
        pdir = paths.project_dir(store.home, project_id)
        media_dir = pdir / "media"
        media_dir.mkdir(parents=True, exist_ok=True)
        for t in tracks:
            suffix = Path(str(t.get("name", ""))).suffix[:8]
            dest = media_dir / f"{t['sha256']}{suffix}"
            say(f"downloading {t.get('name', t['sha256'][:12])}")
            await conn.download(t["sha256"], int(t["size"]), dest, progress)
            _import_track(store, project_id, record.sample_rate, t, dest)
        cdir = paths.clips_dir(store.home, project_id)
        await clips.fetch(conn, cdir, snap.overdubs, progress)  # with their records
        for c in shared_clips:
            dest = cdir / str(c["clip"])
            if not dest.resolve().is_relative_to(cdir.resolve()):
                raise CollabError(f"the manifest names a clip outside the project: {c['clip']!r}")
            if dest.is_file():  # fetched from the clip index above
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            await conn.download(c["sha256"], int(c["size"]), dest, progress)
        if lacking := clips.missing(cdir, snap.overdubs):
            say(f"{len(lacking)} overdub clip(s) are not on the relay yet; `wordcut sync` later")
        with store.transaction() as db:
            oplog.save_snapshot(db, project_id, snap.version, encode_snapshot(snap))
            links.create(
                db,
                project_id,
                relay_url=link.relay,
                room=link.room,
                token=token,
                client_id=client_id,
                name=name,
                role=welcome.role,
            )
        return project_id, snap.version
    except BaseException:
        if project_id is not None:
            store.delete_project(project_id)
            shutil.rmtree(paths.project_dir(store.home, project_id), ignore_errors=True)
        raise
    finally:
        await conn.close()


def _import_track(store: Store, project_id: str, rate: int, t: dict[str, Any], media: Path) -> None:
    from render.errors import RenderError
    from render.media import import_media

    cache_dir = store.track_cache_dir(project_id, str(t["id"]))
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        with import_media(media, cache_dir, sample_rate=rate) as cached:
            info = cached.info
    except RenderError as exc:
        raise CollabError(
            f"{t.get('name')}: the shared recording cannot be imported: {exc}"
        ) from None
    if info.sha256 != t["sha256"]:
        raise CollabError(f"{t.get('name')}: the recording does not match the room's hash")
    try:
        store.add_track(
            project_id,
            track_id=str(t["id"]),
            label=str(t["label"]),
            media_path=media,
            sha256=info.sha256,
            cache_dir=cache_dir,
            metadata=info.to_dict(),
            clock_offset=float(t.get("clock_offset", 0.0)),
            gain_db=float(t.get("gain_db", 0.0)),
        )
    except EditorError as exc:
        raise CollabError(f"track {t.get('label')!r}: {exc}") from None
