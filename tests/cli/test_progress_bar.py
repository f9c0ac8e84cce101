"""The terminal progress bar: an honest ETA after a resume, and no leftovers on the line."""

from __future__ import annotations

import io

import pytest

from editor.cli import common


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [100.0]
    monkeypatch.setattr(common.time, "monotonic", lambda: now[0])
    monkeypatch.setenv("TERM", "xterm")
    return now


def test_eta_comes_from_this_runs_rate_not_the_resumed_part(clock: list[float]) -> None:
    out = _Tty()
    bar = common.ProgressBar("job", stream=out)
    bar(50, 100)  # a resumed job: half was done before this run started
    assert "ETA" not in out.getvalue()
    clock[0] += 10.0
    bar(60, 100)  # 10 units in 10 s -> 40 left = 40 s
    assert out.getvalue().rsplit("\r", 1)[-1].startswith("job [##################")
    assert "ETA 0:40" in out.getvalue()
    clock[0] += 5.0
    bar(100, 100)
    last = out.getvalue().rsplit("\r", 1)[-1]
    assert "100.0% in 0:15" in last and last.endswith("\x1b[K")


def test_silent_when_not_a_terminal_or_quiet(clock: list[float]) -> None:
    plain = io.StringIO()
    common.ProgressBar("job", stream=plain)(1, 2)
    quiet = _Tty()
    common.ProgressBar("job", quiet=True, stream=quiet)(1, 2)
    assert plain.getvalue() == quiet.getvalue() == ""
