"""What every window of one running app shares: the library, settings, the error route, the one
job runner, and the factories tests replace (the audio player)."""

from __future__ import annotations

from dataclasses import dataclass, field

from editor.store import Store
from editor.ui.error_route import ErrorRoute
from editor.ui.jobs import JobRunner
from editor.ui.settings import Settings
from editor.ui.transport import PlayerFactory, default_player


@dataclass(slots=True)
class AppContext:
    store: Store
    settings: Settings
    errors: ErrorRoute
    jobs: JobRunner
    player_factory: PlayerFactory = field(default=default_player)
    fixed_layout: bool = False
    """``--screenshot``: the default window size and layout, and nothing saved on close, so a
    picture is reproducible and never changes the user's own layout."""
    transcribe_factory: str | None = None
    """The transcription worker's engine factory (``module:function``); None = faster-whisper.
    Tests point it at a fake engine so transcription runs without the model."""

    def report(self, exc: BaseException) -> None:
        self.errors.report(exc)
