"""Rate limits counted in the database, so they hold across worker processes and servers sharing it.

The window math is shenpi/platform/ratelimit.py; this is its counter's one short transaction per call, chosen when
the server runs several workers or on PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shenpi.platform.ratelimit import RateLimiter, refused, windows
from shenpi.store.base import Store

SWEEP_EVERY_S = 60
# Counters of windows that started longer ago than this are deleted: longer than the longest window (the sign-in
# throttle's 15 minutes), or a sweep would forget a window still running.
KEEP_S = 1800


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


class Throttled(Exception):
    """Too many attempts: try again in ``wait_s`` seconds."""

    def __init__(self, wait_s: int) -> None:
        super().__init__(f"too many attempts; try again in {wait_s} s")
        self.wait_s = wait_s


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """Passwords the web sign-in checks, as (attempts, window seconds): per account and per client address.
    0 attempts turns that limit off."""

    per_account: tuple[int, int] = (5, 900)
    per_address: tuple[int, int] = (30, 60)


def parse_limit(text: str) -> tuple[int, int]:
    """``"5/900"``: 5 attempts per 900 seconds (``"0/60"``: off)."""
    calls, _, window = text.partition("/")
    limit = (int(calls), int(window or "60"))
    if limit[0] < 0 or limit[1] <= 0:
        raise ValueError(f"a limit is ATTEMPTS/SECONDS, e.g. 5/900, not {text!r}")
    return limit


@dataclass(frozen=True, slots=True)
class Taken:
    """An attempt counted (``wait_s`` 0, the windows it counts in) or refused (the seconds until it may retry)."""

    counted: tuple[tuple[str, int], ...]
    wait_s: int


class Attempts:
    """Guesses at a secret (an app secret, a password) counted in the database, so that every worker process and
    server on it sees one count. A slot is taken before the secret is checked and given back when it was right:
    concurrent guesses can never check more secrets than the limit, and right ones do not count."""

    def __init__(self, now_s: Callable[[], float], store: Store) -> None:
        self._now_s = now_s
        self._store = store
        self._next_sweep = 0.0

    async def take(self, limits: Sequence[tuple[str, int, int]]) -> Taken:
        """Count one attempt under each (bucket, attempts, window seconds), or refuse it if one window is full."""
        now = self._now_s()
        counted = [(bucket, int(now // window) * window, calls, window) for bucket, calls, window in limits]
        async with self._store.transaction() as tx:
            full = await tx.rate_take([(bucket, start, calls) for bucket, start, calls, _ in counted])
            if now >= self._next_sweep:
                self._next_sweep = now + SWEEP_EVERY_S
                await tx.rate_sweep(int(now) - KEEP_S)
        if full is None:
            return Taken(tuple((bucket, start) for bucket, start, _, _ in counted), 0)
        window = next(w for _, start, calls, w in counted if (calls, start) == full)
        return Taken((), max(1, math.ceil(full[1] + window - now)))

    async def give_back(self, taken: Taken) -> None:
        """The secret was right: the attempt does not count."""
        if taken.counted:
            async with self._store.transaction() as tx:
                await tx.rate_give_back(taken.counted)
