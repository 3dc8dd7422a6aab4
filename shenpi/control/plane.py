"""The control plane's state: reset, faults, the journal, the clock offset; one per running server.

One :class:`Control` per running :class:`~shenpi.app.Shenpi`, installed by :mod:`shenpi.server` only when the admin
API is on (``--admin-token``, ``--demo``, or the test fixture). It plugs in as the server's hooks
(:class:`shenpi.hooks.ServerHooks`): it labels and faults Open API calls, keeps the journal, and hands the delivery
worker a client that can lose pushes. A server without it runs with no hooks at all.

Reset is fast because it does not replay the seed: the first reset with a seed applies it to an empty store and
keeps the resulting rows as a *baseline*; every later reset with the same seed restores those rows in one
transaction (a few milliseconds), instead of re-validating definitions and re-hashing passwords.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from weakref import WeakKeyDictionary

from shenpi.app import Shenpi
from shenpi.app.snapshots import KEEP, is_snapshot
from shenpi.control.faults import FaultBook
from shenpi.control.journal import CALL_KEY, Journal
from shenpi.events.posting import AiohttpPoster, Poster
from shenpi.hooks import ASGIApp, Receive, Scope, Send
from shenpi.seed import SeedError, apply_seed

SeedSource = Callable[[], list[dict[str, Any]]]
_BASELINES = 8  # distinct seeds whose baselines are kept (a suite usually has one or two)


def _digest(seeds: list[dict[str, Any]]) -> str:
    text = json.dumps(seeds, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _constant(seeds: list[dict[str, Any]]) -> SeedSource:
    return lambda: seeds


def check_seed(seed: Any) -> dict[str, Any]:
    if not isinstance(seed, dict) or not isinstance(seed.get("tenants"), list):
        raise SeedError("a seed needs a top-level 'tenants' list")
    return seed


class Control:
    def __init__(self, svc: Shenpi, seeds: SeedSource | None = None, *, journal_capacity: int = 500) -> None:
        self.svc = svc
        self.faults = FaultBook(svc.clock.now_s)
        self.journal = Journal(svc.clock.now_ms, journal_capacity)
        self._seeds: SeedSource = seeds or list
        self._baselines: OrderedDict[str, dict[str, dict[str, Any]]] = OrderedDict()
        self._delivery_poster: Poster | None = None

    # -- the request path (the server's hooks) ---------------------------------------------------------
    async def serve_http(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Keep the request and its answer in the journal (Open API calls only)."""
        await self.journal.record(app, scope, receive, send)

    async def before_call(self, scope: Scope, tenant_key: str, app_id: str, endpoint: str) -> None:
        """Label the call for the journal, then wait and/or raise as the fault rules say."""
        call: dict[str, Any] = {"tenant_key": tenant_key, "app_id": app_id, "endpoint": endpoint, "faults": []}
        scope[CALL_KEY] = call
        if not self.faults:
            return
        tenant = await self.svc.registry.tenant(tenant_key)
        scale = self.svc.rate_limiter.scale * (tenant.rate_limit_scale if tenant else 1.0)
        verdict = self.faults.decide(tenant_key, app_id, endpoint, scale)
        call["faults"] = verdict.rule_ids
        if verdict.latency_s:
            await asyncio.sleep(verdict.latency_s)
        if verdict.error is not None:
            raise verdict.error

    def drop_delivery(self, tenant_key: str, app_id: str) -> bool:
        return self.faults.drop_delivery(tenant_key, app_id)

    # -- reset --------------------------------------------------------------------------------------
    async def reset(self, seed: dict[str, Any] | None = None) -> dict[str, Any]:
        """Wipe the state back to the seed (``seed`` replaces the configured one), the clock to real time, and
        clear faults, journal and rate-limit windows. Tokens of apps that still exist stay valid."""
        started = time.perf_counter()
        source = self._seeds if seed is None else _constant([check_seed(seed)])
        seeds = source()
        key = _digest(seeds)
        # The delivery worker keeps running: a push in flight records its outcome by delivery id, and ids are never
        # reused across a restore (see restore_tables), so a stale outcome lands on no row.
        self.svc.clock.offset_ms = 0
        baseline = self._baselines.get(key)
        if baseline is None:
            # A baseline is built on an emptied store, in several transactions: keep the state as it is now, so a
            # seed that fails half-way (or at once) leaves every table exactly as it was, also when no reset has
            # succeeded since the start and so no baseline exists to go back to.
            current = await self.svc.snapshots.dump_tables()
            try:
                baseline = await self._build_baseline(seeds, current)
            except Exception:
                await self.svc.snapshots.restore(current)
                raise
            self._baselines[key] = baseline
            while len(self._baselines) > _BASELINES:
                self._baselines.popitem(last=False)
        self._baselines.move_to_end(key)
        self._seeds = source
        pruned = await self.svc.snapshots.reset_to(baseline)
        self.svc.rate_limiter.reset()
        self.faults.clear()
        self.journal.clear()
        return {"seed": key, "pruned_token_apps": pruned, "took_ms": round((time.perf_counter() - started) * 1000, 3)}

    async def _build_baseline(self, seeds: list[dict[str, Any]],
                              current: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        await self.svc.snapshots.restore({})  # empty, but for tokens
        for seed in seeds:
            if is_snapshot(seed):  # a redacted snapshot's secrets: those of the state before this reset
                await self.svc.snapshots.restore_snapshot(seed, secrets_from=current)
            else:
                await apply_seed(self.svc, check_seed(seed))
            self.svc.snapshots.forget_caches()
        tables = await self.svc.snapshots.dump_tables()
        for name in KEEP:  # kept tables are not part of a baseline: restoring one must not touch them
            tables.pop(name, None)
        return tables

    def seeds(self) -> list[dict[str, Any]]:
        return self._seeds()

    # -- event pushes -------------------------------------------------------------------------------
    def delivery_poster(self) -> Poster:
        """What the delivery worker pushes callbacks with, so that drop_events faults can lose pushes."""
        if self._delivery_poster is None:
            self._delivery_poster = _DroppingPoster(self, AiohttpPoster())
        return self._delivery_poster

    async def aclose(self) -> None:
        if self._delivery_poster is not None:
            await self._delivery_poster.aclose()
            self._delivery_poster = None


class _DroppingPoster:
    """Loses a push when a drop_events rule fires for an app whose event_url it is addressed to.

    The worker sees a connection error, as when a push never arrives, and schedules its retry. The push carries no
    app id, so the app is found by URL: with one URL per app (the usual test setup) that is exact.
    """

    def __init__(self, control: Control, inner: Poster) -> None:
        self._control, self._inner = control, inner

    async def __call__(self, url: str, headers: Mapping[str, str], body: bytes,
                       timeout_s: float) -> tuple[int, bytes]:
        if self._control.faults.has_drop_rules():
            apps = [a for a in await self._control.svc.people.apps() if a.event_url and a.event_url == url]
            if any(self._control.drop_delivery(a.tenant_key, a.app_id) for a in apps):
                raise ConnectionRefusedError("dropped by a shenpi drop_events fault")
        return await self._inner(url, headers, body, timeout_s)

    async def aclose(self) -> None:
        await self._inner.aclose()


_controls: WeakKeyDictionary[Shenpi, Control] = WeakKeyDictionary()


def install_control(svc: Shenpi, seeds: SeedSource | None = None) -> Control:
    """Turn the control plane on for this application object (the server does it when the admin API is on)."""
    control = Control(svc, seeds)
    _controls[svc] = control
    return control


def should_drop_delivery(svc: Shenpi, tenant_key: str, app_id: str) -> bool:
    """True when a ``drop_events`` fault wants this push lost (count it as a failed attempt, as a push that never got
    an answer). The server's worker gets this through :meth:`Control.delivery_poster`; a pusher that does not use
    that poster can ask directly. Always False unless the admin API set such a fault."""
    control = _controls.get(svc)
    return control is not None and control.drop_delivery(tenant_key, app_id)
