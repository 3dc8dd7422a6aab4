"""The contact v3 dialect (``/open-apis/contact/v3``): directory lookups, so clients can map between id types."""

from shenpi.api.contact_v3 import users

ROUTES = [*users.ROUTES]

__all__ = ["ROUTES"]
