"""A move of the server's clock runs the mail worker's reminder timer at once, not at its next interval: the hours
the timer counts may just have passed (the control plane's clock is how tests reach them without waiting)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from shenpi.events.mail import MailWorker
from shenpi.store.notifications import Notification


class TimerOnly:
    """A mail store with nothing to send that records when the reminder timer runs."""

    lease_ms = 10_000

    def __init__(self) -> None:
        self.timer_runs: list[int] = []
        self.ran = asyncio.Event()

    async def remind_overdue(self, now_ms: int) -> int:
        self.timer_runs.append(now_ms)
        self.ran.set()
        return 0

    async def claim(self, now_ms: int, limit: int) -> list[list[Notification]]:
        return []

    async def renew(self, ids: Sequence[int], lease: int, now_ms: int) -> int:
        return 0

    async def sent(self, ids: Sequence[int], lease: int, now_ms: int) -> bool:
        return False

    async def retry(self, ids: Sequence[int], lease: int, next_at_ms: int, attempts: int, error: str) -> bool:
        return False

    async def dead(self, ids: Sequence[int], lease: int, attempts: int, error: str) -> bool:
        return False

    async def recipient(self, tenant_key: str, user_id: str) -> None:
        return None


def test_a_clock_move_runs_the_timer_now_and_a_commit_does_not() -> None:
    async def main() -> None:
        store = TimerOnly()
        worker = MailWorker(store, None, timer_interval_s=3600, poll_interval_s=0.01)  # type: ignore[arg-type]
        await worker.start()
        try:
            await asyncio.wait_for(store.ran.wait(), 10)  # the first pass runs the timer
            store.ran.clear()
            worker.wake()  # a commit: nothing for the timer before its hour
            await asyncio.sleep(0.2)
            assert len(store.timer_runs) == 1
            worker.clock_moved()
            await asyncio.wait_for(store.ran.wait(), 10)
            assert len(store.timer_runs) == 2
        finally:
            await worker.stop()

    asyncio.run(main())
