# mypy: disallow-untyped-calls=False
"""Tags and chapters written with mutagen into the finished (still temporary) file.

MP3 gets ID3v2.3 — the version every podcast app and car stereo reads — with CHAP frames and a
top-level, ordered CTOC (players ignore chapters without one). M4A gets iTunes atoms; MP4
chapter tracks are not something mutagen or PyAV can write, so M4A chapters are written as a
Nero ``chpl`` atom, which Apple's and most Android players read.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from mutagen import id3, mp4
from mutagen._util import insert_bytes
from mutagen.mp4._atom import Atom, Atoms

from render.chapters import Chapter, resolve_ends
from render.errors import ExportError
from render.export.options import Tags

GENERATED_NOTE = "Contains generated (overdub) speech"


def cover_bytes(cover: Path) -> tuple[bytes, str]:
    """Read cover art and tell JPEG from PNG by content, not by name."""
    try:
        data = cover.read_bytes()
    except OSError as exc:
        raise ExportError(f"{cover}: cannot read cover art: {exc.strerror or exc}") from None
    if data.startswith(b"\xff\xd8\xff"):
        return data, "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "image/png"
    raise ExportError(f"{cover}: cover art must be a JPEG or PNG image")


def write_mp3_tags(path: Path, tags: Tags, chapters: Sequence[Chapter], duration: float) -> None:
    """Replace the file's ID3 tag with ours (v2.3), chapters included."""
    tag = id3.ID3()
    if tags.title:
        tag.add(id3.TIT2(encoding=id3.Encoding.UTF16, text=tags.title))
    if tags.artist:
        tag.add(id3.TPE1(encoding=id3.Encoding.UTF16, text=tags.artist))
    if tags.album:
        tag.add(id3.TALB(encoding=id3.Encoding.UTF16, text=tags.album))
    if tags.episode is not None:
        tag.add(id3.TRCK(encoding=id3.Encoding.LATIN1, text=str(tags.episode)))
    if tags.comment:
        tag.add(id3.COMM(encoding=id3.Encoding.UTF16, lang="eng", desc="", text=tags.comment))
    if tags.generated_content:
        tag.add(
            id3.TXXX(encoding=id3.Encoding.UTF16, desc="WORDCUT_GENERATED", text=GENERATED_NOTE)
        )
    tag.add(id3.TSSE(encoding=id3.Encoding.LATIN1, text="Wordcut"))
    if tags.cover is not None:
        data, mime = cover_bytes(tags.cover)
        tag.add(
            id3.APIC(
                encoding=id3.Encoding.LATIN1,
                mime=mime,
                type=id3.PictureType.COVER_FRONT,
                desc="Cover",
                data=data,
            )
        )
    resolved = resolve_ends(chapters, duration)
    ids = [f"chp{i}" for i in range(len(resolved))]
    if resolved:
        tag.add(
            id3.CTOC(
                element_id="toc",
                flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[id3.TIT2(encoding=id3.Encoding.UTF16, text="Chapters")],
            )
        )
    for element_id, (chapter, end) in zip(ids, resolved, strict=True):
        sub: list[id3.Frame] = [id3.TIT2(encoding=id3.Encoding.UTF16, text=chapter.title)]
        if chapter.url:
            sub.append(id3.WXXX(encoding=id3.Encoding.LATIN1, desc="chapter url", url=chapter.url))
        tag.add(
            id3.CHAP(
                element_id=element_id,
                start_time=round(chapter.start_seconds * 1000),
                end_time=round(end * 1000),
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=sub,
            )
        )
    with contextlib.suppress(id3.ID3NoHeaderError):
        id3.ID3(path).delete(path)
    tag.save(path, v2_version=3)


def write_m4a_tags(path: Path, tags: Tags, chapters: Sequence[Chapter], duration: float) -> None:
    """iTunes atoms for the metadata, plus Nero chapters (``chpl``) unless the file has them.

    :func:`render.export.aac.encode_aac` has FFmpeg write the chapters (a QuickTime chapter
    track and ``chpl``); the atom is added here only for a file that came without them.
    """
    audio = mp4.MP4(path)
    if audio.tags is None:
        audio.add_tags()
    atoms = audio.tags
    assert atoms is not None
    if tags.title:
        atoms["\xa9nam"] = [tags.title]
    if tags.artist:
        atoms["\xa9ART"] = [tags.artist]
    if tags.album:
        atoms["\xa9alb"] = [tags.album]
    if tags.episode is not None:
        atoms["trkn"] = [(tags.episode, 0)]
    comments = [c for c in (tags.comment, GENERATED_NOTE if tags.generated_content else None) if c]
    if comments:
        atoms["\xa9cmt"] = ["; ".join(comments)]
    atoms["\xa9too"] = ["Wordcut"]
    if tags.cover is not None:
        data, mime = cover_bytes(tags.cover)
        kind = mp4.MP4Cover.FORMAT_JPEG if mime == "image/jpeg" else mp4.MP4Cover.FORMAT_PNG
        atoms["covr"] = [mp4.MP4Cover(data, imageformat=kind)]
    audio.save()
    resolved = resolve_ends(chapters, duration)
    has_chapters = audio.chapters is not None and len(list(audio.chapters)) > 0
    if resolved and not has_chapters:
        _add_nero_chapters(path, [(c.title, c.start_seconds) for c, _ in resolved])


def nero_title(title: str) -> str:
    """``title`` cut to the 255 UTF-8 bytes a ``chpl`` entry holds, between characters.

    A character split by the cut makes readers (mutagen among them) refuse the whole file's
    metadata; FFmpeg's own ``chpl`` writer cuts bytes blindly, so titles are fitted first.
    """
    return title.encode("utf-8")[:255].decode("utf-8", "ignore")


def _add_nero_chapters(path: Path, chapters: Sequence[tuple[str, float]]) -> None:
    """Append a ``udta/chpl`` atom (Nero chapters, 100 ns units) to the file's ``moov``.

    mutagen does not write chapters, so the atom is built here and inserted with mutagen's own
    atom-aware resizing helpers, which fix the parents' sizes and the chunk offsets.
    """
    body = bytearray(b"\x01\x00\x00\x00" + b"\x00\x00\x00\x00")
    body.append(len(chapters))
    for title, start in chapters:
        encoded = nero_title(title).encode("utf-8")
        body += struct.pack(">Q", round(start * 10_000_000))
        body.append(len(encoded))
        body += encoded
    chpl = Atom.render(b"chpl", bytes(body))
    with open(path, "rb+") as fileobj:
        atoms = Atoms(fileobj)
        try:
            path_to = atoms.path(b"moov", b"udta")
            parent = path_to[-1]
            offset = parent.offset + parent.length
            _insert(fileobj, atoms, path_to, offset, chpl)
        except KeyError:
            moov = atoms.path(b"moov")
            udta = Atom.render(b"udta", chpl)
            offset = moov[-1].offset + moov[-1].length
            _insert(fileobj, atoms, moov, offset, udta)


def _insert(fileobj: BinaryIO, atoms: Atoms, parents: list[Atom], offset: int, data: bytes) -> None:
    """Insert ``data`` at ``offset``, then grow the parent atoms and shift the chunk offsets."""
    insert_bytes(fileobj, len(data), offset)
    fileobj.seek(offset)
    fileobj.write(data)
    # mutagen's own bookkeeping for exactly this (it is what MP4Tags.save uses)
    tagger: Any = mp4.MP4Tags()
    tagger._MP4Tags__update_parents(fileobj, parents, len(data))
    tagger._MP4Tags__update_offsets(fileobj, atoms, len(data), offset)
