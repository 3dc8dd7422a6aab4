"""Part (f): what a read costs as the store grows. ``python -m bench.reads [--sizes 1000,100000] [--backends ...]``

For each size, a fresh database holds that many instances: one big tenant (``bench``) with up to 10^5 of them, all
submitted by alice, and the rest spread over filler tenants of 10^4 each (10^6 = the big tenant and 90 fillers).
In the big tenant bob is the approver of up to 10^4 instances (one task each, every 50th still PENDING, the rest
APPROVED) and is CC'd on as many; carol approves 10^2; the rest belong to other users. Rows are written in bulk
(executemany on SQLite, COPY on PostgreSQL), not through the API: rows with shenpi's columns and an empty flow
state, which the lists read like any other.

Then a ``shenpi serve`` per size (one worker each) answers each list endpoint, one request at a time, each on a new
connection: the first page, and the 50th page (page_size 10) reached by following page_token from the first;
and the web inbox's lists, signed in, on their first and a deep numbered page.
Each figure is the p50/p99 of ``--requests`` identical requests and the server's CPU per request (from /proc),
the best of ``--repeat`` rounds; the sizes' servers run side by side and their rounds alternate. The target: at
the large size each p50 is at most 1.3x its p50 at 10^3.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bench import data
from bench.run import PY, ROOT, free_port, process_cpu, tenant_token

BIG, FILLER, HEAVY, LIGHT = 100_000, 10_000, 10_000, 100
PAGE = 10
T0 = 1_700_000_000_000
V4 = "/open-apis/approval/v4"
# (name, method, path, body): the lists of approval v4, each for the big tenant's heavy user or approval
ENDPOINTS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("GET instances", "GET", f"{V4}/instances?approval_code={data.APPROVAL}&start_time=0&end_time={T0 * 2}", None),
    ("instances/query", "POST", f"{V4}/instances/query?user_id_type=user_id", {"approval_code": data.APPROVAL}),
    ("tasks/search", "POST", f"{V4}/tasks/search?user_id_type=user_id", {"user_id": "bob"}),
    ("tasks/search done", "POST", f"{V4}/tasks/search?user_id_type=user_id",
     {"user_id": "bob", "task_status": "PROCESSED"}),
    ("search_cc", "POST", f"{V4}/instances/search_cc?user_id_type=user_id", {"user_id": "bob"}),
    ("tasks/query to do", "GET", f"{V4}/tasks/query?user_id_type=user_id&user_id=bob&topic=1", None),
    ("tasks/query done", "GET", f"{V4}/tasks/query?user_id_type=user_id&user_id=bob&topic=2", None),
    ("tasks/query light user", "GET", f"{V4}/tasks/query?user_id_type=user_id&user_id=carol&topic=2", None),
]


# (user, name, path, a deep page): the web inbox's lists, 20 rows a page; bob has 980 done tasks at 10^3, so his
# deep pages are the 45th (rows 881-900), alice's started list the 50th; his 20 to-do tasks fill one page (0: none)
INBOX = [("bob", "inbox to do", "/inbox/todo", 0), ("bob", "inbox done", "/inbox/done", 45),
         ("bob", "inbox CC", "/inbox/cc", 45), ("alice", "inbox started", "/inbox/started", 50)]
PASSWORD = "bench-password"


def seed() -> dict[str, Any]:
    s = data.bench_seed()
    tenant = s["tenants"][0]
    tenant["users"] += [{"user_id": u, "name": u.title()} for u in ("carol", "dave")]
    for user in tenant["users"]:
        user["password"] = PASSWORD
    tenant["apps"][0]["scopes"] = [*data.SCOPES, "approval:approval.list:readonly", "approval:approval:readonly",
                                   "approval:instance", "approval:task:list_by_user"]
    return s


def rows(size: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Instances, tasks and CC records for ``size`` instances."""
    big = min(size, BIG)
    instances, tasks, ccs = [], [], []
    for n in range(size):
        tenant = data.TENANT if n < big else f"filler{(n - big) // FILLER:03d}"
        code, at = f"{n:08d}-0000-4000-8000-000000000000", T0 + n * 1000
        who = "bob" if n < min(big, HEAVY) else "carol" if n < min(big, HEAVY + LIGHT) else "dave"
        pending = n % 50 == 0
        instances.append((code, tenant, data.APPROVAL, data.SUBMITTER, "PENDING" if pending else "APPROVED",
                          data.FORM, at, 0 if pending else at + 500))
        tasks.append((str(data.TASK_ID_BASE + n), tenant, code, "lead", who, "PENDING" if pending else "APPROVED",
                      "AND", at, 0 if pending else at + 500))
        if who == "bob":
            ccs.append((tenant, code, data.APPROVAL, who, data.SUBMITTER, at, "UNREAD" if n % 3 else "READ"))
    return instances, tasks, ccs


_INSERTS = (
    "INSERT INTO instances (code, tenant_key, approval_code, user_id, status, form, start_time, end_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO tasks (id, tenant_key, instance_code, node_key, user_id, status, type, start_time, end_time) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO ccs (tenant_key, instance_code, approval_code, user_id, from_user_id, create_time, read_status) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)",
)
_COPY = (("instances", ["code", "tenant_key", "approval_code", "user_id", "status", "form", "start_time", "end_time"]),
         ("tasks", ["id", "tenant_key", "instance_code", "node_key", "user_id", "status", "type", "start_time",
                    "end_time"]),
         ("ccs", ["tenant_key", "instance_code", "approval_code", "user_id", "from_user_id", "create_time",
                  "read_status"]))


async def load(url: str, size: int) -> None:
    """The schema and seed through shenpi's own store, then the rows in bulk, then the planner's statistics."""
    from shenpi.app import Shenpi
    from shenpi.seed import apply_seed
    from shenpi.store import open_store
    store = open_store(url)
    await store.open()
    try:
        await apply_seed(Shenpi(store), seed())
    finally:
        await store.close()
    tables = rows(size)
    if url.startswith("sqlite"):
        import sqlite3
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        with conn:
            for sql, values in zip(_INSERTS, tables, strict=True):
                conn.executemany(sql, values)
        conn.execute("ANALYZE")
        conn.close()
    else:
        import asyncpg
        conn = await asyncpg.connect(url)
        for (table, columns), values in zip(_COPY, tables, strict=True):
            await conn.copy_records_to_table(table, records=values, columns=columns)
        await conn.execute("ANALYZE")
        await conn.close()


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
            time.sleep(0.1)
    raise RuntimeError(log.read_text())


def _ask(client: httpx.Client, method: str, path: str, body: dict[str, Any] | None, token: str) -> dict[str, Any]:
    sep = "&" if "?" in path else "?"
    r = client.request(method, f"{path}{sep}page_size={PAGE}" + (f"&page_token={token}" if token else ""),
                       json=body)
    answer = r.json()
    if answer.get("code") != 0:
        raise RuntimeError(f"{path}: {answer}")
    return dict(answer["data"])


def _html(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    if r.status_code != 200 or "<html" not in r.text:
        raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")


def signed_in(base: str, user_id: str) -> httpx.Client:
    """A web inbox session (the sign-in form, with its CSRF token), one connection per request as for the API."""
    client = httpx.Client(base_url=base, timeout=30, headers={"Accept": "text/html"},
                          limits=httpx.Limits(max_keepalive_connections=0))
    form = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert form, "no sign-in form"
    r = client.post("/login", data={"csrf_token": form.group(1), "tenant_key": data.TENANT, "user_id": user_id,
                                    "password": PASSWORD})
    if r.status_code != 303:
        raise RuntimeError(f"sign-in as {user_id}: {r.status_code}")
    return client


def _round(call: Callable[[], object], pid: int, requests: int) -> dict[str, float]:
    for _ in range(10):
        call()
    times = []
    cpu0 = sum(process_cpu([pid]).values())
    for _ in range(requests):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    cpu = sum(process_cpu([pid]).values()) - cpu0
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2), "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
            "cpu_us": round(cpu / requests * 1e6)}


class Site:
    """One size's database and server, and the clients that read it: one connection per request (on one
    keep-alive connection the answer's second segment waits for the client's delayed ACK, 40 ms, which would
    hide every other cost)."""

    def __init__(self, backend: str, size: int, pg_admin: str | None, work: Path) -> None:
        self.backend, self.size, self.pg_admin = backend, size, pg_admin
        self.database = data.database_name(f"shenpi_bench_reads_{size}")
        if backend == "sqlite":
            self.url = f"sqlite:///{work / f'reads-{size}.db'}"
        else:
            assert pg_admin
            self.url = asyncio.run(data.pg_recreate(pg_admin, self.database))
        started = time.time()
        asyncio.run(load(self.url, size))
        print(f"  {backend} {size}: loaded in {time.time() - started:.0f} s", flush=True)
        self.proc, base = serve(self.url, work / f"reads-{backend}-{size}.log")
        self.api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tenant_token(base)}"},
                                timeout=30, limits=httpx.Limits(max_keepalive_connections=0))
        self.web = {user_id: signed_in(base, user_id) for user_id in {u for u, _, _, _ in INBOX}}

    def calls(self) -> dict[str, tuple[Callable[[], object], Callable[[], object] | None]]:
        """Each list's first page and its deep one (None when the list is shorter)."""
        out: dict[str, tuple[Callable[[], object], Callable[[], object] | None]] = {}
        for name, method, path, body in ENDPOINTS:
            token, page = "", 1
            while page < 50:
                answered = _ask(self.api, method, path, body, token)
                if not answered.get("page_token"):
                    break
                token, page = answered["page_token"], page + 1
            out[name] = (partial(_ask, self.api, method, path, body, ""),
                         partial(_ask, self.api, method, path, body, token) if page == 50 else None)
        for user_id, name, path, deep in INBOX:
            web = self.web[user_id]
            out[name] = (partial(_html, web, path), partial(_html, web, f"{path}?page={deep}") if deep else None)
        return out

    def close(self) -> None:
        self.api.close()
        for web in self.web.values():
            web.close()
        self.proc.terminate()
        self.proc.wait(20)
        if self.backend == "postgres" and self.pg_admin:
            asyncio.run(data.pg_drop(self.pg_admin, self.database))


def run_backend(backend: str, sizes: list[int], requests: int, repeat: int, pg_admin: str | None,
                work: Path) -> dict[str, Any]:
    """Every size's server runs at once and each figure's rounds alternate between them, so a busy spell of the
    shared machine falls on every size alike; each figure is the best of its rounds."""
    sites = [Site(backend, n, pg_admin, work) for n in sizes]
    try:
        calls = [site.calls() for site in sites]
        out: dict[str, Any] = {str(n): {} for n in sizes}
        for name in calls[0]:
            for page in (0, 1):
                best: list[dict[str, float] | None] = [None] * len(sites)
                for _ in range(repeat):
                    for i, site in enumerate(sites):
                        call = calls[i][name][page]
                        if call is None:
                            continue
                        figures = _round(call, site.proc.pid, requests)
                        before = best[i]
                        best[i] = figures if before is None else {k: min(v, before[k]) for k, v in figures.items()}
                for i, n in enumerate(sizes):
                    out[str(n)].setdefault(name, {})["first" if page == 0 else "page50"] = best[i]
            print(f"  {backend} {name}: " + "; ".join(f"{n}: {out[str(n)][name]}" for n in sizes), flush=True)
        return out
    finally:
        for site in sites:
            site.close()


def ratios(results: dict[str, Any], small: str, large: str) -> list[str]:
    lines = []
    for name, figures in results[large].items():
        for page in ("first", "page50"):
            a, b = results[small][name][page], figures[page]
            if a and b:
                lines.append(f"{name} {page}: p50 {a['p50_ms']} -> {b['p50_ms']} ms ({b['p50_ms'] / a['p50_ms']:.2f}x), "
                             f"CPU {a['cpu_us']} -> {b['cpu_us']} us")
    return lines


def markdown(report: dict[str, Any], sizes: list[int], note: str) -> str:
    small, large = str(sizes[0]), str(sizes[-1])
    lines = [f"| backend | list | page | p50 ms at {small} | p50 ms at {large} | ratio | p99 ms at {small} / {large} "
             f"| CPU us/req at {small} / {large} |", "|---|---|---|---|---|---|---|---|"]
    for backend, results in report.items():
        for name, figures in results[large].items():
            for page in ("first", "page50"):
                a, b = results[small][name][page], figures[page]
                if a and b:
                    ratio = b["p50_ms"] / a["p50_ms"]
                    mark = "**" if round(ratio, 2) > 1.3 else ""  # the target missed
                    lines.append(f"| {backend} | {name} | {'1st' if page == 'first' else 'deep'} | {a['p50_ms']} | "
                                 f"{b['p50_ms']} | {mark}{ratio:.2f}x{mark} | {a['p99_ms']} / {b['p99_ms']} | "
                                 f"{a['cpu_us']} / {b['cpu_us']} |")
    return "\n".join(lines) + f"\n\n{note}\n"


def update_docs(table: str) -> None:
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8")
    start, end = "<!-- reads:table:start -->", "<!-- reads:table:end -->"
    head, rest = text.split(start, 1)
    doc.write_text(f"{head}{start}\n{table}{end}{rest.split(end, 1)[1]}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.reads", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,1000000", help="instances stored, comma-separated (default 10^3,10^6)")
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--requests", type=int, default=200, help="requests per figure (default 200)")
    p.add_argument("--repeat", type=int, default=2, help="rounds per figure, the best is kept (default 2)")
    p.add_argument("--pg-url", default=None)
    p.add_argument("--update-docs", action="store_true", help="write the table into docs/performance.md")
    a = p.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in a.backends.split(","):
            pg_admin = asyncio.run(data.pg_admin_url(a.pg_url)) if backend == "postgres" else None
            if backend == "postgres" and pg_admin is None:
                print("  PostgreSQL skipped: no server answers", flush=True)
                continue
            report[backend] = run_backend(backend, sizes, a.requests, a.repeat, pg_admin, Path(tmp))
            for line in ratios(report[backend], str(sizes[0]), str(sizes[-1])):
                print(f"  {backend}: {line}")
    out = ROOT / "bench" / "results" / f"{time.strftime('%Y%m%d-%H%M%S')}-reads.json"
    out.write_text(json.dumps(report, indent=1))
    print(f"  wrote {out}")
    if a.update_docs and report:
        note = (f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} with `python -m bench.reads --sizes {a.sizes} "
                f"--requests {a.requests} --repeat {a.repeat}` (`{out.relative_to(ROOT)}`); deep = the 50th page "
                "(the inbox: the page named in bench/reads.py).")
        update_docs(markdown(report, sizes, note))


if __name__ == "__main__":
    main(sys.argv[1:])
