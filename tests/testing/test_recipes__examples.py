"""The examples docs/testing.md points to run as part of the suite: the leave app's pytest tests (in their own
pytest process, so they get the fixtures only from the installed plugin, as a user's project would) and the
Node recipe (``node --test``, shenpi started as a child process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_leave_app_example_passes_with_only_the_installed_plugin():
    proc = subprocess.run([sys.executable, "-m", "pytest", "examples/leave_request", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout and "failed" not in proc.stdout


def test_the_node_recipe_passes():
    from tests.node.test_node__api import node_tools

    node, _ = node_tools()  # skips without node (fails in CI), installs the SDK from tests/node's lock file
    env = {**os.environ, "NODE_PATH": str(ROOT / "tests" / "node" / "node_modules"),
           "SHENPI_CMD": f"{sys.executable} -m shenpi"}
    proc = subprocess.run([node, "--test", "--test-reporter=spec", "examples/node/leave.test.js"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fail 0" in proc.stdout, proc.stdout
