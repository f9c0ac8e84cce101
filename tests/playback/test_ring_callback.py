"""The ring and the callback, driven directly with fake buffers and odd frame counts."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.playback.callback import Callback
from editor.playback.ring import Ring
from tests.playback.fakes import FakeClock

SIZES = [1, 64, 65, 8192, 8193]


class _Status:
    output_underflow = False

    def __bool__(self) -> bool:
        return False


def _info(now: float, dac: float) -> SimpleNamespace:
    return SimpleNamespace(currentTime=now, outputBufferDacTime=dac)


def _ramp(start: int, n: int, channels: int = 2) -> np.ndarray:
    base = np.arange(start, start + n, dtype=np.float32)
    return np.stack([base + 0.5 * c for c in range(channels)], axis=1)


@pytest.mark.parametrize("frames", SIZES)
def test_callback_copies_in_order_and_fills_with_zeros(frames: int) -> None:
    ring = Ring(20_000, 2)
    cb = Callback(ring, latency_s=0.03, clock=FakeClock())
    written = 0
    got: list[np.ndarray] = []
    for _ in range(5):
        while ring.space() >= 777 and written < 30_000:
            ring.write(_ramp(written, 777))
            written += 777
        ring.final = written >= 30_000
        out = np.full((frames, 2), np.nan, dtype=np.float32)
        cb(out, frames, _info(1.0, 1.03), _Status())
        assert not np.isnan(out).any(), "the callback must fill its whole buffer"
        got.append(out)
    played = np.concatenate(got)
    n = min(len(played), written)
    np.testing.assert_array_equal(played[:n], _ramp(0, n))
    np.testing.assert_array_equal(played[n:], 0.0)
    assert cb.calls == 5 and ring.reads == 5
    assert cb.heard[1] == pytest.approx(1.03)


def test_underrun_counted_only_when_audio_was_expected() -> None:
    ring = Ring(1024, 1)
    cb = Callback(ring, latency_s=0.01)
    out = np.zeros((65, 1), dtype=np.float32)
    cb(out, 65, _info(0.0, 0.01), _Status())  # paused: final is true
    assert cb.underruns == 0
    ring.write(np.ones((10, 1), np.float32))
    ring.final = False
    cb(out, 65, _info(0.0, 0.01), _Status())  # 10 frames, then empty while playing
    assert cb.underruns == 1
    assert out[:10].min() == 1.0 and out[10:].max() == 0.0


def test_prefill_dac_time_equal_to_now_uses_the_stream_latency() -> None:
    ring = Ring(1024, 1)
    cb = Callback(ring, latency_s=0.04)
    cb(np.zeros((64, 1), np.float32), 64, _info(5.0, 5.0), _Status())
    assert cb.heard == (0, pytest.approx(5.04), 0)


def test_hold_bounds_the_consumer_until_release() -> None:
    ring = Ring(4096, 1)
    ring.write(_ramp(0, 3000, 1))
    ring.final = False
    token = ring.hold(1000)
    assert ring.held(token)  # no callback was running
    out = np.zeros((8193, 1), np.float32)
    assert ring.read_into(out) == 1000
    ring.rewind(1000)
    ring.write(-_ramp(0, 500, 1))
    ring.release()
    assert ring.read_into(out) == 500
    np.testing.assert_array_equal(out[:500, 0], -np.arange(500, dtype=np.float32))


def test_hold_waits_for_a_callback_that_was_running() -> None:
    ring = Ring(64, 1)
    ring.in_read = True  # a callback is between its loads and its stores
    token = ring.hold(10)
    assert not ring.held(token)
    ring.reads += 1
    ring.in_read = False
    assert ring.held(token)


def test_callback_durations_are_recorded() -> None:
    clock = FakeClock()
    ring = Ring(256, 1)
    cb = Callback(ring, 0.01, clock)
    for _ in range(10):
        cb(np.zeros((64, 1), np.float32), 64, _info(0.0, 0.01), _Status())
    p50, p99 = cb.duration_percentiles()
    assert p50 == 0.0 and p99 == 0.0  # the fake clock did not move during the calls


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(min_value=1, max_value=700)),
        min_size=1,
        max_size=60,
    )
)
def test_ring_is_a_fifo(steps: list[tuple[bool, int]]) -> None:
    ring = Ring(1000, 1)
    written = 0
    read: list[np.ndarray] = []
    for is_write, n in steps:
        if is_write:
            n = min(n, ring.space())
            ring.write(_ramp(written, n, 1))
            written += n
        else:
            out = np.zeros((n, 1), np.float32)
            got = ring.read_into(out)
            read.append(out[:got])
    flat = np.concatenate(read) if read else np.zeros((0, 1), np.float32)
    np.testing.assert_array_equal(flat, _ramp(0, len(flat), 1))
    assert ring.read_index == len(flat)
