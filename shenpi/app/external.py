"""External approvals: definitions, instances and tasks kept by other systems."""

from __future__ import annotations

from shenpi.app.context import Context


class External:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
