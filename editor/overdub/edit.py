"""The overdub edit: generate a corrected line and put it in the project as one undoable step.

``prepare`` does all the work that can fail — parse the text, check the range is one speaker's,
check consent, run the backend, refuse words nothing could say — without touching the project.
``commit`` stores the clip (hash-named, in the project's ``clips/``) and submits one compound op:
delete the replaced words, insert the clip after the word before them. ``preview`` renders the
line in context (a second either side) through the same reader the export uses, on a copy of
the document, so the project is not changed.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from editor import paths
from editor.errors import ConsentError, OverdubError
from editor.overdub import consent, registry
from editor.overdub.backend import ProfileInfo, VoiceRequest
from editor.overdub.clipstore import save_clip, wav_bytes
from editor.overdub.compose import Clip, compose
from editor.overdub.context import LineRange, line_range, speaker_context
from editor.overdub.text import Line, parse_line
from editor.store import voices
from editor.store.db import new_id
from sync.model import Overdub
from sync.ops import Compound, Delete, InsertOverdub, Op

PREVIEW_CONTEXT = 1.0


@dataclass(frozen=True, slots=True)
class Prepared:
    """A generated line, ready to preview or commit."""

    range: LineRange
    line: Line
    clip: Clip
    profile: ProfileInfo | None
    backend: str


def resolve_profile(project: Any, speaker: str, voice: str | None, user: str) -> ProfileInfo:
    """The verified profile to speak as ``speaker``, which ``user`` must own."""
    conn = project.store.conn
    if voice is not None:
        profile = voices.find(conn, voice)
    else:
        found = voices.list_for(conn, speaker)
        if not found:
            raise ConsentError(
                f"no voice profile for {speaker!r}: {speaker} must first record their consent "
                f"(`wordcut voice statement {speaker!r}`, then `wordcut voice add {speaker!r} "
                "SAMPLE`)"
            )
        mine = [p for p in found if voices.owner(p) == user]
        profile = (mine or found)[-1]  # the user's own newest, else say whose it is
    if profile.host != speaker:
        raise ConsentError(
            f"voice profile {profile.id} is the voice of {profile.host!r}, but the words are "
            f"said by {speaker!r}; an overdub speaks only in the voice of who said the line"
        )
    owner = voices.owner(profile)
    if owner != user:
        raise ConsentError(
            f"forbidden: the voice profile of {profile.host!r} belongs to {owner!r}; only they "
            f"may generate speech with it (you are {user!r})"
        )
    return ProfileInfo(profile.id, profile.host, owner, profile.reference_media)


def prepare(
    project: Any,
    first: str,
    last: str,
    text: str,
    *,
    user: str,
    backend: str = "splice",
    voice: str | None = None,
    fill: str | None = None,
) -> Prepared:
    """Generate the line for words ``first..last``; nothing in the project changes."""
    line = parse_line(text)
    rng = line_range(project.document, first, last)
    chosen = registry.load(backend)
    profile: ProfileInfo | None = None
    if chosen.clones_voice:
        profile = resolve_profile(project, rng.speaker, voice, user)
    elif voice is not None:
        raise OverdubError(
            f"the {backend!r} backend imitates nobody, so it takes no --voice; "
            "use --backend splice (or a voice plug-in) to speak in a host's voice"
        )
    filler = None if fill is None else registry.load(fill)
    if filler is not None and filler.clones_voice and profile is None:
        profile = resolve_profile(project, rng.speaker, voice, user)
    ctx = speaker_context(project, rng)
    clip = compose(VoiceRequest(line, ctx, profile), chosen, filler)
    if clip.uncovered:
        missing = ", ".join(repr(w) for w in clip.uncovered)
        hint = "add --fill speech to have system speech say them, or " if fill is None else ""
        raise OverdubError(
            f"the {backend} backend cannot say {missing} in {rng.speaker or 'the speaker'}'s "
            f"voice; {hint}rephrase the line"
        )
    if clip.duration <= 0:
        raise OverdubError("the voice backend produced no audio")
    return Prepared(rng, line, clip, profile, backend)


def overdub_op(prepared: Prepared, clip_name: str, doc: Any) -> Compound:
    """Delete the replaced words (those still kept) and insert the clip after the anchor."""
    rng = prepared.range
    ops: list[Op] = []
    if any(not doc.is_deleted(w) for w in rng.ids):
        ops.append(Delete(rng.first, rng.last))
    overdub = Overdub(
        id=new_id(),
        after_word=rng.anchor,
        clip=clip_name,
        text=prepared.line.text,
        duration=prepared.clip.duration,
        voice=None if prepared.profile is None else prepared.profile.id,
        generated=True,
        voice_owner=None if prepared.profile is None else prepared.profile.owner,
    )
    ops.append(InsertOverdub(overdub))
    return Compound("overdub", tuple(ops))


def check_consent(project: Any, op: Op, user: str) -> None:
    """The authority's rule, applied before submitting (see :func:`consent.authorize`)."""
    if consent.authorize(user, op, voices.owners(project.store.conn)) is not None:
        raise ConsentError(f"{consent.FORBIDDEN}: the overdub's voice profile is not {user!r}'s")


def commit(project: Any, prepared: Prepared, *, user: str) -> tuple[int, Overdub]:
    """Store the clip and submit the edit; returns the new version and the overdub."""
    folder = paths.clips_dir(project.store.home, project.id)
    existed = {p.name for p in folder.glob("*")} if folder.is_dir() else set()
    name = save_clip(
        folder, prepared.clip, prepared.line.text, prepared.profile, prepared.range.speaker or None
    )
    op = overdub_op(prepared, name, project.document)
    try:
        check_consent(project, op, user)
        version = project.session.submit(op)
    except BaseException:
        for written in (folder / name, (folder / name).with_suffix(".json")):
            if written.name not in existed:
                written.unlink(missing_ok=True)
        raise
    inserted = op.ops[-1]
    assert isinstance(inserted, InsertOverdub)
    return version, inserted.overdub


def programme_with(project: Any, prepared: Prepared, clip_file: Path) -> tuple[Any, float, float]:
    """The project's programme with ``prepared`` committed as :func:`commit` would commit it
    (the range deleted, ``clip_file`` inserted after the anchor), on a copy of the document:
    the project is not changed. Returns the EDL and the clip's span in programme seconds —
    what a listener hears around the line (``--preview``, the benchmark's read-back)."""
    from render.edl import ClipInsert
    from render.reader import EdlReader
    from sync.derive import derive_edl
    from sync.document import Document

    doc = Document.from_snapshot(
        msgspec.json.decode(msgspec.json.encode(project.document.snapshot()))
    )
    clip_file.write_bytes(wav_bytes(prepared.clip))
    doc.apply(overdub_op(prepared, clip_file.name, doc))
    edl = derive_edl(
        doc,
        project.edl_tracks(),
        sample_rate=project.record.sample_rate,
        quietest=project.quietest(),
        clip_path=lambda c: clip_file if c == clip_file.name else project.clip_path(c),
    )
    index = next(
        k for k, s in enumerate(edl.segments) if isinstance(s, ClipInsert) and s.path == clip_file
    )
    with EdlReader(edl) as reader:
        start = reader.segment_starts()[index] / reader.sample_rate
    return edl, start, start + prepared.clip.duration


def preview(project: Any, prepared: Prepared, out: Path) -> float:
    """Write the line in context to ``out`` (WAV); returns its length in seconds."""
    import soundfile as sf

    from render.atomic import atomic_path
    from render.reader import EdlReader

    missing = project.missing
    if missing:
        raise OverdubError(missing[0].locate_hint(project.name) or "a track's media is missing")
    with tempfile.TemporaryDirectory(prefix="wordcut-preview-") as tmp:
        edl, start_s, _ = programme_with(project, prepared, Path(tmp) / "preview.wav")
        with EdlReader(edl) as reader:
            rate = reader.sample_rate
            start = round(start_s * rate)
            length = len(prepared.clip.samples)
            lo = max(0, start - round(PREVIEW_CONTEXT * rate))
            hi = min(reader.frames, start + length + round(PREVIEW_CONTEXT * rate))
            audio = np.clip(reader.read(lo, hi - lo), -1.0, 1.0)
    out = out.expanduser()
    with contextlib.ExitStack() as stack:
        tmp_out = stack.enter_context(atomic_path(out, suffix=".wav"))
        sf.write(str(tmp_out), audio, rate, format="WAV", subtype="PCM_16")
    return (hi - lo) / rate
