"""Approval instances: create, get, and every operation on a running instance (approve, reject, transfer, ...).

Each operation is one transaction under the instance's lock.
"""

from __future__ import annotations

from shenpi.app.context import Context


class Instances:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
