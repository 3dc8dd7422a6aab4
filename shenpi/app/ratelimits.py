"""Rate limits counted in the database, so they hold across worker processes and servers sharing it.

The window math is shenpi/platform/ratelimit.py; this is its counter's one short transaction per call, chosen when
the server runs several workers or on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

from shenpi.platform.ratelimit import RateLimiter, refused, windows
from shenpi.store.base import Store

SWEEP_EVERY_S = 60
KEEP_S = 120  # counters of windows that ended longer ago than this are deleted (the longest window is 60 s)


class SharedRateLimiter(RateLimiter):
    def __init__(self, now_s: Callable[[], float], store: Store, scale: float = 1.0) -> None:
        super().__init__(now_s, scale)
        self._store = store

    async def hit(self, tenant_key: str, app_id: str, endpoint: str, tenant_scale: float = 1.0) -> None:
        scale = self.scale * tenant_scale
        if scale <= 0:
            return
        now = self._now_s()
        counted = windows(tenant_key, app_id, endpoint, now, scale)
        async with self._store.transaction() as tx:
            full = await tx.rate_take([(key, start, limit) for key, start, _, limit in counted])
            if now >= self._next_sweep:
                self._next_sweep = now + SWEEP_EVERY_S
                await tx.rate_sweep(int(now) - KEEP_S)
        if full is not None:
            limit, start = full
            window = {s: w for _, s, w, _ in counted}[start]  # the store names the full window by its start
            raise refused(limit, start, window, now)
