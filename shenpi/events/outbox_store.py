"""What is left of the delivery worker's storage module: its storage is now the application's
(``svc.deliveries``, shenpi/app/deliveries.py). These two names remain for callers not yet moved to it; they open
no transaction and import nothing of the application layer (which sits above this package). Delete this module
once the server and the operators' tools call ``svc.deliveries`` directly."""

from __future__ import annotations

from typing import Any


def StoreDeliveries(svc: Any) -> Any:  # noqa: N802 - the class this used to be
    """The worker's storage (``DeliveryStore`` and ``OutboxSource``): ``svc.deliveries``."""
    return svc.deliveries


async def list_deliveries(svc: Any, *, state: str = "", app_id: str = "", limit: int = 1000) -> list[dict[str, Any]]:
    """Deliveries as operators see them: ``svc.deliveries.overview``."""
    found: list[dict[str, Any]] = await svc.deliveries.overview(state=state, app_id=app_id, limit=limit)
    return found
