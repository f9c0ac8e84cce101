"""Chunks of speech only: long silences skipped, short regions packed, times mapped back."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.transcribe.audio import RATE, ArraySource
from editor.transcribe.chunking import (
    JOIN,
    plan_chunks,
    speech_regions,
    to_track_time,
    window_layout,
)
from editor.transcribe.engine import ALIGNMENT_LAG, MISSED_SPEECH, missed_speech, without_lag
from editor.transcribe.envelope import envelope_of
from editor.transcribe.job import JobConfig, TranscriptionJob
from editor.transcribe.words import TimedWord
from tests.transcribe.fakes import word_track

Connect = Callable[[], sqlite3.Connection]


def turns(
    n_turns: int, silence: float, seed: int = 0
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Bursts of tone-words separated by ``silence`` seconds of room tone: one host's track."""
    rng = np.random.default_rng(seed)
    pieces, spans, t = [], [], 0.0
    for k in range(n_turns):
        audio, _ = word_track(4 + 3 * (k % 5), seed=seed + k)
        pieces.append(audio)
        spans.append((t, t + len(audio) / RATE))
        t += len(audio) / RATE
        gap = (0.0005 * rng.standard_normal(int(silence * RATE))).astype(np.float32)
        pieces.append(gap)
        t += silence
    return np.concatenate(pieces), spans


def test_long_silences_are_in_no_region_and_every_turn_is() -> None:
    audio, spans = turns(6, silence=12.0)
    regions = speech_regions(envelope_of(audio, RATE))
    assert len(regions) == 6
    for (a, b), (lo, hi) in zip(spans, regions, strict=True):
        assert lo <= a + 0.5 and hi >= b - 0.2  # each turn whole (its padded edges included)
    silence = sum(b - a for a, b in itertools.pairwise(x for r in regions for x in r))
    assert silence > 0.8 * 5 * 12.0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 9), st.floats(0.0, 20.0), st.integers(0, 1000))
def test_chunks_tile_the_track_and_fit_one_window(n: int, silence: float, seed: int) -> None:
    audio, _ = turns(n, silence, seed)
    env = envelope_of(audio, RATE)
    target, overlap = 10.0, 0.5
    chunks = plan_chunks(env, target=target, window=4.0, overlap=overlap)
    assert chunks[0].start == 0.0 and chunks[-1].end == env.duration
    for a, b in itertools.pairwise(chunks):
        assert a.end == b.start
    for c in chunks:
        fed = c.fed(overlap, env.duration)
        assert all(lo < hi for lo, hi in fed)
        assert all(x[1] <= y[0] for x, y in itertools.pairwise(fed))  # in order, no overlap
        assert sum(hi - lo for lo, hi in fed) + JOIN * (len(fed) - 1) <= target + 2 * overlap + 1e-6
        assert c.start <= fed[0][0] + overlap and fed[-1][1] <= c.end + overlap + 1e-9


def test_short_turns_share_a_window_and_silence_costs_none() -> None:
    audio, _ = turns(12, silence=8.0)
    env = envelope_of(audio, RATE)
    chunks = plan_chunks(env, target=29.0, window=8.0, overlap=0.5)
    # 12 turns of ~2-8 s over ~150 s: the clock would need 6 windows; the speech needs fewer.
    assert len(chunks) < env.duration / 29.0
    assert any(len(c.spans) > 1 for c in chunks)


def test_window_times_map_back_to_the_track() -> None:
    spans = ((10.0, 14.0), (30.0, 33.0), (50.0, 51.0))
    layout = window_layout(spans)
    assert layout == [
        (0.0, 4.0, 10.0),
        (4.0 + JOIN, 7.0 + JOIN, 30.0),
        (7.0 + 2 * JOIN, 8.0 + 2 * JOIN, 50.0),
    ]
    words = [TimedWord("a", 1.0, 1.5), TimedWord("b", 4.5, 5.0), TimedWord("c", 7.7, 8.0)]
    moved = to_track_time(words, spans)
    assert [(w.start, w.end) for w in moved] == [
        (11.0, 11.5),
        (30.0 + 4.5 - 4.0 - JOIN, 31.0 - JOIN),
        (50.0 + 0.7 - 2 * JOIN, 51.0 - 2 * JOIN),
    ]


def test_job_transcribes_turns_with_silence_exactly(library: Connect) -> None:
    audio, _ = turns(10, silence=9.0, seed=3)
    truth = []
    for k in range(10):
        _, t = word_track(4 + 3 * (k % 5), seed=3 + k)
        truth += [w for w, _, _ in t]
    cfg = JobConfig(None, factory="tests.transcribe.fakes:tone_engine", chunk_seconds=8.0)
    job = TranscriptionJob(ArraySource(audio, "turns"), library, "p", "t", cfg)
    with job:
        result = job.run()
    assert [w.text for w in result.words] == truth
    assert result.chunks < audio.size / RATE / 8.0


def test_missed_speech_finds_what_no_word_covers() -> None:
    words = [TimedWord("a", 1.0, 1.4), TimedWord("b", 1.5, 2.0), TimedWord("c", 9.0, 9.5)]
    speech = [(0.6, 6.0), (8.8, 9.8)]
    assert missed_speech(speech, words) == [(2.25, 6.0)]
    assert missed_speech([(0.6, 2.0 + MISSED_SPEECH)], words) == []
    assert missed_speech([(0.0, 3.0)], []) == [(0.0, 3.0)]


def test_the_alignment_lag_comes_off_both_edges_and_never_before_the_chunk() -> None:
    lag = ALIGNMENT_LAG

    def times(w: TimedWord) -> tuple[float, float]:
        return w.start, w.end

    kept = without_lag(TimedWord("a", 1.0, 1.4, 0.9))
    assert (kept.text, kept.confidence) == ("a", 0.9)
    assert times(kept) == pytest.approx((1.0 - lag, 1.4 - lag))
    assert times(without_lag(TimedWord("b", lag / 2, lag * 3))) == pytest.approx((0.0, lag * 2))
    assert times(without_lag(TimedWord("c", 0.0, lag / 2))) == (0.0, 0.0)
