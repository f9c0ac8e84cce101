"""Overdub: fix a line in the host's own voice — offline, consent-gated, honestly marked.

Modules, in the order a line goes through them:

* :mod:`~editor.overdub.text` — the typed text as words and spoken tokens (numbers spelled);
* :mod:`~editor.overdub.consent` — the consent statement, sample verification, and the
  authority's rule for overdubs that carry a voice;
* :mod:`~editor.overdub.context` — the speaker's recorded words and audio around the line;
* :mod:`~editor.overdub.backend` — the one interface every backend implements;
  :mod:`~editor.overdub.splice`, :mod:`~editor.overdub.speech` and plug-ins found by
  :mod:`~editor.overdub.registry` (entry-point group ``wordcut.voices``);
* :mod:`~editor.overdub.compose` — backend + hole filling + loudness matching → a clip
  (with :mod:`~editor.overdub.level` for loudness and :mod:`~editor.overdub.joins` for the
  crossfaded joins);
* :mod:`~editor.overdub.clipstore` — the hash-named clip and its record in ``clips/``;
* :mod:`~editor.overdub.edit` — prepare / preview / commit the edit;
* :mod:`~editor.overdub.marking` — generated words in transcript outputs.

Errors are :class:`editor.errors.OverdubError` (and :class:`~editor.errors.ConsentError`).
"""
