"""Consent: the statement a host reads, checking that a sample really says it, and the rule the
authority applies to every overdub that carries a voice.

Why a read statement. A voice profile lets software speak as a person. The seed restricted that
with an e-mail check in the application, which its own risk list calls weak. Here the profile
can only be made from a recording in which the host reads a statement naming themselves and what
they agree to; the bundled model transcribes it and the words must be there (word error rate on
the statement at most :data:`MAX_STATEMENT_WER`). The record keeps the statement, the sample's
hash and the date, so consent can be shown later.

Why the authority checks it. Whoever orders the edits (the local session, or the relay in a
shared session) refuses an ``insert_overdub`` whose voice belongs to another identity with the
reason ``forbidden``, so no client — local script or remote peer — can get around it by
building the op itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from editor.errors import ConsentError
from sync.ops import Compound, InsertOverdub, Op

MIN_SAMPLE_SECONDS = 15.0
MAX_STATEMENT_WER = 0.25
FORBIDDEN = "forbidden"
"""The authority's rejection reason for an overdub in someone else's (or no verified) voice."""

_STATEMENT = (
    "I, {host}, am recording this sample of my own voice for Wordcut. I agree that the people "
    "I share my projects with may use it to make new recordings of my voice, but only to "
    "correct the things I said in my own podcast episodes. I can withdraw this consent at any "
    "time by removing my voice profile."
)


def statement(host: str) -> str:
    """The consent statement ``host`` reads aloud (about 60 words: 17 s or more to read)."""
    name = " ".join(host.split())
    if not name:
        raise ConsentError("a consent statement needs the host's name")
    return _STATEMENT.format(host=name)


class Transcriber(Protocol):
    def __call__(self, samples: npt.NDArray[np.float32]) -> str:
        """The text heard in 16 kHz mono ``samples``."""
        ...


@dataclass(frozen=True, slots=True)
class Verification:
    """What checking a consent sample found (stored in the profile's consent record)."""

    duration: float
    heard: str
    wer: float
    sample_sha256: str


@functools.lru_cache(maxsize=1)
def bundled_transcriber() -> Transcriber:
    """The bundled offline model, loaded once per process (a few seconds)."""
    from editor.transcribe.model import default_threads, load_whisper, resolve_model

    model = load_whisper(resolve_model(None), threads=default_threads())

    def transcribe(samples: npt.NDArray[np.float32]) -> str:
        segments, _ = model.transcribe(samples, language="en", beam_size=5)
        return " ".join(s.text.strip() for s in segments)

    return transcribe


def decode_sample(path: Path) -> npt.NDArray[np.float32]:
    """The sample as 16 kHz mono, or :class:`ConsentError` naming the file."""
    from render.errors import MediaError
    from render.media import probe

    if not path.is_file():
        raise ConsentError(f"{path}: no such file")
    try:
        probe(path)  # a clear message for an empty, truncated or non-audio file
    except MediaError as exc:
        raise ConsentError(str(exc)) from None
    from faster_whisper.audio import decode_audio

    try:
        return np.asarray(decode_audio(str(path), sampling_rate=16000), dtype=np.float32)
    except Exception as exc:  # PyAV raises many types; the file is the problem either way
        raise ConsentError(f"{path}: cannot decode the sample ({exc})") from None


def verify_sample(path: Path, host: str, transcriber: Transcriber | None = None) -> Verification:
    """Check that ``path`` is at least 15 s of ``host`` reading :func:`statement`.

    Raises :class:`ConsentError` with the reason (too short, statement not heard) otherwise.
    """
    from editor.transcribe.wer import wer
    from render.media import sha256_file

    samples = decode_sample(path)
    duration = len(samples) / 16000
    if duration < MIN_SAMPLE_SECONDS:
        raise ConsentError(
            f"{path}: the sample is {duration:.1f} s; read the whole statement "
            f"(`wordcut voice statement`) in at least {MIN_SAMPLE_SECONDS:.0f} s"
        )
    heard = (transcriber or bundled_transcriber())(samples)
    score = wer(statement(host), heard).rate
    if score > MAX_STATEMENT_WER:
        raise ConsentError(
            f"{path}: the consent statement was not heard in the sample (word error rate "
            f"{score:.0%}, at most {MAX_STATEMENT_WER:.0%} is accepted); record {host} reading "
            "`wordcut voice statement` aloud"
        )
    return Verification(duration, heard, score, sha256_file(path))


def consent_record(host: str, owner: str, found: Verification) -> dict[str, Any]:
    """The consent record stored with a new profile."""
    return {
        "given_by": " ".join(host.split()),
        "owner": owner,
        "statement": statement(host),
        "sample_sha256": found.sample_sha256,
        "sample_seconds": round(found.duration, 2),
        "heard": found.heard,
        "wer": round(found.wer, 4),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def overdubs_in(op: Op) -> Iterator[InsertOverdub]:
    """Every ``insert_overdub`` in ``op``, also inside compounds."""
    if isinstance(op, InsertOverdub):
        yield op
    elif isinstance(op, Compound):
        for inner in op.ops:
            yield from overdubs_in(inner)


def authorize(author: str, op: Op, owners: Mapping[str, str]) -> str | None:
    """The authority's consent rule: ``"forbidden"`` if ``op`` inserts an overdub in a voice
    that ``author`` does not own, else ``None``.

    ``owners`` maps each *active* (verified, not removed) profile id to its owner identity, so a
    removed or unknown profile is refused too, and so is an op whose ``voice_owner`` (what the
    relay checks, ``sync.relay.room.foreign_voice``) disagrees. An overdub without a voice (a
    sting, or generic text-to-speech that imitates nobody) needs no profile.
    """
    for insert in overdubs_in(op):
        o = insert.overdub
        if o.voice is None:
            continue
        owner = owners.get(o.voice)
        if owner != author or (o.voice_owner is not None and o.voice_owner != owner):
            return FORBIDDEN
    return None


def library_authorizer(conn: Any) -> Callable[[str, Op], str | None]:
    """The ``authorize(author, op)`` hook for an authority over a project of this library
    (``sync.authority.Authority``): the consent rule with the library's active profiles, read
    at the moment of the edit so a profile removed a second ago already counts as removed."""
    from editor.store import voices

    def authorize_op(author: str, op: Op) -> str | None:
        if not any(i.overdub.voice is not None for i in overdubs_in(op)):
            return None
        return authorize(author, op, voices.owners(conn))

    return authorize_op
