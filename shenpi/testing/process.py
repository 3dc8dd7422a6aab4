"""A real shenpi server in a child process: ``with ShenpiProcess(seed, db=...) as srv:``.

:func:`shenpi.testing.run` serves from a thread of the test process, on SQLite; this is the same
:class:`~shenpi.testing.runner.ShenpiServer` (SDK clients, reset, clock, faults, journal) for what a thread cannot
give: ``shenpi serve`` exactly as it is deployed, on any database it takes (a SQLite file or a PostgreSQL URL), with
several worker processes or https, and a server that can be stopped, killed with SIGKILL and started again on the
same database.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from shenpi.testing.runner import ShenpiServer


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class ShenpiProcess(ShenpiServer):
    """``shenpi serve`` on a free port of 127.0.0.1, with ``seed`` applied at every start; restartable.

    ``db`` is the database URL (a SQLite file in ``workdir`` by default); ``workers`` uvicorn worker processes;
    ``tls`` a (certificate, key) pair to serve https, reached as ``https://<url_host>:<port>`` (the name the
    certificate is for); ``args`` more ``shenpi serve`` options, e.g. ``["--no-events"]``. The server's output goes
    to ``<workdir>/server.log``. ``workdir`` is a fresh temporary directory, removed by :meth:`close`, by default.
    """

    def __init__(self, seed: dict[str, Any] | None = None, *, db: str | None = None, workdir: str | Path | None = None,
                 admin_token: str | None = None, rate_limit_scale: float = 1.0, workers: int = 1,
                 tls: tuple[Path, Path] | None = None, url_host: str = "127.0.0.1", args: Sequence[str] = ()) -> None:
        import secrets

        from shenpi.demo import demo_seed

        seed = demo_seed() if seed is None else seed
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="shenpi-test-") if workdir is None else workdir)
        self.seed_path = self.workdir / "seed.json"
        self.seed_path.write_text(json.dumps(seed), encoding="utf-8")
        self.db_url = db or f"sqlite:///{self.workdir / 'shenpi.db'}"
        self.log_path = self.workdir / "server.log"
        self.port = free_port()
        self.tls = tls
        self._verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(tls[0])) if tls else True
        self._command = [sys.executable, "-m", "shenpi", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                         "--db", self.db_url, "--seed", str(self.seed_path), "--rate-limit-scale", str(rate_limit_scale),
                         "--workers", str(workers), *args]
        if tls:
            self._command += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        self.proc: subprocess.Popen[bytes] | None = None
        token = admin_token or secrets.token_hex(16)
        super().__init__(f"{'https' if tls else 'http'}://{url_host}:{self.port}", token, seed, verify=self._verify)

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the server and wait until it answers ``/healthz``; RuntimeError (with its log) if it does not."""
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen([*self._command, "--admin-token", self.admin_token], stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.workdir,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"shenpi exited early:\n{self.log_path.read_text()}")
            try:
                if httpx.get(self.base_url + "/healthz", timeout=0.5, verify=self._verify).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        else:
            self.stop(signal.SIGKILL)
            raise RuntimeError(f"shenpi did not become healthy:\n{self.log_path.read_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the server with ``sig`` (SIGTERM: a clean shutdown); SIGKILL it if it has not exited in 15 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        """kill -9: no shutdown at all, as when the machine dies."""
        self.stop(signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        super().close()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> ShenpiProcess:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
