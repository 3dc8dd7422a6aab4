"""Approval definitions: create (a new version when the code exists), get, list.

A saved definition queues ``approval.approval.updated_v4`` in the transaction that saves it.
"""

from __future__ import annotations

from shenpi.app.context import Context


class Definitions:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
