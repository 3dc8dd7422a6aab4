"""The pytest plugin (entry point ``pytest11: shenpi``): ``shenpi_server`` and ``shenpi_seed``.

One server per test session (per xdist worker), started on first use; each test gets it reset to its
``shenpi_seed`` — a few milliseconds, not a restart. Override ``shenpi_seed`` as any fixture::

    @pytest.fixture
    def shenpi_seed():
        return {"tenants": [...]}

Imports stay inside the fixtures: pytest loads this module in every run of every project where shenpi is installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from shenpi.testing.runner import ShenpiServer


@pytest.fixture
def shenpi_seed() -> dict[str, Any]:
    """The seed each test starts from (the seed-file shape, or a snapshot); the demo seed unless overridden."""
    from shenpi.demo import demo_seed

    return demo_seed()


@pytest.fixture(scope="session")
def shenpi_session_server() -> Iterator[ShenpiServer]:
    """The session's server, not reset between tests: for session- or module-scoped setup."""
    from shenpi.testing.runner import run

    with run({"tenants": []}) as srv:
        yield srv


@pytest.fixture
def shenpi_server(shenpi_session_server: ShenpiServer, shenpi_seed: dict[str, Any]) -> ShenpiServer:
    """The server, reset to ``shenpi_seed``: fresh state, real time, no faults, an empty journal."""
    shenpi_session_server.reset(shenpi_seed)
    return shenpi_session_server
