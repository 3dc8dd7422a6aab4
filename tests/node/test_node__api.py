"""The Node SDK (``@larksuiteoapi/node-sdk``, installed from the lock file) drives a real shenpi server: token,
definition, instance, approve, reject in both dialects, errors. pytest runs ``node --test`` so the README's one
test command covers it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from shenpi.ids import derived_apaas_user_id

HERE = Path(__file__).parent


def node_tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node and npm are required in CI")
        pytest.skip("node/npm not installed")
    assert node is not None and npm is not None
    if not (HERE / "node_modules" / "@larksuiteoapi" / "node-sdk").is_dir():
        ci = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True,
                            timeout=300)
        assert ci.returncode == 0, ci.stdout + ci.stderr
    return node, npm


def test_node_sdk_against_a_real_server(server) -> None:
    node, _ = node_tools()
    env = {**os.environ, "SHENPI_BASE_URL": server.base_url,
           "SHENPI_APAAS_IDS": json.dumps({"bob": derived_apaas_user_id("acme", "bob")})}
    proc = subprocess.run([node, "--test", "--test-reporter=spec", "api.test.js"], cwd=HERE, capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fail 0" in proc.stdout, proc.stdout
