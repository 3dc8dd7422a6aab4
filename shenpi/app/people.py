"""Tenants, apps and the directory (users, departments, passwords), cached per process."""

from __future__ import annotations

from shenpi.app.context import Context


class People:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
