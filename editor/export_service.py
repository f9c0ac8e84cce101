"""Exporting a project: the one service ``wordcut export`` and the app both call.

An export is two steps, because they belong on different threads::

    job = prepare_export(project, "episode.mp3", options)   # the thread that owns the project
    done = job.run(progress, cancel)                         # any thread: a worker, or the same

:func:`prepare_export` reads the live document (derives the EDL, the chapters from the
sections, the version), checks the media are where the library says and that the target
folder exists, and validates the options — everything that can be wrong is refused here, in
milliseconds, before any audio is read. It returns an immutable :class:`ExportJob` that shares
nothing with the document, so the user can keep editing while it runs. :meth:`ExportJob.run`
does the long part: it records the render (on a database connection of its own, because
sqlite3 connections belong to one thread), renders through :func:`render.export.export`,
writes the Podcasting 2.0 ``.chapters.json`` beside the episode when there are chapters, and
marks the record completed, failed or cancelled. :func:`export_project` does both on one
thread (the CLI).

``progress(done, total)`` and ``cancel()`` are called only on the thread that runs the job;
``cancel`` returning true stops the render at its next block with
:class:`render.errors.Cancelled`, and nothing is left behind (no partial episode, no chapters
file). An app passes ``threading.Event().is_set`` as ``cancel`` and forwards ``progress`` to
the GUI thread itself. Nothing here touches a file other than the target and its sidecar:
no temporary EDL or chapters files, no argparse.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from editor.errors import MissingMedia, StoreError
from editor.project import OpenProject
from editor.store import db, renders
from render import edl as edl_mod
from render.atomic import check_writable
from render.chapters import Chapter, save_chapters_json
from render.edl import DEFAULT_CROSSFADE_MS, Edl
from render.errors import Cancelled
from render.export import ExportOptions, ExportResult
from render.jobs import CancelFn, ProgressFn, never_cancel, no_progress

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProjectExport:
    """What an export produced."""

    render_id: str
    """The render record (``wordcut renders``-style history in the library)."""
    result: ExportResult
    chapters: tuple[Chapter, ...]
    chapters_path: Path | None
    """The ``.chapters.json`` written beside the episode (``None`` without chapters)."""


@dataclass(frozen=True, slots=True)
class ExportJob:
    """A prepared export: a snapshot of the program, ready to run on any thread, once or more."""

    project_id: str
    out: Path
    options: ExportOptions
    edl: Edl
    chapters: tuple[Chapter, ...]
    doc_version: int
    connect: Callable[[], sqlite3.Connection] = field(repr=False)
    """Opens the library database for the running thread (``Store.connect``)."""
    write_chapters_file: bool = True

    @property
    def sidecar(self) -> Path:
        """The chapters sidecar's place beside the episode: ``episode.mp3`` →
        ``episode.chapters.json``."""
        return self.out.with_suffix(".chapters.json")

    @property
    def chapters_path(self) -> Path | None:
        """Where the chapters sidecar is written (None: no chapters, or no sidecar wanted)."""
        if not self.chapters or not self.write_chapters_file:
            return None
        return self.sidecar

    def run(
        self, progress: ProgressFn = no_progress, cancel: CancelFn = never_cancel
    ) -> ProjectExport:
        """Render, write the chapters sidecar, and keep the render record; see the module doc."""
        from render.export import export

        conn = self.connect()
        try:
            with db.transaction(conn):
                record = renders.start(
                    conn,
                    self.project_id,
                    format=self.options.format,
                    path=self.out,
                    edl_json=json.dumps(edl_mod.to_dict(self.edl)),
                    options=options_record(self.options),
                    doc_version=self.doc_version,
                )
            try:
                result = export(
                    self.edl,
                    self.out,
                    self.options,
                    chapters=self.chapters,
                    progress=progress,
                    cancel=cancel,
                )
                sidecar = self.chapters_path
                if sidecar is not None:
                    save_chapters_json(sidecar, self.chapters)
                elif self.write_chapters_file:
                    # An episode exported again without chapters must not keep the sidecar
                    # of its previous export: a host's upload form would take those chapters.
                    self.sidecar.unlink(missing_ok=True)
            except (Cancelled, KeyboardInterrupt):
                _finish(conn, record.id, "cancelled", "cancelled by the user")
                raise
            except BaseException as exc:
                _finish(conn, record.id, "failed", str(exc) or type(exc).__name__)
                raise
            _finish(conn, record.id, "completed", None)
        finally:
            conn.close()
        return ProjectExport(record.id, result, self.chapters, sidecar)


def prepare_export(
    project: OpenProject,
    out: str | Path,
    options: ExportOptions | None = None,
    *,
    crossfade_ms: float | None = None,
    write_chapters_file: bool = True,
) -> ExportJob:
    """Snapshot ``project``'s program for exporting to ``out`` (call on the project's thread).

    ``options`` default to the format of ``out``'s extension with its default settings.
    Raises :class:`MissingMedia` (with the ``wordcut locate`` command) when a track's
    recording moved, :class:`render.errors.WriteError` when ``out`` cannot be written (its
    folder is missing or read-only, ``out`` is a folder), and the options' or the EDL's own
    errors for impossible choices.
    """
    target = Path(out).expanduser().resolve()
    opts = options if options is not None else ExportOptions.for_path(target)
    missing = project.missing
    if missing:
        hint = missing[0].locate_hint(project.name)
        raise MissingMedia(hint or f"the recording of track {missing[0].label!r} is missing")
    check_writable(target)  # a missing or read-only folder fails now, not after the render
    edl = project.edl(crossfade_ms=DEFAULT_CROSSFADE_MS if crossfade_ms is None else crossfade_ms)
    edl.check_output(target)  # never write the edit over the recording it is cut from
    opts = _mark_generated(project, opts)
    return ExportJob(
        project_id=project.id,
        out=target,
        options=opts,
        edl=edl,
        chapters=section_chapters(project, edl),
        doc_version=project.session.version,
        connect=project.store.connect,
        write_chapters_file=write_chapters_file,
    )


def _mark_generated(project: OpenProject, opts: ExportOptions) -> ExportOptions:
    """An episode that plays generated (overdub) speech says so in the file: ID3 ``TXXX`` in
    MP3, the comment in M4A (:mod:`render.export.tags`), whatever the caller asked for."""
    from dataclasses import replace

    from editor.overdub.marking import has_generated

    if opts.tags.generated_content or not has_generated(project.document):
        return opts
    return replace(opts, tags=replace(opts.tags, generated_content=True))


def export_project(
    project: OpenProject,
    out: str | Path,
    options: ExportOptions | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelFn = never_cancel,
    *,
    crossfade_ms: float | None = None,
    write_chapters_file: bool = True,
) -> ProjectExport:
    """Export ``project`` to ``out`` on this thread: :func:`prepare_export`, then run it."""
    job = prepare_export(
        project, out, options, crossfade_ms=crossfade_ms, write_chapters_file=write_chapters_file
    )
    return job.run(progress, cancel)


def section_chapters(project: OpenProject, edl: Edl) -> tuple[Chapter, ...]:
    """One chapter per section at its program start; none when there is only one section."""
    starts = project.program_map(edl).section_starts()
    if len(starts) < 2:
        return ()
    return tuple(Chapter(name, round(t, 3)) for name, t in starts)


def options_record(options: ExportOptions) -> dict[str, Any]:
    """The options as the render record keeps them (JSON: paths as text)."""
    return {k: _jsonable(v) for k, v in asdict(options).items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def _finish(conn: sqlite3.Connection, render_id: str, status: Any, error: str | None) -> None:
    """Close the render record; a library that cannot be written must not hide the export's
    own outcome (the episode was written, or the real error is on its way up)."""
    try:
        with db.transaction(conn):
            renders.finish(conn, render_id, status, error)
    except StoreError as exc:
        log.warning("render %s: cannot record %s: %s", render_id, status, exc)
