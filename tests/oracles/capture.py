"""Every answer the SDK-driven suite sees, as lark-oapi saw it: a wrapper around lark-oapi's one transport.

lark-oapi sends every call (typed methods, ``client.request`` and its own token fetches) through
``lark_oapi.core.http.Transport.execute`` (``aexecute`` when async), with the request's URI template
(``/open-apis/approval/v4/instances/:instance_id``) and method. The wrapper keeps the raw body of each answer beside
the Route the template names, so the oracles can check exactly the bytes the SDK decoded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lark_oapi.core.http import Transport

from shenpi.api.app import ROUTES
from shenpi.api.wire import Router


def _shape(path: str) -> str:
    return re.sub(r":\w+", ":", path)


_ENDPOINTS = {(r.method, _shape(r.path)): r.endpoint for r in ROUTES}
_ROUTER = Router(ROUTES)  # for calls made with a filled-in path (client.request with a literal URI)


def endpoint_of(method: str, uri: str) -> str | None:
    """The Route.endpoint a lark-oapi request goes to: by its URI template, else by the path itself."""
    found = _ENDPOINTS.get((method, _shape(uri)))
    if found is None:
        route, _, _ = _ROUTER.match(method, urlsplit(uri).path)
        found = route.endpoint if route is not None else None
    return found


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: where it came from (the server's base URL), which endpoint, its status and its raw body."""

    server: str
    endpoint: str
    status: int
    body: bytes


@dataclass
class Recorder:
    """Installs itself around lark-oapi's transport; ``answers`` grows with every routed call."""

    answers: list[Answer] = field(default_factory=list)
    unrouted: set[str] = field(default_factory=set)  # token endpoints and the like, answered outside the routes
    _saved: tuple[Any, Any] | None = None

    def _keep(self, conf: Any, req: Any, resp: Any) -> None:
        method = str(req.http_method.name)
        endpoint = endpoint_of(method, req.uri)
        if endpoint is None:
            self.unrouted.add(f"{method} {req.uri}")
            return
        self.answers.append(Answer(conf.domain, endpoint, resp.status_code, bytes(resp.content or b"")))

    def install(self) -> None:
        execute, aexecute = Transport.execute, Transport.aexecute
        self._saved = (execute, aexecute)
        recorder = self

        def recorded(conf: Any, req: Any, option: Any = None) -> Any:
            resp = execute(conf, req, option)
            recorder._keep(conf, req, resp)
            return resp

        async def arecorded(conf: Any, req: Any, option: Any = None) -> Any:
            resp = await aexecute(conf, req, option)
            recorder._keep(conf, req, resp)
            return resp

        Transport.execute = staticmethod(recorded)  # type: ignore[method-assign,assignment]
        Transport.aexecute = staticmethod(arecorded)  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        if self._saved is not None:
            Transport.execute, Transport.aexecute = (staticmethod(f) for f in self._saved)  # type: ignore[method-assign,assignment]
            self._saved = None
