"""The approval v4 dialect (``/open-apis/approval/v4``)."""

from shenpi.api.approval_v4 import (
    approvals,
    comments,
    districts,
    external,
    instances,
    operations,
    search,
    tasks,
    user_scoped,
)

ROUTES = [
    *approvals.ROUTES, *instances.ROUTES, *search.ROUTES, *tasks.ROUTES, *comments.ROUTES, *external.ROUTES,
    *districts.ROUTES, *operations.ROUTES, *user_scoped.ROUTES,
]

__all__ = ["ROUTES"]
