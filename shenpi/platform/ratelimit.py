"""Rate limits per API, per app, per tenant, as fixed windows: the window math, and the in-memory counter one
server process uses (several processes count in the database: shenpi/app/ratelimits.py).

A limit is a list of (calls, window seconds) pairs; hitting any one of them answers 429 / 99991400 with
``x-ogw-ratelimit-limit`` and ``x-ogw-ratelimit-reset``. An operator scales limits with a global factor
(``--rate-limit-scale``; 0 turns them off) and a tenant's ``rate_limit_scale``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from shenpi.platform.errors import RateLimited

PER_MIN_100 = ((100, 60),)
PER_MIN_1000_AND_50_PER_S = ((1000, 60), (50, 1))

_FAST = {
    "approval.v4.approval.create", "approval.v4.instance.get", "approval.v4.instance.query",
    "approval.v4.instance.search_cc", "approval.v4.instance.specified_rollback", "approval.v4.task.search",
    "approval.v4.instance_comment.create", "approval.v4.instance_comment.delete",
    "approval.v4.instance_comment.list", "approval.v4.instance_comment.remove",
    "approval.v4.external_approval.create", "approval.v4.external_approval.get",
    "approval.v4.external_instance.create", "approval.v4.external_instance.check",
    "approval.v4.external_task.list", "approval.v4.instance.preview", "approval.v4.task.query",
    "approval.v4.instance.add_sign", "approval.v4.district.list", "approval.v4.district.search",
}


def limits_for(endpoint: str) -> tuple[tuple[int, int], ...]:
    """An endpoint's limit: the fast tier (1000 a minute and 50 a second) for the calls Feishu documents with it,
    100 a minute for every other one."""
    return PER_MIN_1000_AND_50_PER_S if endpoint in _FAST else PER_MIN_100


def windows(tenant_key: str, app_id: str, endpoint: str, now: float,
            scale: float) -> list[tuple[str, int, int, int]]:
    """The fixed windows a call at ``now`` counts in: (counter key, window start, window seconds, limit)."""
    out = []
    for calls, window in limits_for(endpoint):
        start = int(now // window) * window
        out.append((f"{tenant_key}|{app_id}|{endpoint}|{window}", start, window, max(1, int(calls * scale))))
    return out


def refused(limit: int, start: int, window: int, now: float) -> RateLimited:
    """The 429 for a full window, telling the caller the limit and the seconds until the window ends."""
    reset = max(1, math.ceil(start + window - now))
    return RateLimited(headers={"x-ogw-ratelimit-limit": str(limit), "x-ogw-ratelimit-reset": str(reset)})


class RateLimiter:
    """Counts calls in fixed windows, in this process's memory: the fast choice for one server process."""

    def __init__(self, now_s: Callable[[], float], scale: float = 1.0) -> None:
        self._now_s = now_s
        self.scale = scale
        self._counts: dict[tuple[str, str, str, int, int], int] = {}
        self._next_sweep = 0.0

    async def hit(self, tenant_key: str, app_id: str, endpoint: str, tenant_scale: float = 1.0) -> None:
        scale = self.scale * tenant_scale
        if scale <= 0:
            return
        now = self._now_s()
        if now >= self._next_sweep:
            self._sweep(now)
        keys = []
        for calls, window in limits_for(endpoint):
            limit = max(1, int(calls * scale))
            start = int(now // window) * window
            key = (tenant_key, app_id, endpoint, window, start)
            if self._counts.get(key, 0) >= limit:  # a refused call does not count against the window
                raise refused(limit, start, window, now)
            keys.append(key)
        for key in keys:
            self._counts[key] = self._counts.get(key, 0) + 1

    def _sweep(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if k[4] + k[3] > now}
        self._next_sweep = now + 60

    def reset(self) -> None:
        self._counts.clear()
