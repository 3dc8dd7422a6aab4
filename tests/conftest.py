"""Shared fixtures: real shenpi servers, on SQLite and on PostgreSQL.

Every test that takes ``server`` (or ``client``) runs once per backend: ``backend`` is a session fixture
parametrized over ``sqlite`` and ``postgres``. PostgreSQL runs against 127.0.0.1:5432; without it the
postgres half is skipped locally, but with ``CI=true`` a missing PostgreSQL fails the run. Set
``SHENPI_TEST_BACKENDS=sqlite`` (or ``postgres``) to run one half only while developing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import lark_oapi as lark
import pytest

from tests.seeds import test_seed
from tests.server import ServerProcess, forget_sdk_tokens

BACKENDS = [b for b in os.environ.get("SHENPI_TEST_BACKENDS", "sqlite,postgres").split(",") if b]


def database_url(tmp: Path, name: str, backend: str = "sqlite") -> str:
    """A fresh database for one server: a file in ``tmp``, or a new PostgreSQL database."""
    if backend == "postgres":
        from tests.pg import fresh_database

        return fresh_database(name)
    return f"sqlite:///{tmp / (name + '.db')}"


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgres":
        from tests.pg import pg_available

        if not pg_available():
            if os.environ.get("CI") == "true":
                pytest.fail("PostgreSQL at 127.0.0.1:5432 is required in CI")
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    return name


@pytest.fixture(scope="session")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp(f"shenpi-{backend}")
    srv = ServerProcess(tmp, test_seed(), database_url(tmp, "suite", backend))
    srv.start()
    forget_sdk_tokens()  # lark-oapi caches tokens by app_id only: the other backend's server issued those
    yield srv
    srv.stop()
    forget_sdk_tokens()


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
