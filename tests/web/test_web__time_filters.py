"""The pages' time filters (``iso`` for <time datetime>, ``when`` for the text) say what datetime's local time
says, in time zones east and west of UTC, with daylight saving and with an offset of seconds."""

from __future__ import annotations

import os
import time
from datetime import datetime

import pytest

from shenpi.web.context import _iso, _when

MOMENTS = [1, 999, 1_000, 1_700_000_000_123, 1_711_846_799_000, 1_711_846_800_000, 1_730_595_600_500,
           -1, -86_400_001, -2_208_988_800_000, 4_102_444_800_000]


@pytest.fixture(params=["UTC", "Asia/Shanghai", "America/New_York", "Europe/Amsterdam", "Asia/Kolkata"])
def zone(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_iso_and_when_read_as_datetime_does(zone):
    for ms in MOMENTS:
        assert _iso(ms) == datetime.fromtimestamp(ms / 1000).astimezone().isoformat(timespec="seconds"), (zone, ms)
        assert _when(ms) == datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M"), (zone, ms)
    assert _iso(0) == _when(0) == ""
