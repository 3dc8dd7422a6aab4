"""Part (g): how long an event takes from its commit to its receiver's acknowledgement, on PostgreSQL.

    python -m bench.events [--rates 50,500] [--workers 1,2] [--modes callback,long_connection] [--duration 6]

For each way of receiving (``callback``: an HTTP POST to a receiver on 127.0.0.1; ``long_connection``: lark-oapi's
WebSocket client) and each number of workers, a fresh database and a ``shenpi serve --workers N`` whose one app is
subscribed to the benchmark's approval and takes the v1 instance and task events. A load generator then creates
instances through the API at a fixed rate, open loop (a request is sent on schedule whether or not earlier ones
were answered); each create commits two outbox rows (instance PENDING, task PENDING), so ``rate`` events/s is
``rate / 2`` creates/s. The receivers (bench/receivers.py, processes of their own) note each event's id and the
time it arrived.

The time of commit is the outbox row's ``created_at`` as the store wrote it: the command's clock reading, taken
just before its transaction (``time.time()``, in ms), on the same host clock as the receiver's. So each latency is
the receive time minus ``created_at``: commit to acknowledgement plus the transaction's own few milliseconds, never
less. p50 and p99 are over every event of the run (after the first second, which warms connections up). The
target: p99 at 500 events/s at most 1.5x p99 at 50 events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import data
from bench.run import DOC, PY, ROOT, Target, cpu_busy, free_port, log

CREATE_PATH = "/open-apis/approval/v4/instances?user_id_type=user_id"
EVENTS_PER_CREATE = 2
DB = data.database_name("shenpi_bench_events")
LC_APP, LC_SECRET = "cli_0123456789abcdef", "bench-ws-secret"


def events_seed(mode: str, receiver_url: str) -> dict[str, Any]:
    """The benchmark's seed with one more app, the one that receives: by callback at ``receiver_url``, or over a
    long connection; v1 instance and task events only (two per create)."""
    seed = data.bench_seed()
    app: dict[str, Any] = {"app_id": LC_APP, "app_secret": LC_SECRET, "scopes": data.SCOPES,
                           "event_types": ["approval_instance", "approval_task"]}
    if mode == "callback":
        app.update(event_url=receiver_url, event_mode="callback", verification_token="bench-token")
    else:
        app.update(event_mode="long_connection")
    seed["tenants"][0]["apps"].append(app)
    return seed


class Receiver:
    """A receiver process and the (event id, receive ms) lines it writes, read by a thread as they come."""

    def __init__(self, cmd: list[str]) -> None:
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, text=True)
        self.received: dict[str, float] = {}
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._ready.wait(30):
            raise RuntimeError(f"receiver {cmd} did not start")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("ready"):
                self._ready.set()
                continue
            eid, _, ms = line.strip().partition(" ")
            try:  # the SDK's own log lines go to stdout too
                self.received.setdefault(eid, float(ms))
            except ValueError:
                continue

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def generate(base_url: str, token: str, creates_per_s: float, seconds: float) -> dict[str, Any]:
    """Create instances at ``creates_per_s`` for ``seconds``, open loop; how many were sent, failed, late."""
    import httpx

    body = json.dumps({"approval_code": data.APPROVAL, "user_id": data.SUBMITTER, "form": data.FORM}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=utf-8"}
    failed: list[str] = []
    n = int(creates_per_s * seconds)
    async with httpx.AsyncClient(base_url=base_url, limits=httpx.Limits(max_connections=256),
                                 timeout=30) as client:

        async def one() -> None:
            try:
                r = await client.post(CREATE_PATH, content=body, headers=headers)
                if r.status_code != 200 or r.json().get("code") != 0:
                    failed.append(r.text[:200])
            except Exception as e:  # noqa: BLE001 - counted, not raised
                failed.append(f"{type(e).__name__}: {e}")

        tasks = []
        start = time.perf_counter()
        late = 0
        for i in range(n):
            due = start + i / creates_per_s
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.05:
                late += 1
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return {"creates": n, "failed": len(failed), "first_failures": failed[:3], "late_sends": late,
            "send_seconds": round(time.perf_counter() - start, 2)}


async def commit_times(db_url: str, since_id: int) -> tuple[dict[str, int], int]:
    """Event id -> its outbox row's created_at, for the deliveries of outbox rows after ``since_id``; and the
    highest outbox id."""
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(db_url)
    try:
        rows = await conn.fetch("SELECT d.event_id, o.created_at FROM deliveries d JOIN outbox o ON o.id = d.outbox_id "
                                "WHERE o.id > $1", since_id)
        top = await conn.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
    finally:
        await conn.close()
    return {r["event_id"]: int(r["created_at"]) for r in rows}, int(top)


async def undelivered(db_url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(db_url)
    try:
        return int(await conn.fetchval(
            "SELECT (SELECT count(*) FROM outbox WHERE routed = 0) + "
            "(SELECT count(*) FROM deliveries WHERE state = 'pending')"))
    finally:
        await conn.close()


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def measure(target: Target, receiver: Receiver, db_url: str, rate: float, seconds: float,
            since_id: int) -> tuple[dict[str, Any], int]:
    busy = cpu_busy(0.5)
    cpu0 = target.cpu_seconds()
    load = asyncio.run(generate(target.url, target.token, rate / EVENTS_PER_CREATE, seconds))
    deadline = time.time() + 30
    while time.time() < deadline and asyncio.run(undelivered(db_url)):
        time.sleep(0.2)
    time.sleep(0.5)  # the last acknowledgements' lines
    cpu = target.cpu_seconds() - cpu0
    created, top = asyncio.run(commit_times(db_url, since_id))
    first = min(created.values(), default=0)
    lat = [receiver.received[e] - c for e, c in created.items() if e in receiver.received and c >= first + 1000]
    missing = sum(1 for e in created if e not in receiver.received)
    out = {"rate": rate, "events": len(created), "measured": len(lat), "missing": missing,
           "p50_ms": round(percentile(lat, 0.5), 2), "p99_ms": round(percentile(lat, 0.99), 2),
           "max_ms": round(max(lat, default=float("nan")), 2), "server_cpu_us_per_event":
           round(cpu / max(1, len(created)) * 1e6), "other_load": round(busy, 2), **load}
    return out, top


def run_config(mode: str, workers: int, rates: list[float], seconds: float, admin: str,
               work: Path) -> list[dict[str, Any]]:
    db_url = asyncio.run(data.pg_recreate(admin, DB))
    receiver: Receiver | None = None
    port = free_port()
    if mode == "callback":
        receiver = Receiver([PY, "-m", "bench.receivers", "callback", str(port)])
    seed_file = work / f"seed-{mode}.json"
    seed_file.write_text(json.dumps(events_seed(mode, f"http://127.0.0.1:{port}/event")), encoding="utf-8")
    target = Target(f"events-{mode}-{workers}w", "g", "shenpi", "postgres", workers, ("create",))
    results: list[dict[str, Any]] = []
    try:
        target.start(db_url, seed_file, work)
        _subscribe(target)
        if receiver is None:
            receiver = Receiver([PY, "-m", "bench.receivers", "long_connection", target.url, LC_APP, LC_SECRET])
            time.sleep(2)  # the client's connection is up (it prints ready before connecting)
        since = asyncio.run(commit_times(db_url, 0))[1]
        for rate in rates:
            r, since = measure(target, receiver, db_url, rate, seconds, since)
            r.update(mode=mode, workers=workers)
            log(f"  {mode} {workers}w {rate:g} events/s: p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms "
                f"({r['measured']} events, {r['missing']} missing, {r['failed']} creates failed)")
            results.append(r)
    finally:
        target.stop()
        if receiver is not None:
            receiver.stop()
        asyncio.run(data.pg_drop(admin, DB))
    return results


def _subscribe(target: Target) -> None:
    import urllib.request

    from bench.run import tenant_token

    token = tenant_token_for(target.url, LC_APP, LC_SECRET)
    req = urllib.request.Request(f"{target.url}/open-apis/approval/v4/approvals/{data.APPROVAL}/subscribe",
                                 data=b"{}", method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        answer = json.loads(r.read())
    if answer.get("code") != 0:
        raise RuntimeError(f"subscribe: {answer}")
    target.token = tenant_token(target.url)


def tenant_token_for(base_url: str, app_id: str, secret: str) -> str:
    import urllib.request

    req = urllib.request.Request(f"{base_url}/open-apis/auth/v3/tenant_access_token/internal",
                                 data=json.dumps({"app_id": app_id, "app_secret": secret}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return str(json.loads(r.read())["tenant_access_token"])


def summarize(results: list[dict[str, Any]], rates: list[float]) -> list[dict[str, Any]]:
    """Per mode and workers: p99 at the highest rate over p99 at the lowest (target <= 1.5x)."""
    out = []
    for key in sorted({(r["mode"], r["workers"]) for r in results}):
        by_rate = {r["rate"]: r for r in results if (r["mode"], r["workers"]) == key}
        low, high = by_rate.get(min(rates)), by_rate.get(max(rates))
        if low and high and low["p99_ms"] > 0:
            ratio = high["p99_ms"] / low["p99_ms"]
            out.append({"mode": key[0], "workers": key[1], "low_rate": low["rate"], "high_rate": high["rate"],
                        "p99_ratio": round(ratio, 2), "holds": ratio <= 1.5})
    return out


def markdown(report: dict[str, Any]) -> str:
    lines = ["| receiver | workers | events/s | p50 ms | p99 ms | max ms | events | server CPU us/event |",
             "|---|---|---|---|---|---|---|---|"]
    for r in report["results"]:
        lines.append(f"| {r['mode']} | {r['workers']} | {r['rate']:g} | {r['p50_ms']} | {r['p99_ms']} | "
                     f"{r['max_ms']} | {r['measured']:,} | {r['server_cpu_us_per_event']} |")
    lines += ["", "| receiver | workers | p99 at the high rate / at the low | <= 1.5x |", "|---|---|---|---|"]
    for s in report["summary"]:
        lines.append(f"| {s['mode']} | {s['workers']} | {s['p99_ratio']}x | {'yes' if s['holds'] else '**no**'} |")
    return "\n".join(lines) + "\n"


def run(rates: list[float], workers: list[int], modes: list[str], seconds: float,
        pg_url: str | None = None) -> dict[str, Any]:
    admin = asyncio.run(data.pg_admin_url(pg_url))
    if admin is None:
        return {"skipped": "no PostgreSQL answers at 127.0.0.1:5432"}
    started = time.time()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="shenpi-bench-events-") as tmp:
        for mode in modes:
            for w in workers:
                log(f"(g) {mode}, {w} worker(s)")
                results.extend(run_config(mode, w, rates, seconds, admin, Path(tmp)))
    return {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "elapsed_s": round(time.time() - started, 1),
            "settings": {"rates": rates, "workers": workers, "modes": modes, "duration_s": seconds},
            "results": results, "summary": summarize(results, rates)}


def update_docs(report: dict[str, Any]) -> None:
    """Rewrite the part (g) table in docs/performance.md, between its markers."""
    start, end = "<!-- events:table:start -->", "<!-- events:table:end -->"
    text = DOC.read_text(encoding="utf-8")
    if start not in text or end not in text:
        text += f"\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    s = report["settings"]
    loads = ", ".join(format(r["other_load"], ".0%") for r in report["results"])
    note = (f"\nMeasured {report['when']} with `{report['command']}` in {report['elapsed_s']:.0f} s: "
            f"{s['duration_s']:g} s of load per rate; other work on the machine before each run: {loads} of its CPU."
            "\n")
    DOC.write_text(f"{head}{start}\n{markdown(report)}{note}{end}{tail}", encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__.split("\n\n")[0] if __doc__ else "")
    p.add_argument("--rates", default="50,500", help="events per second, comma-separated (default 50,500)")
    p.add_argument("--workers", default="1,2", help="shenpi workers, comma-separated (default 1,2)")
    p.add_argument("--modes", default="callback,long_connection", help="callback, long_connection or both")
    p.add_argument("--duration", type=float, default=6.0, help="seconds of load per rate (default 6)")
    p.add_argument("--pg-url", default=None, help="as for python -m bench")
    p.add_argument("--tag", default="", help="name the results file <time>-events-TAG.json")
    p.add_argument("--update-docs", action="store_true", help="write the table into docs/performance.md")
    a = p.parse_args(argv)
    a.rates = [float(x) for x in a.rates.split(",") if x]
    a.workers = [int(x) for x in a.workers.split(",") if x]
    a.modes = [m.strip() for m in a.modes.split(",") if m.strip()]
    return a


def main(argv: list[str] | None = None) -> dict[str, Any]:
    a = parse_args(argv)
    report = run(a.rates, a.workers, a.modes, a.duration, a.pg_url)
    report["command"] = " ".join(["python -m bench.events", *(argv if argv is not None else sys.argv[1:])])
    if "results" in report:
        print(markdown(report))
        out = ROOT / "bench" / "results" / (time.strftime("%Y%m%d-%H%M%S") + "-events"
                                            + (f"-{a.tag}" if a.tag else "") + ".json")
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"wrote {out}")
        if a.update_docs:
            update_docs(report)
            print(f"updated {DOC}")
    else:
        print(report["skipped"])
    return report


if __name__ == "__main__":
    main()
