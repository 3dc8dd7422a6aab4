"""The application object: the store, the clock, the platform services, and the areas of the application layer.

Both wire dialects (approval v4 and aPaaS v1), the web inbox and the CLI call it; it speaks in tenant-scoped
user ids and engine objects, and never sees HTTP.
"""

from __future__ import annotations

import time
from typing import Any

from shenpi.app.comments import Comments
from shenpi.app.context import Context
from shenpi.app.definitions import Definitions
from shenpi.app.deliveries import Deliveries
from shenpi.app.external import External
from shenpi.app.files import Files
from shenpi.app.inbox import Inbox
from shenpi.app.instances import Instances
from shenpi.app.long_connections import LongConnections
from shenpi.app.notifications import Notifications
from shenpi.app.people import People
from shenpi.app.personnel import Personnel
from shenpi.app.ratelimits import SharedRateLimiter, SignInLimits
from shenpi.app.registry import Registry
from shenpi.app.search import Search
from shenpi.app.snapshots import Snapshots
from shenpi.app.sso_users import SsoUsers
from shenpi.app.subscriptions import Subscriptions
from shenpi.app.tokens import Tokens
from shenpi.clock import Clock
from shenpi.engine.directory import Directory
from shenpi.platform.ratelimit import RateLimiter
from shenpi.store.base import Store


class Shenpi:
    """The running server's state: the store, the clock, and the platform services around the engine."""

    def __init__(self, store: Store, clock: Clock | None = None, rate_limit_scale: float = 1.0, *,
                 shared_rate_limits: bool = False, sign_in_limits: SignInLimits | None = None,
                 files_dir: str = "") -> None:
        self.store = store
        self.clock = clock or Clock()
        self.registry = Registry(store)
        # One process keeps its counters in memory; several processes on one database count in the database.
        self.rate_limiter = (SharedRateLimiter(self.clock.now_s, store, rate_limit_scale) if shared_rate_limits
                             else RateLimiter(self.clock.now_s, rate_limit_scale))
        self.started = time.time()
        # The event delivery worker, when the server runs one (shenpi.events.delivery.DeliveryWorker).
        self.events: Any = None
        self.mail: Any = None  # the mail worker, when the server sends mail (shenpi.events.mail.MailWorker)

        # The areas of the application layer: one typed method per operation.
        ctx = Context(store, self.clock, self.registry, self.committed)
        self.definitions = Definitions(ctx)
        self.instances = Instances(ctx)
        self.comments = Comments(ctx)
        self.search = Search(ctx)
        self.subscriptions = Subscriptions(ctx)
        self.external = External(ctx)
        self.files = Files(ctx, files_dir)  # files_dir: keep uploaded bytes there rather than in the database

        self.people = People(ctx, sign_in_limits)
        self.personnel = Personnel(ctx)
        self.inbox = Inbox(ctx, self.instances)
        self.tokens = Tokens(ctx)
        self.deliveries = Deliveries(ctx)
        self.long_connections = LongConnections(ctx, self.tokens)
        self.snapshots = Snapshots(ctx, self.tokens)
        self.notifications = Notifications(ctx)
        self.sso_users = SsoUsers(ctx)  # single sign-on: people matched in the directory, or added to it

    def committed(self) -> None:
        """A change with outbox rows was committed: let the delivery worker look now, not at its next poll."""
        if self.events is not None:
            self.events.wake()
        if self.mail is not None:
            self.mail.wake()

    async def open(self) -> None:
        await self.store.open()

    async def close(self) -> None:
        await self.store.close()

    async def directory(self, tenant_key: str) -> Directory:
        return await self.registry.directory(tenant_key)
