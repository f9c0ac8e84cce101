"""The pieces a transcript is shown as: paragraphs of tokens, each with its style flags.

A token is one thing the reader sees in the running text: a word, a pause long enough to show
(with its length), or an overdub clip. Tokens are mutable on purpose: an edit changes a few
words' flags or text in place, so the view can repaint exactly those and keep every other
paragraph's layout. Identity is ``key`` (the word id for words, ``pause:<after word>`` and
``overdub:<clip id>`` for the others); ``ordinal`` is the word's place in program order, which is
what selection, copy and find count in.
"""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    WORD = "word"
    PAUSE = "pause"
    OVERDUB = "overdub"


class Style:
    """Why a token looks different from plain kept text: bit flags, several may hold at once.

    Plain ``int`` constants, not an ``IntFlag``: every ``&`` on an ``IntFlag`` goes through the
    enum machinery (about a microsecond), which was a third of a full repaint's time.
    """

    NONE = 0
    DELETED = 1
    """Struck out: its audio is cut (shown struck and dimmed, or hidden)."""
    FILLER = 2
    """"um", "uh", "you know"…: tinted so a user can review them."""
    LOW_CONFIDENCE = 4
    """The recogniser was unsure: underlined, worth a listen."""
    CORRECTED = 8
    """The text was corrected by hand (the audio is what was said)."""
    GENERATED = 16
    """An overdub clip made by a voice backend, not recorded."""
    PLAYING = 32
    """The word under the playhead."""
    MATCH = 64
    """A hit of the current find."""
    SHORTENED = 128
    """A pause that was shortened (its label shows before → after)."""


def style_names(style: int) -> list[str]:
    """The names of the flags set in ``style`` (for messages and reprs)."""
    return [
        name
        for name, bit in vars(Style).items()
        if isinstance(bit, int) and bit and not name.startswith("_") and style & bit
    ]


LOW_CONFIDENCE_BELOW = 0.5
"""Words the recogniser gave less than this probability are marked low-confidence."""


class Token:
    """One word, pause or overdub as shown; the model updates ``text`` and ``style`` in place."""

    __slots__ = ("index", "key", "kind", "ordinal", "para", "style", "text", "word")

    def __init__(
        self,
        key: str,
        kind: Kind,
        text: str,
        style: int,
        word: str,
        ordinal: int,
        para: int = -1,
        index: int = -1,
    ) -> None:
        self.key = key
        self.kind = kind
        self.text = text
        self.style = style
        self.word = word
        """The word id this token belongs to: itself, or the word a pause/overdub follows."""
        self.ordinal = ordinal
        """Program-order index of ``word`` among all words."""
        self.para = para
        """Index of the paragraph holding it (set by the builder)."""
        self.index = index
        """Position inside that paragraph's ``tokens``."""

    @property
    def is_word(self) -> bool:
        return self.kind is Kind.WORD

    def __repr__(self) -> str:
        flags = "|".join(style_names(self.style)) or "NONE"
        return f"Token({self.key!r}, {self.kind.value}, {self.text!r}, {flags})"


class Paragraph:
    """A speaker's turn (or a piece of a long one), maybe opening a section."""

    __slots__ = (
        "continued",
        "heading",
        "index",
        "section",
        "speaker",
        "speaker_index",
        "start",
        "tokens",
    )

    def __init__(
        self,
        *,
        index: int,
        section: str,
        heading: str | None,
        speaker: str,
        speaker_index: int,
        continued: bool,
        start: float,
        tokens: list[Token],
    ) -> None:
        self.index = index
        self.section = section
        self.heading = heading
        """The section's name when this paragraph opens the section, else ``None``."""
        self.speaker = speaker
        self.speaker_index = speaker_index
        """A small number per distinct speaker, so the view can give each a colour."""
        self.continued = continued
        """The same speaker's turn goes on from the previous paragraph (no label repeated)."""
        self.start = start
        """Source time of the first word, in seconds (shown beside the speaker)."""
        self.tokens = tokens

    def __repr__(self) -> str:
        return f"Paragraph({self.index}, {self.speaker!r}, {len(self.tokens)} tokens)"


def format_seconds(seconds: float) -> str:
    """A pause length as shown in its token: ``0.8s``, ``12s``, ``1m05s``."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    m, s = divmod(round(seconds), 60)
    return f"{m}m{s:02d}s"


def format_clock(seconds: float) -> str:
    """A timestamp as shown beside a speaker: ``4:07`` or ``1:02:03``."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
