"""Finding a backend by name: the two built in, and plug-ins from the ``wordcut.voices`` group.

A plug-in is an installed distribution whose metadata declares, for example::

    [project.entry-points."wordcut.voices"]
    myclone = "myclone_wordcut:MyCloneBackend"

The entry point's name is the backend's name on the command line (``--backend myclone``); the
object it names is called with no arguments and must return something with ``name``,
``clones_voice`` and ``generate(request)`` (:class:`editor.overdub.backend.VoiceBackend`).
Plug-ins are only imported when asked for by name (or listed), so a broken one cannot stop
Wordcut from starting.
"""

from __future__ import annotations

from importlib import metadata

from editor.errors import OverdubError
from editor.overdub.backend import VoiceBackend

GROUP = "wordcut.voices"
BUILTIN = ("splice", "speech")


def _entry_points() -> dict[str, metadata.EntryPoint]:
    return {ep.name: ep for ep in metadata.entry_points(group=GROUP)}


def available() -> list[str]:
    """Every backend name: the built-in ones, then installed plug-ins (sorted)."""
    plugins = sorted(n for n in _entry_points() if n not in BUILTIN)
    return [*BUILTIN, *plugins]


def load(name: str) -> VoiceBackend:
    """The backend called ``name``; :class:`OverdubError` for an unknown or broken one."""
    if name == "splice":
        from editor.overdub.splice import SpliceBackend

        return SpliceBackend()
    if name == "speech":
        from editor.overdub.speech import SpeechBackend

        return SpeechBackend()
    ep = _entry_points().get(name)
    if ep is None:
        raise OverdubError(
            f"no voice backend {name!r}; available: {', '.join(available())} "
            f"(plug-ins register in the {GROUP!r} entry-point group)"
        )
    try:
        backend = ep.load()()
    except Exception as exc:  # a third-party plug-in may fail in any way: report, don't crash
        raise OverdubError(
            f"voice plug-in {name!r} ({ep.value}) cannot be loaded: {type(exc).__name__}: {exc}"
        ) from None
    for attr in ("generate", "clones_voice"):
        if not hasattr(backend, attr):
            raise OverdubError(f"voice plug-in {name!r} is not a voice backend (no {attr!r})")
    if not isinstance(getattr(backend, "name", None), str):
        backend.name = name
    return backend  # type: ignore[no-any-return]
