"""Sign-in and tokens (``/open-apis/auth/v3`` and ``/open-apis/authen``): app, tenant and user access tokens.

``auth_v3.issue_token`` and ``authen``'s authorize page and OAuth v2 token endpoint answer outside the Open API
envelope, so the application routes them by path; the rest are ordinary routes.
"""

from shenpi.api.auth import auth_v3, authen

ROUTES = [*authen.ROUTES]

__all__ = ["ROUTES", "auth_v3", "authen"]
