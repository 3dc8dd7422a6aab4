"""Wake-ups across server processes: PostgreSQL's LISTEN/NOTIFY.

A process that queues event deliveries wakes its own delivery worker, but a delivery to a long-connection app can
only be sent by the process holding that app's connection; without a signal that process found the delivery at its
next poll (half a second later, on average a quarter). A transaction that queues deliveries sends a NOTIFY, which
PostgreSQL delivers at commit (never for a rolled-back change); each process LISTENs on one connection of its own,
outside the pool, and hands every signal to a callback.

A signal carries nothing: the callback looks in the store, as a poll would. So a lost signal costs latency, never
an event: the listening connection is re-opened with backoff when it drops, the callback is called once it listens
again (anything signalled meanwhile is looked for), and the workers keep their poll as the floor. SQLite has no
such channel: processes sharing a SQLite file poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("shenpi.store")

DELIVERIES_QUEUED = "shenpi_deliveries_queued"
_RETRY_S, _RETRY_MAX_S = 0.5, 10.0


class Listening:
    """A LISTEN held open on its own connection for as long as the process runs; :meth:`aclose` ends it."""

    def __init__(self, url: str, channel: str, on_signal: Callable[[], None]) -> None:
        self.url = url
        self.channel = channel
        self.on_signal = on_signal
        self.listening = asyncio.Event()  # set while the LISTEN is in place (tests wait for it)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"shenpi-listen-{self.channel}")

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _heard(self, *_: Any) -> None:
        self.on_signal()

    async def _run(self) -> None:
        import asyncpg  # type: ignore[import-untyped]  # only a PostgreSQL store listens

        delay = _RETRY_S
        while True:
            try:
                conn = await asyncpg.connect(self.url)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as e:
                log.warning("listening for %s: cannot connect (%s); retrying in %.1f s", self.channel, e, delay)
            else:
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
                try:
                    await conn.add_listener(self.channel, self._heard)
                    self.listening.set()
                    delay = _RETRY_S
                    self.on_signal()  # whatever was signalled while nobody listened
                    await lost.wait()
                    log.warning("listening for %s: the connection closed; reconnecting", self.channel)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as e:
                    log.warning("listening for %s failed (%s); reconnecting", self.channel, e)
                finally:
                    self.listening.clear()
                    if not conn.is_closed():
                        conn.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, _RETRY_MAX_S)
