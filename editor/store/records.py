"""Plain records the store returns: one frozen dataclass per table row, no database handles.

Returning copies rather than live rows keeps the UI and the CLI free to hold them on any thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

TranscriptionStatus = Literal["pending", "in_progress", "completed", "failed"]
RenderStatus = Literal["rendering", "completed", "failed", "cancelled"]
OpKind = Literal["do", "undo", "redo"]


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    name: str
    sample_rate: int
    created_at: str
    updated_at: str
    opened_at: str | None
    archived_at: str | None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "sample_rate": self.sample_rate,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "opened_at": self.opened_at,
            "archived": self.archived,
        }


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    project_id: str
    position: int
    label: str
    media_path: Path
    sha256: str
    cache_dir: Path | None
    metadata: dict[str, Any]
    clock_offset: float
    gain_db: float
    transcription_status: TranscriptionStatus
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "position": self.position,
            "media_path": str(self.media_path),
            "sha256": self.sha256,
            "cache_dir": None if self.cache_dir is None else str(self.cache_dir),
            "metadata": self.metadata,
            "clock_offset": self.clock_offset,
            "gain_db": self.gain_db,
            "transcription_status": self.transcription_status,
        }


@dataclass(frozen=True, slots=True)
class OpRecord:
    """One row of the append-only op log; ``op`` and ``inverse`` are the ops' JSON text."""

    version: int
    op: str
    inverse: str
    kind: OpKind
    target_version: int | None
    author: str
    client_id: str
    client_seq: int
    created_at: str
    digest: str = ""
    """SHA-256 of the op as the client submitted it (``sync.ops.op_digest``)."""


@dataclass(frozen=True, slots=True)
class RenderRecord:
    id: str
    project_id: str
    format: str
    path: Path
    edl_json: str
    options: dict[str, Any]
    status: RenderStatus
    error: str | None
    doc_version: int | None
    started_at: str
    finished_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "format": self.format,
            "path": str(self.path),
            "status": self.status,
            "error": self.error,
            "doc_version": self.doc_version,
            "options": self.options,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


@dataclass(frozen=True, slots=True)
class VoiceProfile:
    """A host's voice: who it belongs to, the sample it was made from, and their consent."""

    id: str
    project_id: str | None
    host: str
    reference_media: Path
    reference_sha256: str | None
    backend: str
    consent: dict[str, Any]
    created_at: str
    revoked_at: str | None
