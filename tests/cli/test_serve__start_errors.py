"""A ``shenpi serve`` that cannot start says why in one line on stderr and exits 1: no traceback, no start line or
banner first, and no SQLite file left behind."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from shenpi.testing.process import free_port
from tests.cli.serving import run

PASSWORD = "pw-never-printed"


def _fails(tmp: Path, *args: str) -> str:
    """Run ``shenpi serve --demo <args>`` in ``tmp``; assert a one-line failure and nothing written; the line."""
    result = run(["serve", "--demo", "--port", str(free_port()), *args], tmp, timeout=60)
    assert result.returncode == 1, result
    assert result.stdout == "", result.stdout  # no start line, no banner
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("shenpi.db")]
    return lines[0]


def test_an_unsupported_database_url(tmp_path):
    assert "mysql://x" in _fails(tmp_path, "--db", "mysql://x")


def test_a_postgresql_database_that_does_not_exist(tmp_path):
    line = _fails(tmp_path, "--db", f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/shenpi_no_such_database")
    assert "shenpi_no_such_database" in line and PASSWORD not in line and "postgres:***@" in line


def test_an_unreachable_postgresql_server(tmp_path):
    port = free_port()  # nothing listens there
    assert "cannot open the database" in _fails(tmp_path, "--db", f"postgresql://shenpi@127.0.0.1:{port}/shenpi")


def test_a_sqlite_file_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    assert "cannot open the database" in _fails(tmp_path, "--db", f"sqlite:///{blocker}/shenpi.db")


def test_a_port_in_use_is_said_before_the_banner(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = _fails(tmp_path, "--port", str(port))
    assert f"cannot listen on 127.0.0.1:{port}" in line


def test_a_missing_seed_file(tmp_path):
    assert "missing.yaml" in _fails(tmp_path, "--seed", "missing.yaml")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_seed_that_fails_to_apply_leaves_no_database_file(tmp_path, workers):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"tenants": [{"tenant_key": "t", "apps": [{"app_id": "cli_x"}]}]}), encoding="utf-8")
    result = run(["serve", "--seed", str(seed), "--port", str(free_port()), "--workers", workers], tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert "app_secret" in result.stdout + result.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("shenpi.db")]
