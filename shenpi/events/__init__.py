"""Event delivery as Feishu does it: payloads (v1 and v2), encryption and signatures, and the push worker."""

from shenpi.events.delivery import (
    Delivery,
    DeliveryStore,
    DeliveryWorker,
    InstanceFacts,
    OutboxSource,
    build_request,
    route_definition,
    route_event,
    route_pending,
)
from shenpi.events.handshake import UrlVerificationError, verify_url
from shenpi.events.payloads import OutboxEvent, RenderedEvent, approval_updated_from_definition, render

__all__ = [
    "Delivery",
    "DeliveryStore",
    "DeliveryWorker",
    "InstanceFacts",
    "OutboxEvent",
    "OutboxSource",
    "RenderedEvent",
    "UrlVerificationError",
    "approval_updated_from_definition",
    "build_request",
    "render",
    "route_definition",
    "route_event",
    "route_pending",
    "verify_url",
]
