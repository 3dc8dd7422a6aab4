"""Shared fixtures: real shenpi servers, on SQLite and on PostgreSQL.

Every server of the suite is a :class:`shenpi.testing.ShenpiProcess` (``shenpi serve`` in a child process on
127.0.0.1, the harness the project ships), started by :func:`start_server` on a fresh database of the backend.
Every test that takes ``server`` (or ``client``) runs once per backend: ``backend`` is a session fixture
parametrized over ``sqlite`` and ``postgres``. PostgreSQL runs against 127.0.0.1:5432; without it the
postgres half is skipped locally, but with ``CI=true`` a missing PostgreSQL fails the run. Set
``SHENPI_TEST_BACKENDS=sqlite`` (or ``postgres``) to run one half only while developing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lark_oapi as lark
import pytest

from shenpi.testing import ShenpiProcess
from tests.oracles import check, sdk_types
from tests.oracles.capture import Recorder
from tests.seeds import test_seed

BACKENDS = [b for b in os.environ.get("SHENPI_TEST_BACKENDS", "sqlite,postgres").split(",") if b]


def database_url(tmp: Path, name: str, backend: str = "sqlite") -> str:
    """A fresh database for one server: a file in ``tmp``, or a new PostgreSQL database."""
    if backend == "postgres":
        from tests.pg import fresh_database

        return fresh_database(name)
    return f"sqlite:///{tmp / (name + '.db')}"


def start_server(tmp: Path, name: str, backend: str = "sqlite", seed: dict[str, Any] | None = None,
                 **options: Any) -> ShenpiProcess:
    """``shenpi serve`` in ``tmp`` on a fresh database ``name`` of ``backend``, seeded with ``seed`` (the suite's
    seed by default), started and healthy. ``options`` are :class:`ShenpiProcess`'s (``workers``, ``tls``, ``args``...)."""
    srv = ShenpiProcess(test_seed() if seed is None else seed, db=database_url(tmp, name, backend), workdir=tmp,
                        **options)
    srv.start()
    return srv


@pytest.fixture(scope="session", autouse=True)
def checked_answers(request: pytest.FixtureRequest) -> Iterator[Recorder]:
    """Every answer lark-oapi receives during the session, checked when the session ends against the Node SDK's
    declared types and the contract's response schemas (tests/oracles). A mismatch fails the run, as an error at
    the teardown of the session's last test, listing each endpoint and what differs."""
    recorder = Recorder()
    recorder.install()
    yield recorder
    recorder.uninstall()
    if not recorder.answers:
        return
    if os.environ.get("SHENPI_KEEP_ANSWERS"):  # for looking at them after the run
        Path(os.environ["SHENPI_KEEP_ANSWERS"]).write_text(json.dumps(
            [[a.server, a.endpoint, a.status, a.body.decode("utf-8", "replace")] for a in recorder.answers]))
    with_types = sdk_types.tsc_available()
    if not with_types and os.environ.get("CI") == "true":
        pytest.fail("node and tests/node's typescript (npm ci) are required in CI to check the answers")
    report = check.check(recorder.answers, with_sdk_types=with_types)
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if terminal is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # past the capture of the last test's teardown
            terminal.write_line("\n" + report.summary())
    if report.problems:
        pytest.fail(f"{len(report.problems)} endpoint(s) answered what the oracles refuse "
                    f"({report.checked} distinct answers checked):\n{report.text()}", pytrace=False)


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
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """The suite's shared server: not reset between tests (each test makes its own instances)."""
    # No clearing of lark-oapi's token cache between backends: the other backend's server issued the token it holds
    # for the same app (id, tenant, secret), and every shenpi accepts it.
    srv = start_server(tmp_path_factory.mktemp(f"shenpi-{backend}"), "suite", backend)
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def client_for(server: ShenpiProcess):  # type: ignore[no-untyped-def]
    secrets = {a["app_id"]: a["app_secret"] for t in test_seed()["tenants"] for a in t["apps"]}

    def make(app_id: str = "cli_acme") -> lark.Client:
        return (lark.Client.builder().app_id(app_id).app_secret(secrets[app_id]).domain(server.base_url)
                .log_level(lark.LogLevel.ERROR).build())

    return make


@pytest.fixture(scope="session")
def client(client_for) -> lark.Client:  # type: ignore[no-untyped-def]
    c: lark.Client = client_for("cli_acme")
    return c


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (``CI=true``) a skipped test fails the run: every case there must run, and a skip would otherwise be
    counted among the passes (the skip guards of the PostgreSQL, Node and browser cases fail instead of skipping,
    and this catches any other)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if os.environ.get("CI") == "true" and skipped and exitstatus == 0:
        if reporter is not None:
            reporter.write_line(f"{skipped} test(s) skipped: with CI=true every test must run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
