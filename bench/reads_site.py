"""Part (f)'s sites and probes: one store size's database and ``shenpi serve``, and the exact requests to measure.

A probe is one fixed request — a list's first page, or its 50th page with the page_token that following the list
from its first page gave — that wrk sends again and again (bench/reads.lua). Tokens are captured before the
measurements, one request at a time, each on a new connection.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench import data
from bench.reads_data import BUSY, EXT_APP, EXT_APPROVAL, EXT_SECRET, PASSWORD, SINGLE, load
from bench.run import PY, ROOT, free_port, tenant_token

PAGE, DEEP, INBOX_PAGE = 10, 50, 20
V4 = "/open-apis/approval/v4"
GET_ONE = "GET instances/:id"


def _apaas_id(user_id: str) -> str:
    from shenpi.ids import derived_apaas_user_id
    return derived_apaas_user_id(data.TENANT, user_id)


# (name, method, path, body, credential): every list endpoint, each read as the big tenant's heavy user (bob; alice
# for what she submitted), with a credential: "tenant" (the bench app's tenant token), "ext" (the external tenant's
# app), or a user id (that user's user_access_token). Pages are page_size 10 and follow page_token, except aPaaS's
# user_task/query, whose body pages by offset.
API: list[tuple[str, str, str, dict[str, Any] | None, str]] = [
    ("GET instances", "GET", f"{V4}/instances?approval_code={data.APPROVAL}&start_time=0&end_time=9999999999999",
     None, "tenant"),
    ("instances/query", "POST", f"{V4}/instances/query?user_id_type=user_id", {"approval_code": data.APPROVAL},
     "tenant"),
    ("tasks/search", "POST", f"{V4}/tasks/search?user_id_type=user_id", {"user_id": "bob"}, "tenant"),
    ("tasks/search done", "POST", f"{V4}/tasks/search?user_id_type=user_id",
     {"user_id": "bob", "task_status": "PROCESSED"}, "tenant"),
    ("instances/search_cc", "POST", f"{V4}/instances/search_cc?user_id_type=user_id", {"user_id": "bob"}, "tenant"),
    ("tasks/query to do", "GET", f"{V4}/tasks/query?user_id_type=user_id&user_id=bob&topic=1", None, "tenant"),
    ("tasks/query done", "GET", f"{V4}/tasks/query?user_id_type=user_id&user_id=bob&topic=2", None, "tenant"),
    ("tasks/query 10^2 user", "GET", f"{V4}/tasks/query?user_id_type=user_id&user_id=carol&topic=2", None, "tenant"),
    ("instances/initiated", "GET", f"{V4}/instances/initiated?user_id_type=user_id", None, "alice"),
    ("GET tasks to do", "GET", f"{V4}/tasks?user_id_type=user_id&topic=1", None, "bob"),
    ("GET tasks done", "GET", f"{V4}/tasks?user_id_type=user_id&topic=2", None, "bob"),
    ("comments", "GET", f"{V4}/instances/{BUSY}/comments?user_id_type=user_id&user_id=bob", None, "tenant"),
    ("GET external_tasks", "GET", f"{V4}/external_tasks", {"approval_codes": [EXT_APPROVAL]}, "ext"),
    ("user_task/query", "POST", "/open-apis/apaas/v1/user_task/query",
     {"type": "pending", "source": "assignMe", "kunlun_user_id": "bob"}, "tenant"),
]
# (name, user, path, deep page): the web inbox's lists, 20 rows a page, signed in; the next page follows the
# page's "next" link (a keyset cursor). At 10^3 bob has 500 tasks to do and 500 done: 25 pages each.
INBOX = [("inbox to do", "bob", "/inbox/todo", 25), ("inbox done", "bob", "/inbox/done", 25),
         ("inbox CC", "bob", "/inbox/cc", DEEP), ("inbox started", "alice", "/inbox/started", DEEP)]
# At the large size only: a person's inbox with 10^4 tasks (bob) against one with 10^2 (carol), at the first page
# and at bob's 50th against carol's last full page (she has 50 to do and 50 done: her 2nd).
USERS = [("inbox to do", "/inbox/todo"), ("inbox done", "/inbox/done")]
CAROL_LAST = 2
_NEXT = re.compile(r'rel="next" href="\?([^"]+)"')


@dataclass
class Probe:
    name: str  # the list
    page: str  # "first" | "deep"
    number: int  # the page's number (1 for the first)
    method: str
    path: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    html: bool = False  # an inbox page (checked by status), not the API's {"code":0,...}


class Site:
    """One size's database and server (one worker, no delivery worker), the credentials to read it, and its
    probes."""

    def __init__(self, backend: str, size: int, pg_admin: str | None, work: Path) -> None:
        self.backend, self.size, self.pg_admin = backend, size, pg_admin
        self.database = data.database_name(f"shenpi_bench_reads_{size}")
        if backend == "sqlite":
            self.url = f"sqlite:///{work / f'reads-{size}.db'}"
        else:
            assert pg_admin
            self.url = asyncio.run(data.pg_recreate(pg_admin, self.database))
        started = time.time()
        user_tokens = asyncio.run(load(self.url, size))
        self.load_s = round(time.time() - started, 1)
        print(f"  {backend} {size:,}: loaded in {self.load_s:.0f} s", flush=True)
        self.proc, self.base = serve(self.url, work / f"reads-{backend}-{size}.log")
        self.credentials = {"tenant": tenant_token(self.base), "ext": _app_token(self.base, EXT_APP, EXT_SECRET),
                            **user_tokens}
        self.cookies = {u: signed_in(self.base, u) for u in ("alice", "bob", "carol")}
        self.loop = asyncio.new_event_loop()
        self.db: Any = None
        if backend == "postgres":
            import asyncpg
            self.db = self.loop.run_until_complete(asyncpg.connect(self.url))

    def db_pids(self) -> list[int]:
        """The PostgreSQL backends that serve the server's connections (none on SQLite)."""
        if self.db is None:
            return []
        found = self.loop.run_until_complete(self.db.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"))
        return [int(r[0]) for r in found]

    def probes(self, large: bool) -> list[Probe]:
        """Every list's first page and its deep page (none when the list is shorter), GET instances/:id, and at
        the large size the inbox of the 10^2-task user beside the 10^4 one's 50th page."""
        out = [Probe(GET_ONE, "first", 1, "GET", f"{V4}/instances/{SINGLE}?user_id_type=user_id",
                     headers=self._auth("tenant"))]
        with httpx.Client(base_url=self.base, timeout=60, limits=httpx.Limits(max_keepalive_connections=0)) as c:
            for name, method, path, body, who in API:
                out += self._api_pages(c, name, method, path, body, who)
            for name, user, path, deep in INBOX:
                out += self._inbox_pages(c, name, user, path, [(1, "first"), (deep, "deep")])
            if large:
                for name, path in USERS:
                    out += self._inbox_pages(c, f"{name}, 10^4 tasks", "bob", path, [(1, "first"), (DEEP, "deep")])
                    out += self._inbox_pages(c, f"{name}, 10^2 tasks", "carol", path,
                                             [(1, "first"), (CAROL_LAST, "deep")])
        return out

    def _auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials[who]}", "Content-Type": "application/json; charset=utf-8"}

    def _api_pages(self, c: httpx.Client, name: str, method: str, path: str, body: dict[str, Any] | None,
                   who: str) -> list[Probe]:
        headers = self._auth(who)
        sep = "&" if "?" in path else "?"
        if name == "user_task/query":
            assert body is not None
            body = {**body, "kunlun_user_id": _apaas_id(str(body["kunlun_user_id"])), "limit": str(PAGE)}
            first, deep = ({**body, "offset": str(offset)} for offset in (0, (DEEP - 1) * PAGE))
            for b in (first, deep):
                _answer(c.request(method, path, json=b, headers=headers), name)
            return [Probe(name, "first", 1, method, path, _json(first), headers),
                    Probe(name, "deep", DEEP, method, path, _json(deep), headers)]
        text = _json(body) if body is not None else ""
        first = f"{path}{sep}page_size={PAGE}"
        out = [Probe(name, "first", 1, method, first, text, headers)]
        at, page = first, 1
        while page < DEEP:
            token = _answer(c.request(method, at, content=text.encode() or None, headers=headers), name)
            if not token.get("page_token"):
                return out
            at, page = f"{first}&page_token={quote(str(token['page_token']), safe='')}", page + 1
        return [*out, Probe(name, "deep", DEEP, method, at, text, headers)]

    def _inbox_pages(self, c: httpx.Client, name: str, user: str, path: str,
                     pages: list[tuple[int, str]]) -> list[Probe]:
        headers = {"Accept": "text/html", "Cookie": self.cookies[user]}
        out, at, page = [], path, 1
        wanted = dict(pages)
        while True:
            if page in wanted:
                out.append(Probe(name, wanted[page], page, "GET", at, "", headers, html=True))
            if page >= max(wanted):
                return out
            r = c.get(at, headers=headers)
            following = _NEXT.search(r.text)
            if r.status_code != 200 or following is None:
                return out
            at, page = f"{path}?{following.group(1).replace('&amp;', '&')}", page + 1

    def close(self) -> None:
        if self.db is not None:
            self.loop.run_until_complete(self.db.close())
        self.loop.close()
        self.proc.terminate()
        self.proc.wait(20)
        if self.backend == "postgres" and self.pg_admin:
            asyncio.run(data.pg_drop(self.pg_admin, self.database))


def _json(body: dict[str, Any] | None) -> str:
    import json
    return json.dumps(body, separators=(",", ":")) if body is not None else ""


def _answer(r: httpx.Response, name: str) -> dict[str, Any]:
    answer = r.json()
    if answer.get("code") != 0:
        raise RuntimeError(f"{name}: {r.request.url}: {answer}")
    return dict(answer.get("data") or {})


def serve(url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([PY, "-m", "shenpi", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", url,
                             "--rate-limit-scale", "0", "--log-level", "warning", "--no-events"],
                            stdout=open(log, "ab"), stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                return proc, base
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError(log.read_text())


def _app_token(base: str, app_id: str, secret: str) -> str:
    r = httpx.post(f"{base}/open-apis/auth/v3/tenant_access_token/internal",
                   json={"app_id": app_id, "app_secret": secret}, timeout=30)
    return str(r.json()["tenant_access_token"])


def signed_in(base: str, user_id: str) -> str:
    """The Cookie header of a web inbox session (the sign-in form, with its CSRF token)."""
    with httpx.Client(base_url=base, timeout=30, headers={"Accept": "text/html"}) as client:
        form = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert form, "no sign-in form"
        r = client.post("/login", data={"csrf_token": form.group(1), "tenant_key": data.TENANT, "user_id": user_id,
                                        "password": PASSWORD})
        if r.status_code != 303:
            raise RuntimeError(f"sign-in as {user_id}: {r.status_code}")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())
