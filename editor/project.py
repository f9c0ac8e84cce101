"""An open project: its store record, its live document session, and its tracks' media.

Opening never fails because a recording moved: such a track is marked ``missing`` with the
command that fixes it (``wordcut locate``), and everything that does not need its audio (the
transcript, edits, captions) keeps working. Export and playback check :attr:`OpenProject.missing`
first and say which file to locate.

The EDL is derived here because only the project knows both halves: the document's words (in
``sync``) and where each track's audio and waveform cache live (in the store). Cut points snap
to the quietest moment of each gap using the cache's precomputed peaks when one is available.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from editor import paths
from editor.errors import MediaMismatch, StoreError
from editor.session import LocalSession
from editor.store import Store, Track, links
from editor.transcribe.words import TimedWord
from render.edl import Edl, EdlTrack
from sync.captions import CaptionWord
from sync.derive import ProgramMap, derive_edl
from sync.model import TrackRef, Word
from sync.ops import AddTranscript, Compound, Op, RemoveTranscript

if TYPE_CHECKING:
    from editor.collab.session import LinkedSession

log = logging.getLogger(__name__)


@dataclass(slots=True)
class TrackState:
    """A track as the open project sees it: the record plus whether its media can be found."""

    record: Track
    missing: bool
    _cache: Any = field(default=None, repr=False)
    _cache_tried: bool = field(default=False, repr=False)

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def label(self) -> str:
        return self.record.label

    def locate_hint(self, project_name: str) -> str | None:
        """The command that re-attaches a moved recording, when this one is missing."""
        if not self.missing:
            return None
        return (
            f"{self.record.media_path} is missing; run: wordcut locate {project_name!r} "
            f"{self.record.label!r} NEWPATH"
        )

    def cache(self) -> Any:
        """The track's decoded cache (``render.media.CachedMedia``), or ``None`` if unusable."""
        if not self._cache_tried:
            self._cache_tried = True
            cache_dir = self.record.cache_dir
            if cache_dir is not None and cache_dir.exists():
                try:
                    from render.media import open_cache

                    self._cache = open_cache(cache_dir)
                except Exception as exc:  # a stale or damaged cache only costs cut snapping
                    log.warning("cache of track %s unusable: %s", self.record.label, exc)
        return self._cache

    def close_cache(self) -> None:
        """Release the cache's file mappings; a later :meth:`cache` opens it again."""
        cache, self._cache, self._cache_tried = self._cache, None, False
        if cache is not None:
            cache.close()


class OpenProject:
    """A project opened for editing; close it (or use ``with``) to release the database."""

    def __init__(self, store: Store, ref: str, *, user: str = "local") -> None:
        self.store = store
        self.record = store.project(ref)
        self.session: LocalSession | LinkedSession
        if links.get(store.conn, self.record.id) is None:
            self.session = LocalSession(store, self.record.id, user=user)
        else:  # a shared project: the relay orders its edits (editor.collab.session)
            from editor.collab.session import LinkedSession

            self.session = LinkedSession(store, self.record.id)
            self.session.sync()
        self.tracks = [
            TrackState(t, missing=not Path(t.media_path).is_file())
            for t in store.tracks(self.record.id)
        ]

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def document(self) -> Any:
        return self.session.document

    @property
    def missing(self) -> list[TrackState]:
        return [t for t in self.tracks if t.missing]

    def track(self, ref: str) -> TrackState:
        record = self.store.track(self.id, ref)
        return next(t for t in self.tracks if t.id == record.id)

    def clip_path(self, clip: str) -> Path:
        """Where an overdub clip reference resolves: the project's clips folder."""
        p = Path(clip)
        return p if p.is_absolute() else paths.clips_dir(self.store.home, self.id) / p

    def edl_tracks(self) -> dict[str, EdlTrack]:
        return {
            t.id: EdlTrack(
                path=t.record.media_path,
                gain_db=t.record.gain_db,
                mute=bool(t.record.metadata.get("mute", False)),  # the app's Tracks panel sets it
                offset=t.record.clock_offset,
                label=t.label,
            )
            for t in self.tracks
        }

    def quietest(self) -> Callable[[str, float, float], float] | None:
        """Cut-point snapping from the tracks' peak caches (project clock in, project clock out)."""
        caches = {t.id: (t.cache(), t.record.clock_offset) for t in self.tracks}
        caches = {k: v for k, v in caches.items() if v[0] is not None}
        if not caches:
            return None

        def quietest(track_id: str, start_s: float, end_s: float) -> float:
            entry = caches.get(track_id)
            if entry is None:
                return (start_s + end_s) / 2
            cache, offset = entry
            try:
                return float(cache.peaks.quietest_point(start_s - offset, end_s - offset)) + offset
            except Exception:
                return (start_s + end_s) / 2

        return quietest

    def edl(self, *, crossfade_ms: float = 10.0) -> Edl:
        """The program as the document currently says it is."""
        return derive_edl(
            self.document,
            self.edl_tracks(),
            sample_rate=self.record.sample_rate,
            crossfade_ms=crossfade_ms,
            quietest=self.quietest(),
            clip_path=self.clip_path,
        )

    def program_map(self, edl: Edl | None = None) -> ProgramMap:
        return ProgramMap.build(self.document, edl if edl is not None else self.edl())

    def caption_words(self, edl: Edl | None = None) -> list[CaptionWord]:
        """Kept words at their program times, with speakers, for captions and transcripts;
        generated (overdub) words are included, marked (:mod:`editor.overdub.marking`)."""
        from editor.overdub.marking import with_generated

        doc = self.document
        edl = edl if edl is not None else self.edl()
        out: list[CaptionWord] = []
        for word_id, start, end in self.program_map(edl).spans():
            w = doc.word(word_id)
            out.append(CaptionWord(doc.text_of(word_id), start, end, w.speaker, word_id))
        return with_generated(self, out, edl)

    def submit_words(
        self,
        track: TrackState,
        words: Sequence[TimedWord],
        *,
        speakers: Sequence[str | None] | None = None,
        action: str = "re-transcribe",
    ) -> int:
        """Make ``words`` (track time) the track's transcript in the document; the new version.

        The one path for transcription, alignment and transcript import: one ``AddTranscript``
        (inside a ``Compound`` named ``"<action> <label>"`` with ``RemoveTranscript`` when the
        track had a transcript already, so it undoes as one step), word ids
        ``<track id tail>.<n>``, times moved by the track's clock offset onto the project clock.
        ``speakers`` (one per word, from an imported transcript) override the track label where
        given. The document (snapshot + op log) is the only place the words are stored.
        """
        record = track.record
        prefix = record.id[-8:]
        offset = record.clock_offset
        named = speakers if speakers is not None else [None] * len(words)
        doc_words = tuple(
            Word(
                f"{prefix}.{i}",
                record.id,
                w.text,
                w.start + offset,
                w.end + offset,
                w.confidence,
                speaker or record.label,
                w.filler,
            )
            for i, (w, speaker) in enumerate(zip(words, named, strict=True))
        )
        duration = record.metadata.get("duration")
        ref = TrackRef(
            record.id,
            record.label,
            float(duration) + offset if isinstance(duration, int | float) else None,
        )
        op: Op = AddTranscript(ref, doc_words)
        if any(t.id == record.id for t in self.document.tracks):
            op = Compound(f"{action} {record.label}", (RemoveTranscript(record.id), op))
        return self.session.submit(op)

    def close(self) -> None:
        """Release the tracks' opened caches; edits need no flush (each is already committed)."""
        for t in self.tracks:
            t.close_cache()

    def __enter__(self) -> OpenProject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_project(store: Store, ref: str, *, user: str = "local") -> OpenProject:
    """Open a project by name or id; missing media mark tracks, they do not fail the open."""
    project = OpenProject(store, ref, user=user)
    store.mark_opened(project.id)
    return project


def locate_track(store: Store, project_id: str, track_ref: str, new_path: Path) -> Track:
    """Point a track at its recording's new place, if the file there is the same recording."""
    from render.errors import MediaError
    from render.media import sha256_file  # as import hashed it; loads PyAV, so lazily

    track = store.track(project_id, track_ref)
    new_path = new_path.expanduser().resolve()
    if not new_path.is_file():
        raise StoreError(f"{new_path}: no such file")
    try:
        digest = sha256_file(new_path)
    except MediaError as exc:
        raise StoreError(str(exc)) from exc
    if digest != track.sha256:
        raise MediaMismatch(
            f"{new_path} is not the recording of track {track.label!r} "
            f"(SHA-256 {digest[:12]}…, expected {track.sha256[:12]}…)"
        )
    return store.update_track(track.id, media_path=new_path)
