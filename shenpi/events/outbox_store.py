"""What is left of the delivery worker's storage module: its storage is now the application's
(``svc.deliveries``, shenpi/app/deliveries.py). These names remain for callers not yet moved to it; none opens a
transaction."""

from __future__ import annotations

from typing import Any

from shenpi.app import Shenpi
from shenpi.app.deliveries import Deliveries, delivery_view

__all__ = ["StoreDeliveries", "definition_changed", "delivery_view", "list_deliveries"]


def StoreDeliveries(svc: Shenpi) -> Deliveries:  # noqa: N802 - the class this used to be
    """The worker's storage: ``svc.deliveries``."""
    return svc.deliveries


async def definition_changed(svc: Shenpi, definition: Any) -> None:
    """Queue ``approval.approval.updated_v4`` for the apps subscribed to a definition that was just saved."""
    from shenpi.events.delivery import route_definition

    apps = await svc.deliveries.subscribers(definition.tenant_key, definition.code)
    if apps:
        await svc.deliveries.enqueue(route_definition(definition, apps, svc.clock.now_ms()))
        svc.committed()


async def list_deliveries(svc: Shenpi, *, state: str = "", app_id: str = "", limit: int = 1000) -> list[dict[str, Any]]:
    """Deliveries as operators see them: ``svc.deliveries.overview``."""
    return await svc.deliveries.overview(state=state, app_id=app_id, limit=limit)
