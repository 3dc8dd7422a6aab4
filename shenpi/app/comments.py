"""Comments on instances: create, list, delete, remove."""

from __future__ import annotations

from shenpi.app.context import Context


class Comments:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
