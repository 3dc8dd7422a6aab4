"""``shenpi serve --demo``: the admin API is on behind a random token printed in the banner, never a fixed one,
also when a seed file is given; only ``Authorization: Bearer <token>`` opens it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shenpi.testing.process import free_port


def _serve_demo(tmp: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """``shenpi serve --demo --seed`` started healthy: the process, its base URL and its banner."""
    seed = tmp / "seed.json"
    seed.write_text(json.dumps({"tenants": []}), encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "SHENPI_ADMIN_TOKEN"}
    with open(tmp / "server.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "shenpi", "serve", "--demo", "--seed", str(seed),
                                 "--no-events", "--port", str(port), "--db", f"sqlite:///{tmp / 'demo.db'}"],
                                stdout=log, stderr=subprocess.STDOUT, cwd=tmp, env={**env, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/healthz", timeout=0.5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    return proc, base, (tmp / "server.log").read_text(encoding="utf-8")


def test_the_demo_admin_token_is_random_printed_and_bearer_only(tmp_path):
    proc, base, banner = _serve_demo(tmp_path)
    try:
        found = re.search(r'admin API: .*"Authorization: Bearer (\S+)"', banner)
        assert found, banner
        token = found.group(1)
        assert token != "demo" and len(token) >= 20
        for header in ("Bearer demo", "demo", token, f"bearer{token}", f"Basic {token}"):
            r = httpx.get(base + "/_shenpi/health", headers={"Authorization": header})
            assert (r.status_code, r.json()["code"]) == (401, 401), header
        r = httpx.get(base + "/_shenpi/health", headers={"Authorization": f"Bearer {token}"})
        assert (r.status_code, r.json()["code"]) == (200, 0)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
