"""A real shenpi server for a test: ``with shenpi.testing.run(seed) as srv:``.

The server runs in a background thread of the test process (uvicorn on its own event loop, SQLite in a temporary
directory, on a free port of 127.0.0.1), so it starts in well under a second and needs no other process. Tests talk
to it over HTTP exactly as an app talks to Feishu; :class:`ShenpiServer` wraps the admin API for them.
"""

from __future__ import annotations

import copy
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import lark_oapi  # type: ignore[import-untyped]  # the SDK ships no type information


class AdminCallError(RuntimeError):
    """The admin API refused a call; ``status`` and ``msg`` are its answer."""

    def __init__(self, status: int, msg: str) -> None:
        super().__init__(f"{status}: {msg}")
        self.status, self.msg = status, msg


def forget_sdk_tokens(app_ids: list[str] | None = None) -> None:
    """Make lark-oapi fetch its tokens again (all of them, or those of ``app_ids``).

    Seldom needed (:meth:`ShenpiServer.reset` does it for the seed's apps): lark-oapi caches tokens process-wide by
    app_id whatever the domain, and every shenpi that knows an app (same id, tenant and secret) accepts the tokens
    any other issued for it. What the SDK cannot know is a server clock moved past its token's expiry, or a secret
    changed under it: it keeps sending the token (each call answers 99991663) until its own wall-clock copy
    expires. Works with any cache an app installed (``Client.builder().cache(...)``): an entry set to expire at 0
    is read as absent. Does nothing when lark-oapi was never imported.
    """
    if "lark_oapi" not in sys.modules:
        return
    from lark_oapi.core.token.manager import TokenManager  # type: ignore[import-untyped]

    cache = TokenManager.cache
    if app_ids is None:
        inner = getattr(cache, "cache", None)
        if isinstance(inner, dict):
            inner.clear()
            return
        app_ids = []
    for app_id in app_ids:
        for kind in ("self_tenant_token", "self_app_token"):
            cache.set(f"{kind}:{app_id}", "", 0)


def _seed_apps(seed: dict[str, Any]) -> list[tuple[str, str]]:
    """(app id, secret) of every app in a seed; "" for a secret a redacted export left out (not a string there)."""
    return [(str(a["app_id"]), a["app_secret"] if isinstance(a.get("app_secret"), str) else "")
            for t in seed.get("tenants") or [] for a in t.get("apps") or [] if isinstance(a, dict) and "app_id" in a]


class ShenpiServer:
    """A running shenpi server as a test sees it: where it is, SDK clients, and the admin API."""

    def __init__(self, base_url: str, admin_token: str, seed: dict[str, Any], *,
                 verify: ssl.SSLContext | bool = True) -> None:
        self.base_url = base_url
        self.admin_token = admin_token
        self._seed = copy.deepcopy(seed)
        # Secrets seen in any seed: resetting to a redacted export keeps the server's secrets, and so do clients.
        self._secrets = {app_id: secret for app_id, secret in _seed_apps(seed) if secret}
        # TCP_NODELAY: httpx sends a POST's headers and body in two writes; with Nagle on, the body waits ~40 ms for
        # the server's delayed ACK, which would make every reset cost 40 ms instead of one or two.
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)], verify=verify)
        self._http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60,
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    # -- the SDK ------------------------------------------------------------------------------------
    @property
    def seed(self) -> dict[str, Any]:
        """The seed the server resets to (a copy)."""
        return copy.deepcopy(self._seed)

    def app_ids(self) -> list[str]:
        return [app_id for app_id, _ in _seed_apps(self._seed)]

    def client(self, app_id: str | None = None, *, log_level: Any = None) -> lark_oapi.Client:
        """A ``lark_oapi.Client`` for an app of the seed (the first one by default), pointed at this server."""
        import lark_oapi as lark  # type: ignore[import-untyped,unused-ignore]

        apps = dict(_seed_apps(self._seed))
        if not apps:
            raise LookupError("the seed has no apps")
        app_id = app_id or next(iter(apps))
        if app_id not in apps:
            raise LookupError(f"app {app_id!r} is not in the seed (it has {', '.join(apps)})")
        secret = apps[app_id] or self._secrets.get(app_id, "")
        return (lark.Client.builder().app_id(app_id).app_secret(secret).domain(self.base_url)
                .log_level(lark.LogLevel.ERROR if log_level is None else log_level).build())

    # -- the admin API ------------------------------------------------------------------------------
    def admin(self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        """Call ``/_shenpi/<path>`` and return its ``data``; AdminCallError when it refuses."""
        r = self._http.request(method, "/_shenpi/" + path.lstrip("/"), json=json,
                               params={k: v for k, v in (params or {}).items() if v is not None})
        body = r.json()
        if r.status_code != 200:
            raise AdminCallError(r.status_code, body.get("msg", r.text) if isinstance(body, dict) else r.text)
        return body["data"] if isinstance(body, dict) and "code" in body and "data" in body else body

    def reset(self, seed: dict[str, Any] | None = None) -> dict[str, Any]:
        """Back to the seed in a few milliseconds: state, clock, faults, journal, rate-limit windows.

        ``seed`` replaces the seed from now on (the first reset with a new seed applies it; later ones are fast).
        Tokens of apps that still exist (same id, tenant and secret) stay valid to their expiry: a client elsewhere
        (another process, Node) keeps the token it holds. lark-oapi in this process starts each test afresh all the
        same: its cached tokens of the seed's apps are dropped, so that a test that moves the clock finds the SDK
        holding the token it fetches in that test, not one an earlier test left, whatever ran before it.
        """
        if seed is not None and seed != self._seed:
            answer = self.admin("POST", "reset", {"seed": seed})
            self._seed = copy.deepcopy(seed)
            self._secrets.update((app_id, secret) for app_id, secret in _seed_apps(seed) if secret)
        else:
            answer = self.admin("POST", "reset", {})
        forget_sdk_tokens(sorted(set(self.app_ids()) | set(answer.get("pruned_token_apps") or [])))
        return dict(answer)

    def advance_clock(self, seconds: float) -> int:
        """Move the server's clock forward; returns the new server time in ms. Reset puts it back."""
        return int(self.admin("POST", "clock", {"advance_seconds": seconds})["now_ms"])

    def now_ms(self) -> int:
        return int(self.admin("GET", "clock")["now_ms"])

    def fault(self, endpoint: str = "*", code: int | None = None, *, tenant_key: str = "*", app_id: str | None = None,
              times: int | None = None, probability: float | None = None, latency_ms: int | None = None,
              msg: str | None = None, http_status: int | None = None, headers: dict[str, str] | None = None,
              seed: int | None = None) -> dict[str, Any]:
        """Make ``endpoint`` (an SDK method name like ``approval.v4.task.approve``; wildcards allowed) answer
        ``code`` and/or wait ``latency_ms``, on the next ``times`` calls or with ``probability``. Reset clears it."""
        body = {"endpoint": endpoint, "code": code, "tenant_key": tenant_key, "app_id": app_id, "times": times,
                "probability": probability, "latency_ms": latency_ms, "msg": msg, "http_status": http_status,
                "headers": headers, "seed": seed}
        return dict(self.admin("POST", "faults", {k: v for k, v in body.items() if v is not None}))

    def drop_events(self, *, tenant_key: str = "*", app_id: str | None = None, times: int | None = None,
                    probability: float | None = None, seed: int | None = None) -> dict[str, Any]:
        """Lose event pushes (each counts as a failed delivery attempt) on the next ``times`` or with ``probability``."""
        body = {"drop_events": True, "tenant_key": tenant_key, "app_id": app_id, "times": times,
                "probability": probability, "seed": seed}
        return dict(self.admin("POST", "faults", {k: v for k, v in body.items() if v is not None}))

    def faults(self) -> list[dict[str, Any]]:
        return list(self.admin("GET", "faults")["items"])

    def clear_faults(self, fault_id: int | None = None) -> None:
        self.admin("DELETE", "faults" if fault_id is None else f"faults/{fault_id}")

    def journal(self, *, limit: int = 100, tenant_key: str | None = None, endpoint: str | None = None,
                app_id: str | None = None) -> list[dict[str, Any]]:
        """The last requests and their answers, oldest first (token requests included, secrets masked)."""
        return list(self.admin("GET", "journal", params={"limit": limit, "tenant_key": tenant_key,
                                                          "endpoint": endpoint, "app_id": app_id})["items"])

    def outbox(self, *, tenant_key: str | None = None, instance_code: str | None = None, after_id: int = 0,
               limit: int = 100) -> list[dict[str, Any]]:
        return list(self.admin("GET", "outbox", params={"tenant_key": tenant_key, "instance_code": instance_code,
                                                        "after_id": after_id, "limit": limit})["items"])

    def redeliver(self, ids: list[int], tenant_key: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"ids": ids} if tenant_key is None else {"ids": ids, "tenant_key": tenant_key}
        return dict(self.admin("POST", "outbox/redeliver", body))

    def export_state(self, *, include_secrets: bool = False) -> dict[str, Any]:
        """The whole state as a snapshot (also a valid seed: ``reset(seed=snapshot)`` makes it the baseline), its
        secrets redacted unless ``include_secrets``; a redacted one keeps the server's secrets when imported."""
        return dict(self.admin("GET", "export", params={"include_secrets": 1 if include_secrets else None}))

    def import_state(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        return dict(self.admin("POST", "import", snapshot))

    def health(self) -> dict[str, Any]:
        return dict(self.admin("GET", "health"))


class _ThreadedServer:
    """uvicorn serving an ASGI app on a pre-bound socket, in a daemon thread with its own event loop."""

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        import uvicorn

        # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when the listening socket
        # says it is TCP, and without it every kept-alive answer waits ~40 ms for a delayed ACK (Nagle).
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))  # the OS picks a free port, and nobody can take it before we listen
        self.port = int(self.sock.getsockname()[1])
        # h11 and asyncio named, not uvicorn's "auto": with httptools installed (uvicorn[standard]) auto picks it,
        # and its answers carry header names in lower case, where lark-oapi looks for X-Tt-Logid as Feishu writes it.
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", server_header=False,
                                http="h11", loop="asyncio")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       name=f"shenpi-server-{self.port}", daemon=True)

    def start(self, timeout_s: float = 60.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("shenpi failed to start (see the log above)")
            if time.monotonic() > deadline:
                raise RuntimeError("shenpi did not start in time")
            time.sleep(0.002)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@contextmanager
def run(seed: dict[str, Any] | None = None, *, admin_token: str | None = None, rate_limit_scale: float = 1.0,
        workdir: str | None = None) -> Iterator[ShenpiServer]:
    """An isolated shenpi server for the duration of the block, seeded with ``seed`` (the demo seed by default).

    ``seed`` may be a seed (the seed-file shape) or a snapshot from :meth:`ShenpiServer.export_state`.
    The database lives in ``workdir`` (a fresh temporary directory, removed afterwards, by default).
    """
    import secrets

    from shenpi.demo import demo_seed
    from shenpi.server import ServerConfig, build_app  # here, so that loading the pytest plugin stays light

    token = admin_token or secrets.token_hex(16)
    tmp = workdir or tempfile.mkdtemp(prefix="shenpi-test-")
    seed = demo_seed() if seed is None else seed
    config = ServerConfig(db=f"sqlite:///{tmp}/shenpi.db", seed=seed, admin_token=token,
                          rate_limit_scale=rate_limit_scale, start_from_seed=True)
    threaded = _ThreadedServer(build_app(config))
    try:
        threaded.start()
        srv = ShenpiServer(f"http://127.0.0.1:{threaded.port}", token, seed)
        try:
            yield srv
        finally:
            srv.close()
    finally:
        threaded.stop()
        if workdir is None:
            shutil.rmtree(tmp, ignore_errors=True)
