"""Which apps receive a definition's events."""

from __future__ import annotations

from shenpi.app.context import Context


class Subscriptions:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
