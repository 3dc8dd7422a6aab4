"""The aPaaS v1 dialect (``/open-apis/apaas/v1``): approval tasks by id, users by their aPaaS id, one error code."""

from shenpi.api.apaas_v1 import tasks, user_tasks

ROUTES = [*tasks.ROUTES, *user_tasks.ROUTES]

__all__ = ["ROUTES"]
