"""The hooks the server offers a control plane, and the ASGI types they are written in.

A production server runs with none: the Open API dispatcher and the event delivery worker see ``None`` and go
straight on. With the admin API on, :mod:`shenpi.server` installs the control plane (:mod:`shenpi.control`) as these hooks,
which is how a test can fault Open API calls, read a journal of them, and lose event pushes — without the Open API
or the worker knowing that a testing package exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Poster(Protocol):
    """How an event callback is sent (shenpi/events/posting.py has the server's own)."""

    async def __call__(self, url: str, headers: Mapping[str, str], body: bytes, timeout_s: float) -> tuple[int, bytes]:
        """POST ``body``; the answer's status and (the start of) its body. Raises TimeoutError after
        ``timeout_s``, and any other exception when nothing came back (refused, reset, a bad URL)."""
        ...

    async def aclose(self) -> None: ...


class ServerHooks(Protocol):
    async def serve_http(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request by awaiting ``app(scope, receive, send)``, seeing what goes in and out."""

    async def before_call(self, scope: Scope, tenant_key: str, app_id: str, endpoint: str) -> None:
        """An Open API call whose token checked out, before scopes, rate limits and the handler run.

        It may wait, and it may raise an error, which the dispatcher answers exactly as it answers the real one;
        raised here, a call changes no state and counts against no rate-limit window. ``endpoint`` is the SDK
        method name (``approval.v4.task.approve``)."""

    def delivery_poster(self) -> Poster | None:
        """What the event delivery worker pushes callbacks with; ``None`` lets the worker use its own."""

    async def aclose(self) -> None:
        """The server is stopping: release what the hooks hold (the delivery client)."""
