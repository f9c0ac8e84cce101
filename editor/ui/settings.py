"""The app's preferences in ``QSettings``: window geometry, recent projects, transcription model
and threads, audio device, loudness target, theme.

One small typed facade so that keys and defaults are written once; every value read back is
checked, because a settings file is user-editable input like any other.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QByteArray, QSettings

Theme = Literal["system", "light", "dark"]
THEMES: tuple[Theme, ...] = ("system", "light", "dark")
RECENT_MAX = 8
DEFAULT_LOUDNESS = -16.0


class Settings:
    """Typed access to the user's preferences (organisation and app name set in ``app.py``)."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._s = qsettings if qsettings is not None else QSettings()

    def sync(self) -> None:
        self._s.sync()

    # --- window -----------------------------------------------------------------------------

    def geometry(self, key: str) -> QByteArray | None:
        value = self._s.value(f"window/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, key: str, value: QByteArray) -> None:
        self._s.setValue(f"window/{key}", value)

    # --- recent projects --------------------------------------------------------------------

    def recent(self) -> list[str]:
        """Project ids, most recently opened first."""
        value = self._s.value("recent/projects", [])
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [v for v in items if isinstance(v, str) and v][:RECENT_MAX]

    def add_recent(self, project_id: str) -> None:
        ids = [project_id, *(p for p in self.recent() if p != project_id)][:RECENT_MAX]
        self._s.setValue("recent/projects", ids)

    def forget_recent(self, project_id: str) -> None:
        self._s.setValue("recent/projects", [p for p in self.recent() if p != project_id])

    # --- transcription ----------------------------------------------------------------------

    def model(self) -> str:
        """A faster-whisper model name or folder; empty means the bundled offline model."""
        value = self._s.value("transcription/model", "")
        return value if isinstance(value, str) else ""

    def set_model(self, value: str) -> None:
        self._s.setValue("transcription/model", value.strip())

    def threads(self) -> int:
        """CPU threads for transcription; 0 means the default for this machine."""
        return _int(self._s.value("transcription/threads", 0), 0, 0, 64)

    def set_threads(self, value: int) -> None:
        self._s.setValue("transcription/threads", int(value))

    # --- playback and export ----------------------------------------------------------------

    def device(self) -> str:
        """The output device's name; empty means the system default."""
        value = self._s.value("playback/device", "")
        return value if isinstance(value, str) else ""

    def set_device(self, value: str) -> None:
        self._s.setValue("playback/device", value)

    def loudness(self) -> float:
        value = self._s.value("export/loudness", DEFAULT_LOUDNESS)
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return DEFAULT_LOUDNESS
        return number if -40.0 <= number <= -5.0 else DEFAULT_LOUDNESS

    def set_loudness(self, value: float) -> None:
        self._s.setValue("export/loudness", float(value))

    def export_folder(self) -> str:
        value = self._s.value("export/folder", "")
        return value if isinstance(value, str) else ""

    def set_export_folder(self, value: str) -> None:
        self._s.setValue("export/folder", value)

    # --- appearance -------------------------------------------------------------------------

    def theme(self) -> Theme:
        value = self._s.value("appearance/theme", "system")
        for t in THEMES:
            if value == t:
                return t
        return "system"

    def set_theme(self, value: Theme) -> None:
        self._s.setValue("appearance/theme", value)

    def show_deleted(self) -> bool:
        return _bool(self._s.value("view/show_deleted", True))

    def set_show_deleted(self, value: bool) -> None:
        self._s.setValue("view/show_deleted", bool(value))


def _int(value: object, default: int, lo: int, hi: int) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
    return number if lo <= number <= hi else default


def _bool(value: object) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)
