"""The web inbox: sign-in, the four inbox lists, instance pages with their actions, starting requests, and
admin pages — server-rendered HTML with a little progressive JavaScript, served by the same server as the API.

``shenpi.server`` hands it every path outside ``/open-apis/``, ``/_shenpi/`` and ``/healthz``.
"""

from shenpi.web.app import asgi_app, create_app

__all__ = ["asgi_app", "create_app"]
