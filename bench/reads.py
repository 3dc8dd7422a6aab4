"""Part (f): what a read costs as the store grows. ``python -m bench.reads [--sizes 1000,1000000] [--backends ...]
[--only READ,...]``

For each size a fresh database holds that many instances (the layout: bench/reads_data.py) and a ``shenpi serve``
(one worker, ``--no-events``) reads it; the sizes' servers run side by side. Every list endpoint — ``GET
instances``, ``instances/query``, ``tasks/search``, ``instances/search_cc``, ``tasks/query``,
``instances/initiated`` and ``GET tasks`` (user tokens), the comments of an instance, ``GET external_tasks``,
aPaaS ``user_task/query`` — is read at its first page and its 50th (page_size 10, the page_token captured by
following the list from its first page; aPaaS pages by offset), and the web inbox's lists, signed in, at their
first page and a deep one (following the "next" links); ``GET instances/:id`` beside them.

Each figure is measured with wrk (bench/reads.lua: the same request again and again, every answer checked), each
request on a new connection: ``--requests`` requests one at a time give p50/p99 and the server's CPU per request
(on PostgreSQL also its backends'); at the large size ``--rate-requests`` more over ``--connections`` connections
give req/s. (On a kept-alive connection a one-worker shenpi answers ~40 ms late: its listening socket lacks
TCP_NODELAY, so the answer's body waits for the client's delayed ACK of its headers.) Best of ``--repeat`` rounds,
which alternate between the sizes. The targets, at the largest size: each read's p50 at most 1.3x its p50 at the
smallest; its req/s at least 0.5x that of ``GET instances/:id``; the inbox of a person with 10^4 tasks at most 1.3x
the p50 of one with 10^2, at the first page and deep.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import data
from bench.reads_site import GET_ONE, USERS, Probe, Site
from bench.run import DOC, ROOT

LUA = Path(__file__).parent / "reads.lua"
SIZE_LIMIT, RATE_SHARE, USER_LIMIT = 1.3, 0.5, 1.3


def wrk(base: str, probe: Probe, connections: int, requests: int) -> dict[str, Any]:
    headers = {**probe.headers, "Connection": "close"}
    cmd = ["wrk", "-t1", f"-c{connections}", "-d60s", "--timeout", "10s", "--latency", "-s", str(LUA),
           base + probe.path, "--", probe.method, str(requests), "html" if probe.html else "json", probe.body,
           *(f"{k}: {v}" for k, v in headers.items())]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout is not None
    lines = []
    for line in p.stdout:
        lines.append(line)
        if line.startswith("STOPPED"):  # the requests are in: end wrk's sleep (its SIGINT handler ends the run)
            p.send_signal(signal.SIGINT)
    p.wait(60)
    for line in lines:
        if line.startswith("BENCHJSON "):
            r: dict[str, Any] = json.loads(line[len("BENCHJSON "):])
            if r["bad_answers"] or r["socket_errors"] or r["timeouts"] or not r["requests"]:
                raise RuntimeError(f"{probe.name} {probe.page} ({probe.path}): {r}")
            return r
    raise RuntimeError(f"wrk printed no result:\n{''.join(lines)}\n{p.stderr.read() if p.stderr else ''}")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds each process has run, summed over its threads, from the scheduler's nanosecond count
    (/proc/<pid>/task/<tid>/schedstat): the clock ticks of /proc/<pid>/stat are 10 ms, as much as 100 requests of
    a list cost."""
    out: dict[int, float] = {}
    for pid in pids:
        total = 0
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
        except OSError:
            continue
        out[pid] = total / 1e9
    return out


def measure(site: Site, probe: Probe, connections: int, requests: int) -> dict[str, float]:
    """One wrk run of ``probe``: its latency, req/s, and the CPU the server (and its database backends) spent."""
    server = [site.proc.pid]
    cpu0, db0 = cpu_seconds(server), cpu_seconds(site.db_pids())
    r = wrk(site.base, probe, connections, requests)
    cpu1, db1 = cpu_seconds(server), cpu_seconds(site.db_pids())
    n = r["requests"]
    return {"p50_ms": r["p50_us"] / 1000, "p99_ms": r["p99_us"] / 1000, "rps": n / (r["duration_us"] / 1e6),
            "cpu_us": sum(max(0.0, v - cpu0.get(pid, 0.0)) for pid, v in cpu1.items()) / n * 1e6,
            "db_cpu_us": sum(max(0.0, v - db0.get(pid, 0.0)) for pid, v in db1.items()) / n * 1e6}


def _best(runs: list[dict[str, float]], number: int) -> dict[str, Any]:
    """Each figure the best the rounds gave: other work on the machine only ever makes one worse."""
    out: dict[str, Any] = {"page_no": number}
    for k in ("p50_ms", "p99_ms", "cpu_us", "db_cpu_us"):
        out[k] = round(min(r[k] for r in runs), 2 if k.endswith("ms") else 0)
    out["all_p50_ms"] = [round(r["p50_ms"], 2) for r in runs]
    return out


def _selected(name: str, only: str) -> bool:
    """Whether ``--only`` asks for the read ``name``: a name given, or one it begins (``inbox to do`` takes its
    10^4- and 10^2-task users' pages too); GET instances/:id always, the reads' rate is measured against it."""
    wanted = [w.strip() for w in only.split(",") if w.strip()] if only else []
    return not wanted or name == GET_ONE or any(name == w or name.startswith(w + ", ") for w in wanted)


def run_backend(backend: str, sizes: list[int], a: argparse.Namespace, pg_admin: str | None,
                work: Path) -> dict[str, Any]:
    """Every size's server runs at once; each figure's rounds alternate between them, so a busy spell of the
    shared machine falls on every size alike."""
    sites: list[Site] = []
    try:
        for n in sizes:
            sites.append(Site(backend, n, pg_admin, work))
        probes = [{(p.name, p.page): p for p in site.probes(large=i == len(sites) - 1 and len(sites) > 1)}
                  for i, site in enumerate(sites)]
        keys = [k for k in dict.fromkeys(k for by_key in probes for k in by_key) if _selected(k[0], a.only)]
        out: dict[str, Any] = {str(n): {} for n in sizes}
        out["load_s"] = {str(site.size): site.load_s for site in sites}
        for name, page in keys:
            latency: list[list[dict[str, float]]] = [[] for _ in sites]
            rates: list[dict[str, float]] = []
            for _ in range(a.repeat):
                for i, site in enumerate(sites):
                    probe = probes[i].get((name, page))
                    if probe is None:
                        continue
                    latency[i].append(measure(site, probe, 1, a.requests))
                    if i == len(sites) - 1:
                        rates.append(measure(site, probe, a.connections, a.rate_requests))
            line = []
            for i, site in enumerate(sites):
                if latency[i]:
                    best = _best(latency[i], probes[i][(name, page)].number)
                    if i == len(sites) - 1:
                        best["rps"], best["all_rps"] = round(max(r["rps"] for r in rates)), [round(r["rps"]) for r in rates]
                        best["rps_cpu_us"] = round(min(r["cpu_us"] + r["db_cpu_us"] for r in rates))
                    out[str(site.size)].setdefault(name, {})[page] = best
                    line.append(f"{site.size:,}: p50 {best['p50_ms']} ms, p99 {best['p99_ms']} ms, "
                                f"CPU {best['cpu_us']:.0f}+{best['db_cpu_us']:.0f} us"
                                + (f", {best['rps']} req/s" if "rps" in best else ""))
            print(f"  {backend} {name} {page}: " + "; ".join(line), flush=True)
        return out
    finally:
        for site in sites:
            site.close()


def evaluate(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets, per backend, at the largest size against the smallest and against GET instances/:id."""
    small, large = (str(n) for n in (report["settings"]["sizes"][0], report["settings"]["sizes"][-1]))
    out: list[dict[str, Any]] = []

    def add(backend: str, kind: str, name: str, page: str, value: float, holds: bool, detail: str) -> None:
        out.append({"backend": backend, "kind": kind, "read": name, "page": page, "value": round(value, 2),
                    "holds": holds, "detail": detail})

    for backend, res in report["backends"].items():
        one = res[large].get(GET_ONE, {}).get("first")
        for name, pages in res[large].items():
            for page, b in pages.items():
                a = res[small].get(name, {}).get(page) if small != large else None
                if a:
                    ratio = b["p50_ms"] / a["p50_ms"]
                    add(backend, "size", name, page, ratio, ratio <= SIZE_LIMIT,
                        f"p50 {a['p50_ms']} -> {b['p50_ms']} ms")
                if one and name != GET_ONE and not name.endswith(" tasks") and b.get("rps"):
                    share = b["rps"] / one["rps"]
                    add(backend, "rate", name, page, share, share >= RATE_SHARE,
                        f"{b['rps']:,} vs {one['rps']:,} req/s")
        for name, _ in USERS:
            heavy, light = res[large].get(f"{name}, 10^4 tasks", {}), res[large].get(f"{name}, 10^2 tasks", {})
            for page in ("first", "deep"):
                if page in heavy and page in light:
                    ratio = heavy[page]["p50_ms"] / light[page]["p50_ms"]
                    add(backend, "user", name, page, ratio, ratio <= USER_LIMIT,
                        f"p50 {light[page]['p50_ms']} -> {heavy[page]['p50_ms']} ms")
    return out


def _pow(n: int | str) -> str:
    s = str(n)
    return f"10^{len(s) - 1}" if s.strip("0") == "1" else f"{int(s):,}"


def _mark(ok: bool | None, text: str) -> str:
    return text if ok is None or ok else f"**{text}**"


def markdown(report: dict[str, Any]) -> str:
    sizes = report["settings"]["sizes"]
    small, large = str(sizes[0]), str(sizes[-1])
    s, L = _pow(small), _pow(large)
    held = {(t["backend"], t["kind"], t["read"], t["page"]): t for t in report["targets"]}
    lines = [f"| backend | read | page | p50 ms at {s} / {L} | ratio | p99 ms at {s} / {L} | CPU us/req at {s} / {L} "
             f"| req/s at {L} (CPU us/req) | vs GET :id |", "|---|---|---|---|---|---|---|---|---|"]

    def cpu(f: dict[str, Any] | None) -> str:
        return "–" if f is None else f"{f['cpu_us']:.0f}" + (f"+{f['db_cpu_us']:.0f}" if f["db_cpu_us"] else "")

    def ratio(t: dict[str, Any] | None) -> str:
        return "–" if t is None else _mark(t["holds"], f"{t['value']:.2f}x")

    for backend, res in report["backends"].items():
        for name, pages in res[large].items():
            if name.endswith(" tasks"):  # the users' inboxes: their own table
                continue
            for page, b in pages.items():
                a = res[small].get(name, {}).get(page) if small != large else None
                rps = f"{b['rps']:,} ({b['rps_cpu_us']:,})" if "rps" in b else "–"
                lines.append(
                    f"| {backend} | {name} | {_ordinal(b['page_no'])} | {a['p50_ms'] if a else '–'} / {b['p50_ms']} "
                    f"| {ratio(held.get((backend, 'size', name, page)))} | {a['p99_ms'] if a else '–'} / "
                    f"{b['p99_ms']} | {cpu(a)} / {cpu(b)} | {rps} | {ratio(held.get((backend, 'rate', name, page)))} |")
    users = [t for t in report["targets"] if t["kind"] == "user"]
    if users:
        lines += ["", f"| backend | inbox at {L} | page (10^2-task user / 10^4) | p50 ms, 10^2 tasks -> 10^4 | ratio |",
                  "|---|---|---|---|---|"]
        for t in users:
            res = report["backends"][t["backend"]][large]
            light = res[f"{t['read']}, 10^2 tasks"][t["page"]]["page_no"]
            heavy = res[f"{t['read']}, 10^4 tasks"][t["page"]]["page_no"]
            lines.append(f"| {t['backend']} | {t['read']} | {_ordinal(light)} / {_ordinal(heavy)} | "
                         f"{t['detail'].removeprefix('p50 ')} | {ratio(t)} |")
    missed = [t for t in report["targets"] if not t["holds"]]
    lines += ["", f"Targets: {len(report['targets']) - len(missed)} of {len(report['targets'])} hold "
              f"(p50 at {L} <= {SIZE_LIMIT}x at {s}; req/s at {L} >= {RATE_SHARE}x GET instances/:id's; the inbox of "
              f"a person with 10^4 tasks <= {USER_LIMIT}x one with 10^2). Bold: missed."]
    st = report["settings"]
    lines += ["", f"Measured {report['when']} with `{report['command']}` in {report['elapsed_s']:.0f} s: "
              f"p50/p99/CPU over {st['requests']} requests one at a time, each on a new connection, best of "
              f"{st['repeat']} rounds; req/s over {st['rate_requests']} requests on {st['connections']} connections, "
              f"a new one per request (beside it their CPU per request, server and database); CPU is the server's, +the "
              f"PostgreSQL backends'. Loaded: "
              + ", ".join(f"{b} {_pow(n)} in {t:.0f} s" for b, res in report["backends"].items()
                          for n, t in res["load_s"].items()) + "."]
    return "\n".join(lines) + "\n"


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def update_docs(report: dict[str, Any]) -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- reads:table:start -->", "<!-- reads:table:end -->"
    if start not in text or end not in text:
        text += f"\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    DOC.write_text(f"{head}{start}\n{markdown(report)}{end}{rest.split(end, 1)[1]}", encoding="utf-8")


def run(a: argparse.Namespace) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    started = time.time()
    sizes = sorted(int(s) for s in a.sizes.split(","))
    report: dict[str, Any] = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "backends": {}, "skipped": [],
                              "settings": {"sizes": sizes, "requests": a.requests, "rate_requests": a.rate_requests,
                                           "connections": a.connections, "repeat": a.repeat}}
    with tempfile.TemporaryDirectory(prefix="shenpi-bench-reads-") as tmp:
        for backend in [b.strip() for b in a.backends.split(",") if b.strip()]:
            pg_admin = asyncio.run(data.pg_admin_url(a.pg_url)) if backend == "postgres" else None
            if backend == "postgres" and pg_admin is None:
                report["skipped"].append("part f on PostgreSQL: no server answers")
                print("  PostgreSQL skipped: no server answers", flush=True)
                continue
            report["backends"][backend] = run_backend(backend, sizes, a, pg_admin, Path(tmp))
    report["elapsed_s"] = round(time.time() - started, 1)
    report["targets"] = evaluate(report)
    return report


def print_targets(report: dict[str, Any]) -> None:
    for t in report["targets"]:
        if not t["holds"]:
            print(f"MISSED  f {t['backend']} {t['read']} {t['page']} [{t['kind']}] {t['value']}x: {t['detail']}")
    for kind, what in (("size", f"p50 at the large size <= {SIZE_LIMIT}x"),
                       ("rate", f"req/s >= {RATE_SHARE}x GET instances/:id"),
                       ("user", f"inbox 10^4-task user <= {USER_LIMIT}x 10^2")):
        ts = [t for t in report["targets"] if t["kind"] == kind]
        print(f"part f, {what}: {sum(t['holds'] for t in ts)} of {len(ts)} hold")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.reads", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,1000000", help="instances stored, comma-separated (default 10^3,10^6)")
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--requests", type=int, default=80, help="requests per latency figure and round (default 80)")
    p.add_argument("--rate-requests", type=int, default=200, help="requests per req/s figure and round (default 200)")
    p.add_argument("--connections", type=int, default=4, help="connections for req/s (default 4)")
    p.add_argument("--repeat", type=int, default=2, help="rounds per figure, the best is kept (default 2)")
    p.add_argument("--pg-url", default=None)
    p.add_argument("--only", default="", help="measure only these reads (comma-separated names, e.g. "
                   "'user_task/query,comments'; GET instances/:id is always measured); default: every read")
    p.add_argument("--tag", default="", help="name the results file <time>-reads-TAG.json")
    p.add_argument("--update-docs", action="store_true", help="write the table into docs/performance.md")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    a = parse_args(argv)
    if a.only and a.update_docs:
        raise SystemExit("--update-docs writes the whole table: run every read (no --only)")
    report = run(a)
    report["command"] = " ".join(["python -m bench.reads", *(argv if argv is not None else sys.argv[1:])])
    print(markdown(report))
    print_targets(report)
    out = ROOT / "bench" / "results" / (time.strftime("%Y%m%d-%H%M%S") + "-reads" + (f"-{a.tag}" if a.tag else "")
                                        + ".json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"  wrote {out}")
    if a.update_docs and report["backends"]:
        update_docs(report)
        print(f"  updated {DOC}")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
