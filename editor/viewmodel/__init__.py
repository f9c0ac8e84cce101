"""The transcript view model: Qt-free shapes of the edit document for the transcript view.

``TranscriptModel(document)`` shapes a ``sync.Document`` into paragraphs (speaker turns inside
sections, headings on each section's first) of tokens (words, pauses with their lengths,
overdub clips), each with :class:`Style` flags; the shell feeds it every committed change with
``apply(change)`` and ``reset(document)``; subscribers get an :class:`Update` saying which
tokens to repaint and which paragraphs to lay out again.
"""

from editor.viewmodel.model import TranscriptModel, Update
from editor.viewmodel.selection import Selection
from editor.viewmodel.tokens import Kind, Paragraph, Style, Token

__all__ = ["Kind", "Paragraph", "Selection", "Style", "Token", "TranscriptModel", "Update"]
