"""Background asyncio tasks that a component starts with itself and stops with itself (the event delivery loop,
SQLite's WAL checkpoints)."""

from __future__ import annotations

import asyncio
import contextlib


async def cancel_and_wait(task: asyncio.Task[None] | None) -> None:
    """Cancel ``task`` and wait until it has ended, so nothing of it runs after its owner stopped; None is a task
    that was never started."""
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
