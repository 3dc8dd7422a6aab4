"""What is left of the delivery worker's storage module: its storage is now the application's
(``svc.deliveries``, shenpi/app/deliveries.py). These names remain for callers not yet moved to it; none opens a
transaction. Delete this module once the server and the operators' tools call ``svc.deliveries`` directly."""

from __future__ import annotations

from typing import Any

from shenpi.app import Shenpi
from shenpi.app.deliveries import Deliveries, delivery_view

__all__ = ["StoreDeliveries", "delivery_view", "list_deliveries"]


def StoreDeliveries(svc: Shenpi) -> Deliveries:  # noqa: N802 - the class this used to be
    """The worker's storage: ``svc.deliveries``."""
    return svc.deliveries


async def list_deliveries(svc: Shenpi, *, state: str = "", app_id: str = "", limit: int = 1000) -> list[dict[str, Any]]:
    """Deliveries as operators see them: ``svc.deliveries.overview``."""
    return await svc.deliveries.overview(state=state, app_id=app_id, limit=limit)
