"""The event outbox and its deliveries: routing, claims, retries, dead letters, replays."""

from __future__ import annotations

from shenpi.app.context import Context


class Deliveries:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
