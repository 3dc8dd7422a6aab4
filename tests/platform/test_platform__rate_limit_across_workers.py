"""Rate limits hold across worker processes: two uvicorn workers on one database share the 100/min budget."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shenpi.testing import ShenpiProcess
from tests.api.helpers import fresh_minute
from tests.conftest import start_server


@pytest.fixture(scope="module")
def two_workers(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path_factory.mktemp("workers"), "workers", backend, workers=2, args=["--no-events"])
    yield srv
    srv.close()


def test_the_101st_call_is_refused_whichever_worker_takes_it(two_workers):
    base = two_workers.base_url
    token = httpx.post(base + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_slow", "app_secret": "slow"}).json()["tenant_access_token"]
    codes = []
    fresh_minute()
    # a fresh connection per call, so the kernel spreads the calls over both worker processes
    for _ in range(101):
        r = httpx.post(base + "/open-apis/approval/v4/tasks/approve?user_id_type=user_id",
                       json={"approval_code": "SLOW", "instance_code": "x", "user_id": "sue", "task_id": "1"},
                       headers={"Authorization": f"Bearer {token}"})
        codes.append(r.json()["code"])
    assert codes[:100] == [1390003] * 100
    assert codes[100] == 99991400
