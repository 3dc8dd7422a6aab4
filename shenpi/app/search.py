"""Lists and searches over instances, tasks and CC records."""

from __future__ import annotations

from shenpi.app.context import Context


class Search:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
