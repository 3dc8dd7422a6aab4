"""``shenpi serve`` in a child process, its stdout and stderr kept apart in files: what the CLI tests read."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

from shenpi.testing.process import free_port


class Served:
    """A started ``shenpi serve``; :meth:`stop` ends it and returns (stdout, stderr)."""

    def __init__(self, proc: subprocess.Popen[bytes], base_url: str, out: Path, err: Path) -> None:
        self.proc, self.base_url, self.out, self.err = proc, base_url, out, err

    def stop(self) -> tuple[str, str]:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.out.read_text(encoding="utf-8"), self.err.read_text(encoding="utf-8")


def clean_env(extra: Mapping[str, str] = {}) -> dict[str, str]:
    """The test process's environment without any SHENPI_ variable (they configure ``serve``), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHENPI_")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def run(args: Sequence[str], cwd: Path, env: Mapping[str, str] = {},
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``shenpi <args>`` to its end."""
    return subprocess.run([sys.executable, "-m", "shenpi", *args], cwd=cwd, env=clean_env(env), capture_output=True,
                          text=True, timeout=timeout)


def serve(args: Sequence[str], cwd: Path, env: Mapping[str, str] = {}, port: int | None = None) -> Served:
    """``shenpi serve <args>`` (on ``port``, a free one by default, given as ``--port`` unless ``env`` has
    SHENPI_PORT), waited for until it answers ``/healthz``."""
    port = int(env["SHENPI_PORT"]) if "SHENPI_PORT" in env else port or free_port()
    command = [sys.executable, "-m", "shenpi", "serve", *args]
    if "SHENPI_PORT" not in env:
        command += ["--port", str(port)]
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=cwd, env=clean_env(env))
    served = Served(proc, f"http://127.0.0.1:{port}", out, err)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"shenpi serve exited: {served.stop()}")
        try:
            if httpx.get(served.base_url + "/healthz", timeout=0.5).status_code == 200:
                return served
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"shenpi serve did not become healthy: {served.stop()}")
