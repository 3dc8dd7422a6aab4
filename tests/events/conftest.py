"""Tests of the delivery worker's storage that ask for ``db_url`` run on a fresh database of each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BACKENDS
from tests.pg import postgres_url_or_skip


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    return postgres_url_or_skip("events")
