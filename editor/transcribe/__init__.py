"""Transcription: faster-whisper in a child process, chunked, checkpointed, multitrack.

See docs/transcription.md for the method. The pieces, each usable on its own:

* :mod:`.job` — one track: plan chunks, resume from checkpoints, run the child, retry, gaps;
* :mod:`.project` — every track of a project, merged by time, bleed resolved, into the store;
* :mod:`.align` — bring your own transcript (SRT / WebVTT / text) aligned to the audio;
* pure helpers: :mod:`.chunking`, :mod:`.timing`, :mod:`.fillers`, :mod:`.merge`,
  :mod:`.hallucination`, :mod:`.wer`.
"""
