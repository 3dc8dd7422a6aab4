"""The inbox's date filter: a day at either end of the calendar, in a server zone that pushes it past the end, is
no filter (never a server error)."""

from __future__ import annotations

import time

import pytest

from shenpi.web.views.inbox import _day_ms


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles"])
def test_inbox__a_day_at_the_calendars_ends_is_no_filter(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        for day in ("0001-01-01", "9999-12-31"):  # each end overflows in one of the zones: it must not raise
            assert isinstance(_day_ms(day, False), int) and isinstance(_day_ms(day, True), int)
        assert _day_ms("not-a-day", False) == 0
        assert _day_ms("2026-12-03", False) < _day_ms("2026-12-03", True)
    finally:
        monkeypatch.undo()
        time.tzset()
