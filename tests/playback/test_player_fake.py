"""The transport on a fake device: what the callback hands out, frame by frame, is checked
against the reader (the export's own code path), through seeks, swaps, pauses and speeds."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from editor.errors import PlaybackError
from editor.playback import DeviceLost, Ended, PlaybackFailed, Player, PlayerEvent
from render.edl import Edl
from render.errors import MediaError
from render.reader import EdlReader
from tests.playback.fakes import RATE, FakeBackend, cut_edl, tone_source

SIZES = [1, 64, 65, 8192, 8193]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return tone_source(tmp_path, 12.0)


def _edl(source: Path) -> Edl:
    return cut_edl(source, [(0.0, 2.0), (2.5, 5.0), (6.0, 9.0), (9.5, 11.5)])


def _player(edl: Edl, backend: FakeBackend, **kw: object) -> tuple[Player, list[PlayerEvent]]:
    player = Player(edl, backend=backend, threaded=False, clock=backend.clock, **kw)  # type: ignore[arg-type]
    events: list[PlayerEvent] = []
    player.subscribe(events.append)
    return player, events


def _run(player: Player, backend: FakeBackend, frames: int, sizes: list[int] = SIZES) -> np.ndarray:
    """Pump and call back until ``frames`` device frames have been played."""
    parts = []
    got = 0
    for size in itertools.cycle(sizes):
        if got >= frames:
            break
        player.pump()
        parts.append(backend.stream.run(size))
        got += size
    return np.concatenate(parts)


def _reference(edl: Edl) -> np.ndarray:
    with EdlReader(edl) as reader:
        return reader.read(0, reader.frames)


def test_played_programme_equals_the_reader_exactly(source: Path) -> None:
    backend = FakeBackend()
    edl = _edl(source)
    ref = _reference(edl)
    player, events = _player(edl, backend)
    with player:
        player.play()
        out = _run(player, backend, len(ref) + 20_000)
        player.pump()
        assert not np.isnan(out).any()
        np.testing.assert_array_equal(out[: len(ref)], ref)
        assert not out[len(ref) :].any()
        assert player.stats().underruns == 0
        assert events == [Ended(pytest.approx(len(ref) / RATE))]
        assert not player.playing


def test_position_is_frames_played_minus_latency(source: Path) -> None:
    backend = FakeBackend(latency=0.025)
    player, _ = _player(_edl(source), backend)
    with player:
        player.play()
        _run(player, backend, RATE, [480])  # one second in 10 ms buffers
        # The latest buffer's first frame is heard `latency` after its callback.
        assert player.position() == pytest.approx(1.0 - 0.01 - 0.025 + 0.01, abs=1e-3)
        backend.clock.t += 0.005
        assert player.position() == pytest.approx(0.975 + 0.005, abs=1e-3)


def test_seek_while_playing_reaches_the_target_within_a_buffer_or_two(source: Path) -> None:
    backend = FakeBackend()
    edl = _edl(source)
    ref = _reference(edl)
    player, _ = _player(edl, backend)
    with player:
        player.play()
        _run(player, backend, 10 * 512, [512])
        player.seek(5.0)
        assert player.position() == pytest.approx(5.0)  # shown at once
        out = _run(player, backend, 20 * 512, [512])
        target = 5 * RATE
        # Find where the target's audio begins after the fade: a run equal to the reference.
        probe = ref[target + 2000 : target + 2400]
        hits = [i for i in range(len(out) - 400) if np.array_equal(out[i : i + 400], probe)]
        assert hits, "the sought audio never played"
        start = hits[0] - 2000
        assert start <= 2 * 512 + round(0.012 * RATE) + 1  # within the splice margin
        assert player.stats().underruns == 0


def test_swap_with_an_edit_before_the_playhead_is_seamless(source: Path) -> None:
    """An edit earlier in the episode moves program time but not the sound: the output must be
    the old programme's, untouched by the swap (carried by source time, correlated fade)."""
    backend = FakeBackend()
    edl = _edl(source)
    ref = _reference(edl)
    edited = cut_edl(source, [(0.0, 1.0), (1.5, 2.0), (2.5, 5.0), (6.0, 9.0), (9.5, 11.5)])
    player, _ = _player(edl, backend)
    with player:
        player.play()
        before = _run(player, backend, 3 * RATE, [512])
        player.set_edl(edited)
        after = _run(player, backend, 4 * RATE, [512])
        out = np.concatenate([before, after])
        np.testing.assert_allclose(out, ref[: len(out)], atol=2e-6)
        # Program time is now the edited programme's: half a second less.
        assert player.position() == pytest.approx(len(out) / RATE - 0.5 - 0.02, abs=0.02)
        assert player.stats().underruns == 0


def test_swap_that_cuts_the_current_word_continues_from_the_next_kept_range(
    source: Path,
) -> None:
    backend = FakeBackend()
    edl = _edl(source)
    player, _ = _player(edl, backend)
    with player:
        player.play()
        player.seek(4.5)  # program 4.5 s = source 7.0 s, inside (6, 9)
        _run(player, backend, 512 * 4, [512])
        cut = cut_edl(source, [(0.0, 2.0), (2.5, 5.0), (9.5, 11.5)])
        player.set_edl(cut)
        out = _run(player, backend, 512 * 20, [512])
        ref_cut = _reference(cut)
        probe = ref_cut[round(4.5 * RATE) + 1000 : round(4.5 * RATE) + 1400]  # after source 9.5
        assert any(np.array_equal(out[i : i + 400], probe) for i in range(len(out) - 400))
        # The join rule: no step larger than the largest the source itself makes.
        natural = float(np.abs(np.diff(ref_cut[:, 0])).max())
        steps = float(np.abs(np.diff(out[:, 0])).max())
        assert steps <= natural + 1e-6, (steps, natural)


def test_pause_fades_out_and_resume_continues(source: Path) -> None:
    backend = FakeBackend()
    player, _ = _player(_edl(source), backend)
    with player:
        player.play()
        _run(player, backend, RATE // 2, [512])
        player.pause()
        out = _run(player, backend, RATE // 4, [512])
        assert not player.playing
        assert not out[-2048:].any()  # silence once the fade is played
        paused_at = player.position()
        assert 0.5 < paused_at < 0.6
        assert np.abs(np.diff(out[:, 0])).max() < 0.05
        player.play()
        out = _run(player, backend, RATE // 4, [512])
        assert out[-2048:].any()
        assert player.stats().underruns == 0


def test_play_range_and_loop(source: Path) -> None:
    backend = FakeBackend()
    player, events = _player(_edl(source), backend)
    with player:
        player.play_range(1.0, 1.5)
        out = _run(player, backend, RATE, [512])
        player.pump()
        assert isinstance(events[-1], Ended)
        assert events[-1].position == pytest.approx(1.5)
        assert np.count_nonzero(np.abs(out[:, 0]) > 1e-6) == pytest.approx(RATE // 2, abs=600)
        player.loop(2.0, 2.25)
        player.play_range(2.0, 10.0)
        looped = _run(player, backend, RATE, [512])
        assert looped[-4096:].any()  # still playing after a second: it looped
        assert 2.0 <= player.position() <= 2.3


def test_speed_keeps_pitch_and_shortens(source: Path) -> None:
    backend = FakeBackend()
    player, _ = _player(cut_edl(source, [(0.0, 4.0)]), backend)
    with player:
        player.set_speed(2.0)
        player.play()
        out = _run(player, backend, 3 * RATE, [512])
        audible = np.flatnonzero(np.abs(out[:, 0]) > 1e-4)
        assert audible[-1] == pytest.approx(2 * RATE, rel=0.03)  # 4 s at 2x
        spectrum = np.abs(np.fft.rfft(out[RATE // 4 : RATE // 4 + RATE // 2, 0]))
        peak_hz = np.argmax(spectrum) * 2.0
        assert peak_hz == pytest.approx(220, abs=6)  # pitch kept, not 440


def test_device_at_another_rate_gets_resampled_audio(source: Path) -> None:
    backend = FakeBackend()
    player, _ = _player(cut_edl(source, [(0.0, 2.0)]), backend, device="USB")
    with player:
        assert player.device_rate == 44_100
        player.play()
        out = _run(player, backend, 3 * 44_100, [441])
        audible = np.flatnonzero(np.abs(out[:, 0]) > 1e-4)
        assert audible[-1] == pytest.approx(2 * 44_100, abs=200)
        spectrum = np.abs(np.fft.rfft(out[22_050:66_150, 0]))
        assert np.argmax(spectrum) == pytest.approx(220, abs=2)  # 1 Hz bins


def test_vanished_device_pauses_with_an_event_and_resumes_elsewhere(source: Path) -> None:
    backend = FakeBackend()
    player, events = _player(_edl(source), backend)
    with player:
        player.play()
        _run(player, backend, RATE // 2, [512])
        lost = backend.stream
        lost.vanish()
        player.pump()
        player.pump()
        assert isinstance(events[-1], DeviceLost)
        assert "Speakers" in events[-1].message
        assert not player.playing
        with pytest.raises(PlaybackError, match="gone"):
            player.play()
        player.set_device("usb headset")
        assert lost.closed and backend.refreshed == 1 and player.device_rate == 44_100
        player.play()
        out = _run(player, backend, 44_100 // 2, [441])
        assert out[-1000:].any()


def test_stalled_callback_is_a_lost_device(source: Path) -> None:
    backend = FakeBackend()
    player, events = _player(_edl(source), backend)
    with player:
        player.play()
        _run(player, backend, 4096, [512])
        backend.clock.t += 6.0  # no callback for six seconds
        player.pump()
        assert isinstance(events[-1], DeviceLost)


def test_media_vanishing_mid_play_is_an_event_not_a_crash(tmp_path: Path) -> None:
    clip = tone_source(tmp_path, 1.0, "clip.wav")
    src = tone_source(tmp_path, 12.0, "host.mp3.wav")
    backend = FakeBackend()
    player, events = _player(cut_edl(src, [(0.0, 2.0), (3.0, 6.0)], clip), backend)

    def broken(start: int, count: int) -> np.ndarray:
        raise MediaError(src, "cannot read: the disk went away")

    with player:
        player.play()
        _run(player, backend, 2048, [512])
        player._feeder.programme.reader.read = broken  # type: ignore[method-assign]
        _run(player, backend, RATE // 2, [512])
        assert isinstance(events[-1], PlaybackFailed)
        assert "disk went away" in events[-1].message
        assert not player.playing


def test_bad_edl_swap_raises_and_keeps_playing(source: Path, tmp_path: Path) -> None:
    backend = FakeBackend()
    edl = _edl(source)
    player, _ = _player(edl, backend)
    with player:
        player.play()
        _run(player, backend, 4096, [512])
        with pytest.raises(MediaError, match="no such file"):
            player.set_edl(cut_edl(source, [(0.0, 1.0)], tmp_path / "missing.wav"))
        out = _run(player, backend, 4096, [512])
        np.testing.assert_array_equal(out, _reference(edl)[4096:8192])


def test_no_device_at_all_is_one_clear_error(source: Path) -> None:
    with pytest.raises(PlaybackError, match="no audio output device"):
        Player(_edl(source), backend=FakeBackend(outputs=[]), threaded=False)


def test_tracks_play_from_their_import_cache(tmp_path: Path) -> None:
    from editor.playback.pool import cache_opener
    from render.media import CachedMedia, import_media

    source = tone_source(tmp_path, 4.0)
    import_media(source, tmp_path / "cache").close()
    opener = cache_opener({source: tmp_path / "cache"})
    opened = opener(source, RATE)
    assert isinstance(opened, CachedMedia)
    opened.close()
    backend = FakeBackend()
    edl = cut_edl(source, [(0.0, 1.0), (1.5, 3.5)])
    player = Player(edl, backend=backend, threaded=False, clock=backend.clock, opener=opener)
    with player:
        player.play()
        out = _run(player, backend, 3 * RATE, [512])
        ref = _reference(edl)  # export reads the original file
        np.testing.assert_allclose(out[: len(ref)], ref, atol=1e-4)  # the cache's own rounding
