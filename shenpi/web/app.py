"""The web app's routes, as one Starlette application that the server (``shenpi.server``) hands every
non-API path to.

Starlette here and not on the Open API: pages are few and heavier (templates, forms, cookies), so a framework's
routing and form parsing cost nothing that matters, while the Open API keeps its raw dispatcher.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from shenpi import ids
from shenpi.app import Shenpi
from shenpi.platform.errors import NotFound
from shenpi.web import sso
from shenpi.web.context import build_ctx
from shenpi.web.sso_config import SsoConfig
from shenpi.web.views import admin, admin_people, auth, designer, inbox, instance, notifications, start

_STATIC = Path(__file__).parent / "static"


async def root(request: Request) -> Response:
    return RedirectResponse("/inbox", status_code=302)


async def admin_root(request: Request) -> Response:
    return RedirectResponse("/admin/definitions", status_code=302)


class _Static(StaticFiles):
    """The package's CSS and JS. Cached for a day; the pages link them with ``?v=<version>`` so an upgrade
    is picked up at once."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=86400"
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """An unknown path: an HTML page for a browser, the Open API's JSON 404 for everything else (SDKs and
    scripts that mistyped a path keep getting the answer they parse)."""
    request = Request(scope, receive)
    if "text/html" in request.headers.get("accept", ""):
        ctx = await build_ctx(request)
        response: Response = ctx.problem(404, ctx.t("Page not found."))
    else:
        log_id = ids.log_id()
        # The Open API's envelope for an unknown path: {"code", "msg", "data", "error": {"log_id"}}.
        response = JSONResponse({"code": NotFound.code, "msg": NotFound.msg, "data": {}, "error": {"log_id": log_id}},
                                status_code=404, media_type="application/json; charset=utf-8",
                                headers={"X-Tt-Logid": log_id})
    await response(scope, receive, send)


Endpoint = Callable[[Request], Awaitable[Response]]

# Each page: what a GET shows and what a POST to it does (None: the method is not served there).
_PAGES: list[tuple[str, Endpoint | None, Endpoint | None]] = [
    ("/login", auth.login_form, auth.login),
    ("/login/switch", None, auth.switch_user),
    ("/login/sso/{provider}", sso.start, None),
    ("/login/sso/{provider}/callback", sso.callback, None),
    ("/logout", None, auth.logout),
    ("/inbox", inbox.inbox, None),
    ("/inbox/{tab}", inbox.inbox, inbox.approve_selected),
    ("/instances/{code}", instance.show, instance.act),
    ("/instances/{code}/files/{file_code}", instance.download, None),
    ("/start", start.choose, None),
    ("/start/{code}", start.form, start.submit),
    ("/admin/definitions", admin.definitions, None),
    ("/admin/definitions/new", admin.definition, admin.save_definition),
    ("/admin/definitions/{code}", admin.definition, admin.save_definition),
    ("/admin/definitions/{code}/design", designer.design, designer.design_post),
    ("/admin/definitions/{code}/versions/{version}", designer.version, None),
    ("/admin/definitions/{code}/export", designer.export, None),
    ("/admin/apps", admin.apps, None),
    ("/admin/outbox", admin.outbox, admin.redeliver),
    *admin_people.PAGES,
    ("/notifications", notifications.notifications, notifications.mark_all_read),
    ("/notifications/unread", notifications.unread, None),
    ("/notifications/preferences", notifications.preferences, notifications.save_preferences),
    ("/notifications/{note_id}", notifications.open_one, None),
]


def create_app(svc: Shenpi, *, demo: bool | None = None, sso_config: SsoConfig | None = None) -> Starlette:
    """The web app over ``svc``. ``demo`` (default: ``SHENPI_DEMO=1``, as ``shenpi serve --demo`` sets it)
    turns the sign-in page into a user switcher; ``sso_config`` names the identity providers (none by default)."""
    routes = [
        Route("/", root),
        Route("/admin", admin_root),
        *(Route(path, handler, methods=[method]) for path, shows, does in _PAGES
          for method, handler in (("GET", shows), ("POST", does)) if handler is not None),
        Mount("/static", app=_Static(directory=_STATIC), name="static"),
    ]
    # Room for the files of a form's attachment and image widgets; the server's body guard (10 MiB by default) is
    # the limit in force in front of it.
    app = Starlette(routes=routes, max_body_size=10 * 1024 * 1024 + 64 * 1024)
    app.router.default = not_found
    app.state.svc = svc
    app.state.demo = (os.environ.get("SHENPI_DEMO") == "1") if demo is None else demo
    app.state.sso = sso_config or SsoConfig()
    return app


WebASGI = Callable[[dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[[dict[str, Any]], Awaitable[None]]],
                   Awaitable[None]]


def asgi_app(svc: Shenpi, sso_config: SsoConfig | None = None) -> WebASGI:
    """:func:`create_app` typed with ``shenpi.api.wire``'s ASGI callables: the same protocol, which Starlette
    annotates with ``MutableMapping`` and the Open API's dispatcher with ``dict``."""
    return cast(WebASGI, create_app(svc, sso_config=sso_config))
