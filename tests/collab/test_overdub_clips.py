"""Overdub clips made after a co-host joined travel with their op (two CLI users, loopback):
host A overdubs on the linked project, the clip goes up before the op; host B's next read pulls
the op and fetches the clip by hash into its own ``clips/``; both transcripts and both exports
end identical. A clip that cannot be fetched (the relay is down) is said in one line."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.collab.helpers import RelayThread, User, make_token, solo_project

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def _clips(home: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in home.rglob("clips/*.wav")}


def test_overdub_after_join_reaches_the_co_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = User(tmp_path / "ann", "Ann", monkeypatch)
    bob = User(tmp_path / "bob", "Bob", monkeypatch)
    solo_project(ann, tmp_path / "media")
    owner = make_token(tmp_path / "relay", "ep", "owner")
    relay = RelayThread(tmp_path / "relay").start()
    try:
        _, out, _ = ann.run(
            "share", "Ep", "--relay", relay.url, "--token", owner, "--room", "ep",
            "--invite", "editor",
        )  # fmt: skip
        bob.run("join", out.strip().split()[-1], "--name", "Shared")
        assert _clips(tmp_path / "bob") == {}

        _, out, _ = ann.run(
            "overdub", "Ep", "--replace", "2-3", "--text", "and hello", "--backend", "speech"
        )
        assert "overdub" in out
        made = _clips(tmp_path / "ann")
        assert len(made) == 1
        name, sha = next(iter(made.items()))
        assert sha.startswith(name[:32])  # the name is the hash

        # Bob's read pulls the op and fetches the clip (verified) before using it
        a, b = ann.words("Ep"), bob.words("Shared")
        assert a == b
        assert _clips(tmp_path / "bob") == made
        ann_clip = next((tmp_path / "ann").rglob(f"clips/{name}"))
        bob_clip = next((tmp_path / "bob").rglob(f"clips/{name}"))
        assert bob_clip.with_suffix(".json").is_file()  # the record the transcript marks use
        assert (
            bob_clip.with_suffix(".json").read_text() == ann_clip.with_suffix(".json").read_text()
        )
        _, ta, _ = ann.run("transcript", "Ep")
        _, tb, _ = bob.run("transcript", "Shared")
        assert ta == tb and "[generated:" in ta

        ann.run("export", "Ep", str(tmp_path / "a.wav"), "--no-loudness", "--quiet")
        bob.run("export", "Shared", str(tmp_path / "b.wav"), "--no-loudness", "--quiet")
        assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()

        # the clip lost on Bob's side while the relay is down: one line, not a late failure
        bob_clip.unlink()
        bob_clip.with_suffix(".json").unlink()
        relay.stop()
        _, _, err = bob.run("transcript", "Shared")
        lines = [ln for ln in err.splitlines() if "overdub clip" in ln]
        assert len(lines) == 1 and "offline" in lines[0], err
        relay = RelayThread(tmp_path / "relay", port=relay.port).start()
        bob.run("sync", "Shared")
        assert _clips(tmp_path / "bob") == made
        bob.run("export", "Shared", str(tmp_path / "b2.wav"), "--no-loudness", "--quiet")
        assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b2.wav").read_bytes()
    finally:
        relay.stop()
