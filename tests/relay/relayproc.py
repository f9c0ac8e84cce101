"""A ``wordcut-relay serve`` child process for tests that kill it (-9) or stop it (SIGTERM)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RelayProcess:
    def __init__(self, data: Path, port: int | None = None, *extra: str) -> None:
        self.data = data
        self.port = port or free_port()
        self.extra = extra
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> RelayProcess:
        cmd = [sys.executable, "-m", "sync.relay_main", "serve", "--port", str(self.port)]
        cmd += ["--data", str(self.data), "--op-rate", "100000", *self.extra]
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "serving" not in line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            ss = subprocess.run(["ss", "-tanp"], capture_output=True, text=True).stdout
            held = [row for row in ss.splitlines() if f":{self.port} " in row]
            raise RuntimeError(f"relay did not start: {held} {line!r} {err}")
        return self

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def term(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(15)

    def __enter__(self) -> RelayProcess:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill9()
        for stream in (self.proc.stdout, self.proc.stderr) if self.proc else ():
            if stream:
                stream.close()
