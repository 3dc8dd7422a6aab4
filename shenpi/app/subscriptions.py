"""Which apps receive a definition's events, and which users asked for approval notifications.

Subscribing twice, or unsubscribing what is not subscribed, is 1390007 ("already subscribed or unsubscribed,
no need to repeat the operation"), for apps and users alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from shenpi.app.context import Context
from shenpi.app.definitions import definition_of
from shenpi.engine.errors import SubscriptionExisted


class Subscriptions:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def subscribe(self, tenant_key: str, app_id: str, approval_code: str) -> None:
        """The app receives the events of the approval's instances and of its new versions."""
        async with self._ctx.store.transaction() as tx:
            await definition_of(tx, tenant_key, approval_code)
            changed = await tx.subscribe(tenant_key, app_id, approval_code, self._ctx.clock.now_ms())
        if not changed:
            raise SubscriptionExisted(f"approval {approval_code} is already subscribed")

    async def unsubscribe(self, tenant_key: str, app_id: str, approval_code: str) -> None:
        async with self._ctx.store.transaction() as tx:
            await definition_of(tx, tenant_key, approval_code)
            changed = await tx.unsubscribe(app_id, approval_code)
        if not changed:
            raise SubscriptionExisted(f"approval {approval_code} is already unsubscribed")

    async def subscribe_user(self, tenant_key: str, user_id: str, kind: str, subscription_type: str) -> None:
        """The user's subscription to ``kind`` (task or instance) notifications. shenpi keeps it so a repeat
        answers as the app-level subscription does; it sends no notifications."""
        async with self._ctx.store.transaction() as tx:
            changed = await tx.subscribe(tenant_key, _user_key(user_id, kind), subscription_type,
                                         self._ctx.clock.now_ms())
        if not changed:
            raise SubscriptionExisted(f"{kind} subscription {subscription_type} is already on")

    async def unsubscribe_user(self, tenant_key: str, user_id: str, kind: str,
                               subscription_types: Sequence[str]) -> None:
        """End the user's ``kind`` subscriptions of these types; 1390007 when none of them was on."""
        async with self._ctx.store.transaction() as tx:
            changed = [await tx.unsubscribe(_user_key(user_id, kind), t) for t in subscription_types]
        if not any(changed):
            raise SubscriptionExisted(f"{kind} subscription {' or '.join(subscription_types)} is already off")


def _user_key(user_id: str, kind: str) -> str:
    """User subscriptions share the subscriptions table with apps, under a key no app id can take."""
    return f"user:{user_id}:{kind}"
