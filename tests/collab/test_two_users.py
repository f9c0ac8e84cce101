"""Two CLI users on one machine (two libraries): share, join (media verified), edit from both
sides, one goes offline and edits, both reconnect — identical transcripts and exports, and
every offline edit acknowledged or reported refused (the issue's end-to-end bar)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.collab.helpers import RelayThread, User, make_token, solo_project


def test_share_join_edit_offline_reconnect_converge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = User(tmp_path / "ann", "Ann", monkeypatch)
    bob = User(tmp_path / "bob", "Bob", monkeypatch)
    solo_project(ann, tmp_path / "media")
    owner = make_token(tmp_path / "relay", "ep", "owner")
    relay = RelayThread(tmp_path / "relay").start()
    try:
        _, out, _ = ann.run(
            "share",
            "Ep",
            "--relay",
            relay.url,
            "--token",
            owner,
            "--room",
            "ep",
            "--invite",
            "editor",
        )
        link = out.strip().split()[-1]
        assert "?token=wct_" in link
        _, out, _ = bob.run("join", link, "--name", "Shared")
        assert "version 2" in out
        # the recordings arrived byte-identical (verified by hash, then imported)
        got = sorted(
            hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (tmp_path / "bob").rglob("media/*.wav")
        )
        want = sorted(
            hashlib.sha256((tmp_path / "media" / n).read_bytes()).hexdigest()
            for n in ("ann.wav", "bob.wav")
        )
        assert got == want

        ann.run("cut", "Ep", "--words", "1-2")
        bob.run("correct", "Shared", "3", "THE")
        assert [w["text"] for w in ann.words("Ep")] == [w["text"] for w in bob.words("Shared")]

        relay.stop()  # Bob goes offline (so does Ann: the relay is gone)
        _, _, err = bob.run("cut", "Shared", "--words", "9-9")
        assert "offline" in err
        bob.run("correct", "Shared", "12", "there")
        _, out, _ = bob.run("status", "Shared", "--json")
        assert json.loads(out)["pending"] == 2 and json.loads(out)["online"] is False
        assert any(w["text"] == "there" for w in bob.words("Shared"))  # offline edits shown

        relay = RelayThread(tmp_path / "relay", port=relay.port).start()
        ann.run("section", "add", "Ep", "7", "Bob's part")  # Ann edits while Bob is away
        ann.run("correct", "Ep", "12", "here!")  # clashes with Bob's offline correction
        _, out, err = bob.run("sync", "Shared", "--json")
        report = json.loads(out)
        assert report["pending"] == 0
        assert report["sent"] + len(report["rejected"]) == 2
        assert [r["reason"] for r in report["rejected"]] == ["conflict"]
        assert "refused" in err
        ann.run("sync", "Ep")

        a, b = ann.words("Ep"), bob.words("Shared")
        assert a == b
        texts = [w["text"] for w in a]
        assert "here!" in texts and "there" not in texts
        assert [w["deleted"] for w in a].count(True) == 3

        ann.run("export", "Ep", str(tmp_path / "a.wav"), "--no-loudness", "--quiet")
        bob.run("export", "Shared", str(tmp_path / "b.wav"), "--no-loudness", "--quiet")
        assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    finally:
        relay.stop()
