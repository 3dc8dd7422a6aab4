"""Whole-state export, import and reset, all-or-nothing."""

from __future__ import annotations

from shenpi.app.context import Context


class Snapshots:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
