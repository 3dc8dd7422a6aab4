"""Shared fixtures: a real shenpi server (SQLite by default; PostgreSQL with SHENPI_TEST_DB=postgres)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import lark_oapi as lark
import pytest

from tests.seeds import test_seed
from tests.server import ServerProcess


def database_url(tmp: Path, name: str) -> str:
    if os.environ.get("SHENPI_TEST_DB") == "postgres":
        from tests.pg import fresh_database

        return fresh_database(name)
    return f"sqlite:///{tmp / (name + '.db')}"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("shenpi")
    srv = ServerProcess(tmp, test_seed(), database_url(tmp, "suite"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client_for(server: ServerProcess):  # type: ignore[no-untyped-def]
    secrets = {a["app_id"]: a["app_secret"] for t in test_seed()["tenants"] for a in t["apps"]}

    def make(app_id: str = "cli_acme") -> lark.Client:
        return (lark.Client.builder().app_id(app_id).app_secret(secrets[app_id]).domain(server.base_url)
                .log_level(lark.LogLevel.ERROR).build())

    return make


@pytest.fixture(scope="session")
def client(client_for) -> lark.Client:  # type: ignore[no-untyped-def]
    c: lark.Client = client_for("cli_acme")
    return c
