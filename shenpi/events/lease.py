"""A send held under a lease: the event worker and the mail worker both renew their claim while a send is in
flight, so another process takes the work over only when this one has really stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

_R = TypeVar("_R")


async def under_lease(send: Coroutine[Any, Any, _R], lease: int, renew: Callable[[int], Awaitable[int]],
                      lease_ms: int) -> tuple[_R, int]:
    """Run ``send`` while renewing ``lease`` every quarter of its length; its result and the lease held at the
    end (a renewal that found the lease lost keeps the last one, whose fencing token then fails to record)."""
    sending = asyncio.ensure_future(send)
    try:
        while True:
            done, _ = await asyncio.wait({sending}, timeout=lease_ms / 4000)
            if done:
                break
            lease = await renew(lease) or lease
    finally:
        if not sending.done():
            sending.cancel()
    return sending.result(), lease
