"""What every area of the application layer shares: the store, the clock, the per-process caches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shenpi.app.registry import Registry
from shenpi.clock import Clock
from shenpi.store.base import Store


@dataclass(slots=True)
class Context:
    store: Store
    clock: Clock
    registry: Registry
    # Called after a commit that wrote outbox rows, so the delivery worker looks now rather than at its next poll.
    committed: Callable[[], None]
    # Whether this server sends notification mail (an SMTP server is set): without it no notification is queued as
    # mail, so configuring one later does not send what was written before.
    mail: bool = False
