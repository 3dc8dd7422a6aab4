"""Pushing events to apps the way Feishu does.

* One POST per event to the app's ``event_url``; only HTTP 200 within 3 s counts as delivered.
* Retries after 15 s, 5 min, 1 h and 6 h, then the event is dead-lettered (and can be replayed by hand).
* Per (app, instance) the events go out in order: while the oldest undelivered one is not acknowledged, the
  later ones wait behind it, and their own retry clock starts only when they reach the head.
* The body is encrypted when the app has an Encrypt Key, and signed over the exact bytes sent.

The worker owns no storage: it talks to a :class:`DeliveryStore` (the SQL stores implement it) and, to turn new
outbox rows into deliveries, to an :class:`OutboxSource`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from shenpi import logs, metrics
from shenpi.background import cancel_and_wait
from shenpi.events.crypto import dumps, seal, signature
from shenpi.events.lease import under_lease
from shenpi.events.long_connection.hub import NO_CLIENT
from shenpi.events.posting import TIMEOUT_S, AiohttpPoster, HttpxPoster, Poster
from shenpi.events.queue import (
    DEAD,
    DELIVERED,
    PENDING,
    Claim,
    Delivery,
    DeliveryStore,
    EventTypes,
    InstanceFacts,
    OutboxSource,
    Outcome,
    app_event_types,
    default_event_types,
    delivery_for,
    route_definition,
    route_event,
    route_pending,
)
from shenpi.store.records import App

# The queue's names, re-exported: callers import them from here, beside the worker that sends what is queued.
__all__ = ["DEAD", "DELIVERED", "PENDING", "Claim", "Delivery", "DeliveryStore", "DeliveryWorker", "EventTypes",
           "InstanceFacts", "OutboxSource", "Outcome", "app_event_types", "build_request", "default_event_types",
           "delivery_for", "route_definition", "route_event", "route_pending", "with_token"]

log = logging.getLogger(__name__)

RETRY_SCHEDULE_S: tuple[float, ...] = (15.0, 300.0, 3600.0, 6 * 3600.0)
CONTENT_TYPE = "application/json; charset=utf-8"



def _wall_ms() -> int:
    return int(time.time() * 1000)




def with_token(body: bytes, token: str) -> bytes:
    """The event with the app's current verification token (top-level ``token`` in v1, ``header.token`` in v2)."""
    obj: dict[str, Any] = json.loads(body)
    if isinstance(obj.get("header"), dict):
        if obj["header"].get("token") == token:
            return body
        obj["header"]["token"] = token
    else:
        if obj.get("token") == token:
            return body
        obj["token"] = token
    return dumps(obj)


def build_request(app: App, plaintext: bytes, now_ms: int, nonce: str | None = None) -> tuple[dict[str, str], bytes]:
    """Headers and body of one push. The signature header is only sent when the app has an Encrypt Key: that is
    the only case in which the SDKs check it, and it is keyed by the Encrypt Key."""
    body = seal(with_token(plaintext, app.verification_token), app.encrypt_key)
    ts = str(now_ms // 1000)
    nonce = secrets.token_hex(8) if nonce is None else nonce
    headers = {"Content-Type": CONTENT_TYPE, "X-Lark-Request-Timestamp": ts, "X-Lark-Request-Nonce": nonce}
    if app.encrypt_key:
        headers["X-Lark-Signature"] = signature(ts, nonce, app.encrypt_key, body)
    return headers, body


class LongConnections(Protocol):
    """The app connections this process holds (shenpi/events/long_connection/hub.py): a long-connection app's
    events go over one of them instead of to a URL."""

    def held(self) -> Mapping[str, int]:
        """Connections held, per app id."""
        ...

    def window(self, app_id: str) -> int:
        """How many of the app's events may be in flight at once."""
        ...

    async def send(self, app_id: str, body: bytes, timeout_s: float) -> str | None:
        """None once a client answered 200; else why not."""
        ...


@dataclass(frozen=True, slots=True)
class _Attempt:
    """A finished send, waiting for the next pass to record its outcome."""

    delivery: Delivery
    outcome: Outcome
    duration_ms: float
    finished_ms: int


class DeliveryWorker:
    """Background task that routes new outbox rows and pushes due deliveries.

    Each app has its own lane of ``concurrency`` sends: the worker claims only what a lane can send at once, and a
    finished send frees its lane's slot at once, so a slow receiver fills its own lane and never holds back another
    app's events. A claim is a lease, renewed while the send is in flight: another worker process takes a delivery
    over only when this one stopped renewing, so an event is not sent twice while its first send can still happen,
    and a stream's next event is not sent before its head is done.

    A pass is one transaction for the sends (``DeliveryStore.settle_and_claim``): it records the outcomes of the
    sends finished since the last pass, claims what the lanes have room for, and reads those deliveries' apps; the
    sends then run concurrently. So under load a transaction serves many events, and a stream's next event is
    claimed in the pass that records its head. Routing new outbox rows takes a pass only when rows may be waiting:
    after a commit (:meth:`wake`), a full batch, or a poll interval without routing.

    ``now_ms`` is the clock schedules are computed with; ``schedule_scale`` multiplies the retry delays (0.001 turns
    15 s into 15 ms for tests). ``run_once`` does one full pass and is what tests with a fake clock call directly.
    """

    def __init__(
        self,
        store: DeliveryStore,
        *,
        source: OutboxSource | None = None,
        client: httpx.AsyncClient | None = None,
        poster: Poster | None = None,
        now_ms: Callable[[], int] = _wall_ms,
        schedule_scale: float = 1.0,
        schedule: Sequence[float] = RETRY_SCHEDULE_S,
        timeout_s: float = TIMEOUT_S,
        poll_interval_s: float = 1.0,
        batch: int = 100,
        concurrency: int = 16,  # per app: 8 fell behind at 500 events/s to one app (see long_connection.hub.WINDOW)
        event_types: EventTypes = default_event_types,
        long_connections: LongConnections | None = None,
    ) -> None:
        self.store = store
        self.source = source
        self.now_ms = now_ms
        self.schedule = tuple(s * schedule_scale for s in schedule)
        self.timeout_s = timeout_s
        self.poll_interval_s = poll_interval_s
        self.batch = batch
        self.lane = concurrency  # sends in flight per app
        self.event_types = event_types
        self.long_connections = long_connections
        # A caller's httpx client (a test's mock transport) or poster (the control plane's); else the worker's own.
        self._poster: Poster | None = poster if poster is not None else (
            HttpxPoster(client) if client is not None else None)
        self._own_poster = self._poster is None
        self._in_flight: dict[str, int] = {}
        self._sends: set[asyncio.Task[None]] = set()
        self._finished: list[_Attempt] = []  # sends done, outcomes not yet recorded
        self._wake = asyncio.Event()
        self._route_wanted = True  # new outbox rows may be waiting
        self._routed_at = 0.0  # monotonic time of the last routing
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is not None:
            return
        self._task = asyncio.create_task(self._run(), name="shenpi-event-delivery")

    def _sender(self) -> Poster:
        if self._poster is None:
            self._poster = AiohttpPoster()
        return self._poster

    async def stop(self) -> None:
        """Stop claiming, let the sends in flight finish (each within its timeout) and record their outcomes, so
        that an event its receiver acknowledged is recorded as delivered and not sent again by the next process,
        and close an owned client."""
        task, self._task = self._task, None
        await cancel_and_wait(task)
        if self._sends:
            await asyncio.wait(set(self._sends), timeout=self.timeout_s + 1.0)
        for t in list(self._sends):  # stuck on storage: abandoned, retried when its lease runs out
            await cancel_and_wait(t)
        if self._finished:
            try:
                await self._dispatch(claim=False)
            except Exception:  # their leases run out and the events go again: at least once
                log.exception("recording the last event deliveries failed")
        if self._own_poster and self._poster is not None:
            await self._poster.aclose()
            self._poster = None

    async def __aenter__(self) -> DeliveryWorker:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def wake(self) -> None:
        """Look for work now instead of at the next poll (call after committing new outbox rows)."""
        self._route_wanted = True
        self._wake.set()

    def nudge(self) -> None:
        """Look for due deliveries now: another process queued some (their outbox rows are routed already)."""
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()  # before the pass, so a wake() during the pass triggers another one
            try:
                # One batch of routing per pass, then the sends: under a steady stream of new rows, routing until
                # a batch comes back short would leave the due deliveries waiting as long as the stream lasts.
                # A pass woken only by finished sends skips routing, unless a poll interval went by without it
                # (rows committed by a process that does not wake this one).
                if self._route_wanted or loop.time() - self._routed_at >= self.poll_interval_s:
                    self._route_wanted, self._routed_at = False, loop.time()
                    try:
                        if await self._route_batch():
                            self.wake()  # more rows are waiting: come straight back after the sends
                    except Exception:
                        self._route_wanted = True
                        raise
                await self._dispatch()
            except Exception:  # a store hiccup must not kill the loop; the next poll retries
                log.exception("event delivery pass failed")
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that lands together
            # with wake(), and stop() would then hang
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval_s):
                    await self._wake.wait()

    # -- one pass ---------------------------------------------------------------------------------
    async def _route(self) -> None:
        while await self._route_batch():
            pass

    async def _route_batch(self) -> bool:
        """Route one batch of new outbox rows; whether it was full (more may be waiting)."""
        if self.source is None:
            return False
        return await route_pending(self.source, event_types=self.event_types, limit=self.batch) >= self.batch

    async def run_once(self, max_rounds: int = 1000) -> int:
        """Route pending outbox rows, then send due deliveries until none is due and none is in flight, and record
        the outcomes; returns the attempts made. After a head is acknowledged the next delivery of its stream is due
        at once, hence the rounds.
        """
        await self._route()
        attempts = 0
        for _ in range(max_rounds):
            attempts += await self._dispatch()
            if not self._sends:
                break
            await asyncio.wait(set(self._sends), return_when=asyncio.FIRST_COMPLETED)
        return attempts

    async def _dispatch(self, *, claim: bool = True) -> int:
        """Record the finished sends' outcomes, claim what the lanes have room for and start sending it, all from
        one transaction; the number of sends started."""
        busy = {app_id: n for app_id, n in self._in_flight.items() if n}
        held: Mapping[str, int] = {}
        if (connections := self.long_connections) is not None:
            held = connections.held()
            for app_id in held:  # a long-connection app's lane is as wide as its connections' windows
                busy[app_id] = busy.get(app_id, 0) + max(0, self.lane - connections.window(app_id))
        finished, self._finished = self._finished, []
        try:
            claimed = await self.store.settle_and_claim([a.outcome for a in finished], self.now_ms(),
                                                        self.batch if claim else 0, per_app=self.lane, busy=busy,
                                                        held_apps=held)
        except BaseException:
            self._finished[:0] = finished  # nothing was written: the next pass records them
            raise
        for attempt, recorded in zip(finished, claimed.recorded, strict=True):
            self._report(attempt, recorded)
        for d in claimed.due:
            self._in_flight[d.app_id] = self._in_flight.get(d.app_id, 0) + 1
            task = asyncio.create_task(self._attempt(d, claimed.apps.get(d.app_id)))
            self._sends.add(task)
            task.add_done_callback(functools.partial(self._sent, app_id=d.app_id))
        return len(claimed.due)

    def _sent(self, task: asyncio.Task[None], app_id: str) -> None:
        self._sends.discard(task)
        self._in_flight[app_id] -= 1
        if not task.cancelled() and task.exception() is not None:
            log.error("event delivery failed", exc_info=task.exception())
        self._wake.set()  # the outcome waits to be recorded, the lane has room, the stream's next event may be due

    async def _attempt(self, d: Delivery, app: App | None) -> None:
        """Send ``d`` under the lease its claim took a moment ago, and leave its outcome for the next pass."""
        started = time.perf_counter()
        error, lease = await under_lease(self._send(d, app), d.next_at_ms,
                                         lambda held: self.store.renew(d.id, held, self.now_ms()), self.store.lease_ms)
        attempts = d.attempts + 1
        if error is None:
            outcome = Outcome(d.id, lease, DELIVERED, attempts)
        elif attempts > len(self.schedule):
            outcome = Outcome(d.id, lease, DEAD, attempts, error=error)
        else:
            next_at = self.now_ms() + int(self.schedule[attempts - 1] * 1000)
            outcome = Outcome(d.id, lease, PENDING, attempts, next_at_ms=next_at, error=error)
        self._finished.append(_Attempt(d, outcome, (time.perf_counter() - started) * 1000, self.now_ms()))

    def _report(self, attempt: _Attempt, recorded: bool) -> None:
        d, outcome = attempt.delivery, attempt.outcome
        result = {DELIVERED: "delivered", DEAD: "dead"}.get(outcome.state, "retry")
        metrics.event_delivery(result if recorded else "lease_lost", attempt.finished_ms - d.created_at)
        if recorded:  # the attempt's line: delivered, to be retried, or dead-lettered (4 retries failed)
            level = logging.WARNING if result == "dead" else logging.INFO
            logs.deliveries.log(level, logs.DELIVERY_LINE, result, d.event_id, d.app_id, outcome.attempts,
                                attempt.duration_ms, logs.without_query(outcome.error) if outcome.error else None)
        else:  # the lease ran out and another worker (or an operator) has the delivery now
            log.info("event %s to app %s: lease lost during the send, its result (%s) not recorded", d.event_id,
                     d.app_id, outcome.error or "delivered")

    async def _send(self, d: Delivery, app: App | None) -> str | None:
        """One POST; None when acknowledged, else why not."""
        if app is None:
            return "app not found"
        if app.receives_by == "long_connection":  # the same plaintext a callback gets, neither sealed nor signed
            if self.long_connections is None:
                return NO_CLIENT
            return await self.long_connections.send(app.app_id, with_token(d.body, app.verification_token),
                                                    self.timeout_s)
        if not app.event_url:
            return "app has no event_url"
        try:
            headers, body = build_request(app, d.body, self.now_ms())
            status, answer = await self._sender()(app.event_url, headers, body, self.timeout_s)
        except TimeoutError:
            return f"timeout after {self.timeout_s:g}s"
        except Exception as e:  # connection refused, bad URL, ...: all mean "not delivered"
            return f"{type(e).__name__}: {e}"
        if status != 200:
            return f"HTTP {status}: {answer.decode('utf-8', 'replace')[:200]}"
        return None
