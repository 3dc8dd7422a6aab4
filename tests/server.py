"""A real shenpi server in a child process, for tests that drive it through the official SDK."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ADMIN_TOKEN = "test-admin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """``shenpi serve`` on a free port with a seed file and a database URL; restartable."""

    def __init__(self, workdir: Path, seed: dict[str, Any], db_url: str, *, rate_limit_scale: float = 1.0,
                 extra_args: list[str] | None = None, tls: tuple[Path, Path] | None = None,
                 host: str = "127.0.0.1") -> None:
        self.workdir = workdir
        self.seed_path = workdir / "seed.json"
        self.seed_path.write_text(json.dumps(seed), encoding="utf-8")
        self.db_url = db_url
        self.rate_limit_scale = rate_limit_scale
        self.extra_args = extra_args or []
        self.tls = tls  # (certificate, key): serve https
        self.host = host
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "server.log"

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self) -> None:
        cmd = [sys.executable, "-m", "shenpi", "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--db", self.db_url, "--seed", str(self.seed_path),
               "--rate-limit-scale", str(self.rate_limit_scale), "--admin-token", ADMIN_TOKEN, *self.extra_args]
        if self.tls:
            cmd += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it for its lifetime
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"shenpi exited early:\n{self.log_path.read_text()}")
            try:
                verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else True
                if httpx.get(self.base_url + "/healthz", timeout=0.5, verify=verify).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"shenpi did not become healthy:\n{self.log_path.read_text()}")

    def advance_clock(self, seconds: float) -> None:
        r = httpx.post(self.base_url + "/_shenpi/clock", json={"advance_seconds": seconds},
                       headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert r.status_code == 200, r.text

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()


def forget_sdk_tokens() -> None:
    """lark-oapi caches tokens process-wide by app_id, ignoring the domain: clear it between servers."""
    from lark_oapi.core.token.manager import TokenManager

    TokenManager.cache.cache.clear()  # type: ignore[attr-defined]
