"""shenpi's benchmark in one command: ``python -m bench`` (``--help`` for the options; bench/suite.py runs it).

Parts (``--parts``, default all, about 25 minutes):

  a  ceiling: a trivial JSON endpoint on shenpi's HTTP stack (raw ASGI on uvicorn), 1 and 2 workers
  b  floor: a minimal reject written on the raw driver (sqlite3; asyncpg), same stack, same rows
  c  shenpi's reject and approve through its full path: SQLite 1 worker, PostgreSQL 1 and 2 workers,
     on a database that holds 10^3 finished instances besides the pending ones the run consumes
  d  (c) again, and the floor, with 10^6 finished instances stored (--quick: 10^5)
  e  the engine alone in-process beside SpiffWorkflow
  f  reads: every list endpoint's and the web inbox's first and 50th page at 10^3 and at --large instances stored,
     p50/p99, CPU and req/s beside GET instances/:id (bench/reads.py; alone: python -m bench.reads)
  g  events: commit-to-acknowledgement latency of events at 50 and 500 events/s, by callback and over the long
     connection, 1 and 2 workers on PostgreSQL (bench/events.py; alone: python -m bench.events)

Load is wrk (64 connections, bench/tasks.lua hands every request its own PENDING task); only 127.0.0.1 is
targeted, and every run is bounded in time. Each database size is measured in --repeat rounds, each round
every target in turn (started alone, warmed up, measured, stopped), so a slow spell of the machine hits every
target alike; each figure (req/s, p50, p99, CPU per request) is the best the rounds gave. Results of all parts go to
bench/results/<time>.json and bench/results/latest.json; --update-docs rewrites every table in
docs/performance.md (parts a-e with their targets, f, g).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import data, pg_checkpoints

HERE = Path(__file__).parent
ROOT = HERE.parent
RESULTS = HERE / "results"
LUA = HERE / "tasks.lua"
DOC = ROOT / "docs" / "performance.md"
CONNECTIONS = 64
REJECT_PATH = "/open-apis/approval/v4/tasks/reject?user_id_type=user_id"
APPROVE_PATH = "/open-apis/approval/v4/tasks/approve?user_id_type=user_id"
PY = sys.executable


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- servers -------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Target:
    key: str  # e.g. shenpi-postgres-2w
    part: str  # a | b | c
    kind: str  # ceiling | floor | shenpi
    backend: str  # "" | sqlite | postgres
    workers: int
    ops: tuple[str, ...]
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    token: str = ""
    log_path: Path | None = None
    rate_guess: dict[str, float] = field(default_factory=dict)  # req/s expected per op: sizes the working sets
    extra_args: list[str] = field(default_factory=list)  # more options for ``shenpi serve`` (--shenpi-args)
    db_params: str = ""  # appended to shenpi's PostgreSQL URL (--shenpi-pg-params)

    def start(self, db_url: str, seed_file: Path, workdir: Path) -> None:
        self.port = free_port()
        if self.kind == "shenpi":
            if self.db_params and db_url.startswith("postgres"):
                db_url += ("&" if "?" in db_url else "?") + self.db_params
            cmd = [PY, "-m", "shenpi", "serve", "--host", "127.0.0.1", "--port", str(self.port), "--db", db_url,
                   "--seed", str(seed_file), "--rate-limit-scale", "0", "--workers", str(self.workers),
                   "--log-level", "warning", *self.extra_args]
        else:
            cmd = [PY, "-m", "bench.servers", self.kind, "--port", str(self.port), "--db", db_url,
                   "--workers", str(self.workers)]
        self.log_path = workdir / f"{self.key}.log"
        out = open(self.log_path, "ab")  # noqa: SIM115 - the child writes to it for its lifetime
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.key} exited early:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{self.key} did not become healthy:\n{self.log_path.read_text()}")
        if self.kind == "shenpi":
            self.token = tenant_token(self.url)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the server itself, or its workers when it has several."""
        assert self.proc is not None
        if self.workers == 1:
            return [self.proc.pid]
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        return [int(p) for p in out]

    def cpu_seconds(self) -> float:
        """User + system CPU time the serving processes have used so far (from /proc)."""
        return sum(process_cpu(self.worker_pids()).values())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def process_cpu(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each process that still exists (from /proc/<pid>/stat)."""
    out: dict[int, float] = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return out


def tenant_token(base_url: str) -> str:
    body = json.dumps({"app_id": data.APP_ID, "app_secret": data.APP_SECRET}).encode()
    req = urllib.request.Request(f"{base_url}/open-apis/auth/v3/tenant_access_token/internal", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        answer = json.loads(r.read())
    token = answer.get("tenant_access_token")
    if not token:
        raise RuntimeError(f"no token: {answer}")
    return str(token)


# -- load ------------------------------------------------------------------------------------------------
def cpu_busy(seconds: float = 1.0) -> float:
    """The fraction of all cores busy over ``seconds`` (from /proc/stat), 0..1."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            parts = [int(x) for x in f.readline().split()[1:]]
        idle = parts[3] + parts[4]
        return sum(parts), idle

    t0, i0 = sample()
    time.sleep(seconds)
    t1, i1 = sample()
    return 1 - (i1 - i0) / max(1, t1 - t0)


def wait_quiet(limit: float, max_wait: float) -> float:
    """Wait (up to ``max_wait`` s) until the machine's other work keeps less than ``limit`` of it busy."""
    busy = cpu_busy(0.5)
    deadline = time.time() + max_wait
    while busy > limit and time.time() < deadline:
        busy = cpu_busy(1.0)
    return busy


def wrk(url: str, path: str, task_file: Path, token: str, duration: float, threads: int = 1) -> dict[str, Any]:
    cmd = ["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{max(1, int(duration))}s", "--timeout", "10s",
           "--latency", "-s", str(LUA), url + path, "--", str(task_file), path, token, str(threads)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    for line in p.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            r: dict[str, Any] = json.loads(line[len("BENCHJSON "):])
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            return r
    raise RuntimeError(f"wrk printed no result:\n{p.stdout}\n{p.stderr}")


@dataclass
class Result:
    part: str
    target: str
    kind: str
    backend: str
    workers: int
    op: str
    stored: int  # instances in the database when the run started (finished history + pending working set)
    history: int  # finished instances stored before the run (10^3 or 10^6)
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    bad_answers: int
    socket_errors: int
    background_cpu: float  # share of both cores busy with other work just before the run
    repeat: int
    server_cpu_us: float  # CPU time of the server process(es) per request (not the database's, not wrk's)
    db_cpu_us: float = 0.0  # CPU time of the PostgreSQL backends serving the server, per request
    all_rps: list[float] = field(default_factory=list)
    all_p50_ms: list[float] = field(default_factory=list)
    all_p99_ms: list[float] = field(default_factory=list)
    note: str = ""


# -- the run ---------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.a = args
        self.results: list[Result] = []
        self.engine: dict[str, Any] = {}
        self.skipped: list[str] = []
        self.work = Path(tempfile.mkdtemp(prefix="shenpi-bench-"))
        self.seed_file = self.work / "seed.json"
        self.seed_file.write_text(json.dumps(data.bench_seed()), encoding="utf-8")
        self.profiles: dict[str, str] = {}
        self.meta: dict[str, Any] = {}
        self.loop = asyncio.new_event_loop()  # one loop for the whole run: the PostgreSQL loader's connection lives on it

    def sync(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    # Which workers each backend is measured with.
    def backend_targets(self, backend: str) -> list[Target]:
        workers = [1] if backend == "sqlite" else [1, 2]
        out: list[Target] = []
        if "b" in self.a.parts:
            out += [Target(f"floor-{backend}-{w}w", "b", "floor", backend, w, ("reject",)) for w in workers]
        if "c" in self.a.parts or "d" in self.a.parts:
            out += [Target(f"shenpi-{backend}-{w}w", "c", "shenpi", backend, w, ("reject", "approve"),
                           extra_args=self.a.shenpi_args.split(), db_params=self.a.shenpi_pg_params) for w in workers]
        return out

    def measure(self, targets: list[Target], loader: data.Loader | None, templates: data.Templates | None,
                history: int, db_url: str = "") -> None:
        """--repeat rounds; in each, every target in turn: start it, warm it up, run each op, stop it.

        Only the measured server runs: an idle shenpi still polls its outbox (the delivery worker), which on
        SQLite takes the database's write lock from another process and stalls whoever is measured."""
        dummy = self.work / "dummy-tasks.txt"
        if not dummy.exists():
            data.write_task_file(dummy, [(str(data.TASK_ID_BASE - i), "NONE") for i in range(1, 2001)])
        runs: dict[tuple[str, str], list[Result]] = {}
        for rep in range(self.a.repeat):
            for t in targets:
                if t.backend == "postgres":
                    self.sync(pg_checkpoints.checkpoint(self.pg_admin))
                t.start(db_url, self.seed_file, self.work)
                try:
                    self.warm_up(t, loader, templates, dummy)
                    for op in t.ops:
                        res = self.one_run(t, op, loader, templates, history, rep)
                        runs.setdefault((t.key, op), []).append(res)
                    if self.a.profile and rep == self.a.repeat - 1 and t.kind == "shenpi" and t.workers == 1 \
                            and loader is not None and templates is not None:
                        self.profile(t, "reject", loader, templates, history)
                finally:
                    t.stop()
        for rs in runs.values():
            # Each figure is the best the runs gave: the machine's other work only ever makes one worse.
            best = max(rs, key=lambda r: r.rps)
            best.all_rps = [round(r.rps, 1) for r in rs]
            best.all_p50_ms = [round(r.p50_ms, 2) for r in rs]
            best.all_p99_ms = [round(r.p99_ms, 2) for r in rs]
            best.p50_ms, best.p99_ms = min(best.all_p50_ms), min(best.all_p99_ms)
            best.server_cpu_us = min(r.server_cpu_us for r in rs)
            best.db_cpu_us = min(r.db_cpu_us for r in rs)
            self.results.append(best)
            log(f"  => {best.target} {best.op} @{_pow(history)}: best {best.rps:.0f} req/s "
                f"(runs {', '.join(f'{x:.0f}' for x in best.all_rps)}), p50 {best.p50_ms:.1f} ms, "
                f"p99 {best.p99_ms:.1f} ms (runs {', '.join(f'{x:.1f}' for x in best.all_p99_ms)})")

    def warm_up(self, t: Target, loader: data.Loader | None, templates: data.Templates | None, dummy: Path) -> None:
        """Caches, connections, the first token lookup: a short run of each op (its rate sizes the first run)."""
        for op in t.ops:
            pairs: list[tuple[str, str]] = []
            f = dummy
            if loader is not None and templates is not None:
                pairs = self.sync(loader.pending(templates, int(self.a.warmup * 2500) + 500))
                f = self.work / f"warm-{t.key}-{op}.txt"
                data.write_task_file(f, pairs)
            r = wrk(t.url, APPROVE_PATH if op == "approve" else REJECT_PATH, f, t.token, self.a.warmup,
                    threads=t.workers)
            if op not in t.rate_guess:
                t.rate_guess[op] = r["rps"]  # an overestimate when the file ran out: failures are quick
            if pairs and loader is not None:
                self.sync(loader.remove(pairs))

    def working_set(self, t: Target, op: str, loader: data.Loader, templates: data.Templates,
                    name: str) -> tuple[Path, list[tuple[str, str]]]:
        """PENDING instances for one run: enough for the expected rate, with a margin (a run that runs out is
        repeated with more)."""
        need = int(t.rate_guess.get(op, 1000.0) * 1.3 * self.a.duration) + 4 * CONNECTIONS
        pairs = self.sync(loader.pending(templates, need))
        task_file = self.work / f"{name}.txt"
        data.write_task_file(task_file, pairs)
        return task_file, pairs

    def one_run(self, t: Target, op: str, loader: data.Loader | None, templates: data.Templates | None,
                history: int, rep: int) -> Result:
        path = APPROVE_PATH if op == "approve" else REJECT_PATH
        for attempt in range(3):
            stored, pairs = 0, []
            task_file = self.work / "dummy-tasks.txt"
            if loader is not None and templates is not None:
                task_file, pairs = self.working_set(t, op, loader, templates, f"{t.key}-{op}-{rep}")
                stored = self.sync(loader.count_instances())
            background = wait_quiet(self.a.max_background, self.a.wait_quiet)
            cpu0 = t.cpu_seconds()
            db0 = process_cpu(self.sync(loader.server_backends())) if loader is not None else {}
            r = wrk(t.url, path, task_file, t.token, self.a.duration, threads=t.workers)
            cpu = t.cpu_seconds() - cpu0
            db1 = process_cpu(self.sync(loader.server_backends())) if loader is not None else {}
            db_cpu = sum(v - db0.get(pid, 0.0) for pid, v in db1.items())
            if pairs and loader is not None:
                self.sync(loader.remove(pairs))
            if loader is not None and r["wraps"] > 0 and attempt < 2:
                t.rate_guess[op] = r["rps"] * 1.5  # the file ran out: again, with more tasks
                log(f"  {t.key} {op}: ran out of tasks at {r['rps']:.0f} req/s; again with more")
                continue
            t.rate_guess[op] = max(t.rate_guess.get(op, 0.0), r["rps"])
            res = Result(
                part=t.part if history <= self.a.small else "d", target=t.key, kind=t.kind, backend=t.backend,
                workers=t.workers, op=op, stored=stored, history=history if loader is not None else 0,
                rps=r["rps"], p50_ms=r["p50_us"] / 1000, p90_ms=r["p90_us"] / 1000, p99_ms=r["p99_us"] / 1000,
                max_ms=r["max_us"] / 1000, requests=r["requests"],
                bad_answers=r["bad_answers"] if loader is not None else 0, socket_errors=r["socket_errors"],
                background_cpu=round(background, 3), repeat=rep,
                server_cpu_us=round(cpu * 1e6 / max(1, r["requests"]), 1),
                db_cpu_us=round(db_cpu * 1e6 / max(1, r["requests"]), 1))
            if loader is not None and r["bad_answers"]:
                res.note = f"{r['bad_answers']} bad answers, e.g. {r['first_bad'][:120]}"
            log(f"  {t.key:22s} {op:7s} stored {stored:>9,} | {res.rps:8.0f} req/s  p50 {res.p50_ms:6.1f} ms  "
                f"p99 {res.p99_ms:6.1f} ms | CPU/req {res.server_cpu_us:4.0f} us"
                + (f" + db {res.db_cpu_us:4.0f} us" if res.db_cpu_us else "") + f" | other load {background:.0%}"
                + (f" | {res.note}" if res.note else ""))
            return res
        raise AssertionError("unreachable")

    def profile(self, t: Target, op: str, loader: data.Loader, templates: data.Templates, history: int) -> None:
        """One extra run with py-spy attached to the target's worker(s); saves the stacks and a summary."""
        if shutil.which("py-spy") is None:
            self.skipped.append("profile: py-spy is not installed (pip install py-spy)")
            return
        task_file, pairs = self.working_set(t, op, loader, templates, f"profile-{t.key}-{op}")
        name = f"profile-{t.key}-{op}-{history:.0e}".replace("+", "")
        raw_files = []
        spies = []
        for pid in t.worker_pids():
            raw = self.work / f"{name}-{pid}.txt"
            raw_files.append(raw)
            spies.append(subprocess.Popen(
                ["py-spy", "record", "--pid", str(pid), "--duration", str(max(1, round(self.a.duration))),
                 "--rate", "200", "--format", "raw", "--function", "--nonblocking", "--output", str(raw)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.5)
        wrk(t.url, APPROVE_PATH if op == "approve" else REJECT_PATH, task_file, t.token, self.a.duration,
            threads=t.workers)
        for s in spies:
            try:
                s.wait(timeout=30)
            except subprocess.TimeoutExpired:
                s.kill()
        self.sync(loader.remove(pairs))
        stacks: Counter[str] = Counter()
        for raw in raw_files:
            if raw.exists():
                for line in raw.read_text().splitlines():
                    stack, _, n = line.rpartition(" ")
                    if n.isdigit():
                        stacks[stack] += int(n)
        RESULTS.mkdir(exist_ok=True)
        summary = summarize_profile(stacks)
        (RESULTS / f"{name}.txt").write_text(summary, encoding="utf-8")
        self.profiles[f"{t.key}-{op}-{history:.0e}"] = str((RESULTS / f"{name}.txt").relative_to(ROOT))
        log(f"  profile of {t.key} {op}: {RESULTS / (name + '.txt')}")

    # -- parts ---------------------------------------------------------------------------------------
    def run_ceiling(self) -> None:
        log("(a) ceiling")
        targets = [Target(f"ceiling-{w}w", "a", "ceiling", "", w, ("reject",)) for w in (1, 2)]
        self.measure(targets, None, None, 0)

    def run_backend(self, backend: str) -> None:
        if backend != "postgres":
            return self.measure_backend(backend)
        spaced = pg_checkpoints.spaced_checkpoints(self.pg_admin, self.meta)
        self.sync(spaced.__aenter__())
        try:
            self.measure_backend(backend)
        finally:
            self.sync(spaced.__aexit__(None, None, None))

    def measure_backend(self, backend: str) -> None:
        db_url = self.sync(self.make_database(backend))
        log(f"({backend}) database {db_url}")
        templates = self.sync(data.make_templates(db_url))
        loader = self.sync(self.loader(backend, db_url))
        self.sync(loader.mark_routed(templates))
        try:
            t0 = time.time()
            self.sync(loader.history(templates, self.a.small))
            history = self.a.small
            log(f"  {history:,} finished instances stored ({time.time() - t0:.1f} s)")
            sizes = [self.a.small] + ([self.a.large] if "d" in self.a.parts else [])
            for size in sizes:
                if size > history:
                    t0 = time.time()
                    self.sync(loader.history(templates, size - history))
                    history = size
                    log(f"  {history:,} finished instances stored ({time.time() - t0:.1f} s)")
                self.measure(self.backend_targets(backend), loader, templates, history, db_url)
        finally:
            self.sync(loader.close())
            if backend == "postgres" and not self.a.keep:
                self.sync(data.pg_drop(self.pg_admin, self.pg_db))

    async def make_database(self, backend: str) -> str:
        if backend == "sqlite":
            path = self.work / "bench.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.meta["sqlite_version"] = __import__("sqlite3").sqlite_version
            return f"sqlite:///{path}"
        url = await data.pg_recreate(self.pg_admin, self.pg_db)
        self.meta["postgres"] = await data.pg_settings(url)
        return url

    async def loader(self, backend: str, db_url: str) -> data.Loader:
        if backend == "sqlite":
            from shenpi.store.sqlite import sqlite_path

            return data.SqliteLoader(sqlite_path(db_url))
        return await data.PostgresLoader.connect(db_url)

    def run_engine(self) -> None:
        log("(e) engine in-process")
        # In a fresh interpreter: this process holds the loaders' data and the results, and a bigger heap
        # makes every garbage collection of the engines' objects slower, the allocation-heavy one's more.
        out = subprocess.run([PY, "-m", "bench.engine", str(self.a.engine_seconds)], cwd=ROOT, check=True,
                             capture_output=True, text=True)
        self.engine = json.loads(out.stdout)
        line = f"  shenpi engine {self.engine['shenpi_per_s']:,.0f} instances/s"
        if "spiff_per_s" in self.engine:
            line += f", SpiffWorkflow {self.engine['spiff_per_s']:,.0f}/s: {self.engine['ratio']:.1f}x"
        log(line)

    def backends(self) -> list[str]:
        out = []
        for b in self.a.backends:
            if b == "postgres":
                reason = postgres_unavailable()
                if reason is None:
                    admin = self.sync(data.pg_admin_url(self.a.pg_url))
                    if admin is None:
                        reason = "no PostgreSQL answers at 127.0.0.1:5432 (--pg-url)"
                    else:
                        self.pg_admin, self.pg_db = admin, data.database_name("shenpi_bench")
                if reason is not None:
                    self.skipped.append(f"PostgreSQL parts skipped: {reason}")
                    log(f"(postgres) skipped: {reason}")
                    continue
            out.append(b)
        return out

    def run(self) -> dict[str, Any]:
        started = time.time()
        if shutil.which("wrk") is None and set(self.a.parts) & set("abcd"):
            raise SystemExit("wrk is not installed: apt-get install -y wrk")
        try:
            if "a" in self.a.parts:
                self.run_ceiling()
            if set(self.a.parts) & set("bcd"):
                for backend in self.backends():
                    self.run_backend(backend)
            if "e" in self.a.parts:
                self.run_engine()
        finally:
            shutil.rmtree(self.work, ignore_errors=True)
        return self.report(time.time() - started)

    # -- the report ------------------------------------------------------------------------------------
    def report(self, elapsed: float) -> dict[str, Any]:
        rows = table_rows(self.results, self.engine, self.a.small)
        targets = evaluate_targets(self.results, self.engine, self.a.small)
        out = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": " ".join(["python -m bench", *sys.argv[1:]]),
            "elapsed_s": round(elapsed, 1),
            "settings": {"connections": CONNECTIONS, "duration_s": self.a.duration, "warmup_s": self.a.warmup,
                         "repeat": self.a.repeat, "small_history": self.a.small, "large_history": self.a.large,
                         "load_generator": "wrk + bench/tasks.lua", "quick": self.a.quick,
                         "shenpi_args": self.a.shenpi_args, "shenpi_pg_params": self.a.shenpi_pg_params},
            "machine": machine_info() | self.meta,
            "results": [asdict(r) for r in self.results],
            "engine": self.engine,
            "targets": targets,
            "table": rows,
            "profiles": self.profiles,
            "skipped": self.skipped,
        }
        return out


def postgres_unavailable() -> str | None:
    try:
        import shenpi.store.postgres  # noqa: F401
    except Exception as e:  # noqa: BLE001 - any failure means: not ready yet
        return f"shenpi.store.postgres does not import ({type(e).__name__}: {e})"
    return None


def machine_info() -> dict[str, Any]:
    import uvicorn

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    return {
        "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
        "uvicorn": uvicorn.__version__,
        # What the servers run: SHENPI_HTTP / SHENPI_LOOP when set (serve's --http / --loop), else the defaults.
        "uvicorn_http": os.environ.get("SHENPI_HTTP", "h11"),
        "uvicorn_loop": os.environ.get("SHENPI_LOOP", "asyncio"),
        "wrk": wrk_version[0] if wrk_version else "",
        "loadavg_at_end": os.getloadavg(),
    }


def summarize_profile(stacks: Counter[str]) -> str:
    """Self and inclusive sample shares by function, from py-spy's raw (collapsed) stacks."""
    total = sum(stacks.values()) or 1
    self_c: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    for stack, n in stacks.items():
        frames = [f.strip() for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        self_c[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    lines = [f"{total} samples (py-spy, 200 Hz, the worker processes; idle time in the event loop is not sampled)",
             "",
             "inclusive (the function and what it calls):"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in incl.most_common(120)]
    lines += ["", "self (the function's own code):"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in self_c.most_common(35)]
    return "\n".join(lines) + "\n"


# -- the table -----------------------------------------------------------------------------------------
def _pow(n: int) -> str:
    if n <= 0:
        return "–"
    exp = len(str(n)) - 1
    return f"10^{exp}" if n == 10**exp else f"{n:,}"


def _find(results: list[Result], **kw: Any) -> Result | None:
    for r in results:
        if all(getattr(r, k) == v for k, v in kw.items()):
            return r
    return None


def baseline_of(r: Result, results: list[Result], small: int) -> tuple[Result | None, str]:
    if r.kind == "floor":
        return _find(results, kind="ceiling", workers=r.workers), "ceiling"
    if r.kind == "shenpi":
        return _find(results, kind="floor", backend=r.backend, workers=r.workers, history=r.history), "floor"
    return None, ""


def table_rows(results: list[Result], engine: dict[str, Any], small: int) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for r in results:
        base, name = baseline_of(r, results, small)
        vs = ""
        if base is not None:
            vs = f"{r.rps / base.rps:.2f}x {name} req/s"
        if r.history > small:
            at_small = _find(results, target=r.target, op=r.op, history=small)
            if at_small is not None:
                vs += (", " if vs else "") + f"p50 {r.p50_ms / at_small.p50_ms:.2f}x of 10^3"
        rows.append({
            "part": r.part, "what": r.target if r.kind != "ceiling" else f"ceiling-{r.workers}w",
            "op": r.op if r.kind != "ceiling" else "POST, trivial", "stored": _pow(r.history),
            "req/s": f"{r.rps:,.0f}", "p50 ms": f"{r.p50_ms:.1f}", "p99 ms": f"{r.p99_ms:.1f}",
            "CPU us/req": f"{r.server_cpu_us:,.0f}" + (f" + {r.db_cpu_us:,.0f} db" if r.db_cpu_us else ""),
            "vs baseline": vs,
        })
    if engine:
        rows.append({"part": "e", "what": "shenpi engine (in-process)", "op": "create + 2 approvals",
                     "stored": "–", "req/s": f"{engine['shenpi_per_s']:,.0f} inst/s", "p50 ms": "", "p99 ms": "",
                     "CPU us/req": f"{1e6 / engine['shenpi_per_s']:,.0f} /inst",
                     "vs baseline": f"{engine['ratio']:.1f}x SpiffWorkflow" if "ratio" in engine else ""})
        if "spiff_per_s" in engine:
            rows.append({"part": "e", "what": f"SpiffWorkflow {engine.get('spiff_version', '')}",
                         "op": "2 user tasks + JSON", "stored": "–", "req/s": f"{engine['spiff_per_s']:,.0f} inst/s",
                         "p50 ms": "", "p99 ms": "", "CPU us/req": f"{1e6 / engine['spiff_per_s']:,.0f} /inst",
                         "vs baseline": "baseline"})
    return rows


FLOOR_SHARE, DB_CPU_LIMIT = 0.85, 1.3  # shenpi's req/s at least this share of the floor's; its database CPU at most


def evaluate_targets(results: list[Result], engine: dict[str, Any], small: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(name: str, value: float | None, limit: float, ok: bool | None, detail: str) -> None:
        out.append({"target": name, "value": None if value is None else round(value, 3), "limit": limit,
                    "holds": ok, "detail": detail})

    for r in results:  # reject and approve, at each size, against the floor's reject at that size
        if r.kind != "shenpi":
            continue
        base, _ = baseline_of(r, results, small)
        if base is None:
            continue
        ratio = r.rps / base.rps
        add(f"{r.target} {r.op} >= {FLOOR_SHARE}x floor req/s ({_pow(r.history)} stored)", ratio, FLOOR_SHARE,
            ratio >= FLOOR_SHARE, f"{r.rps:,.0f} vs {base.rps:,.0f} req/s")
        if r.op == "reject" and r.db_cpu_us and base.db_cpu_us:
            cpu = r.db_cpu_us / base.db_cpu_us
            add(f"{r.target} reject database CPU <= {DB_CPU_LIMIT}x floor's ({_pow(r.history)} stored)", cpu,
                DB_CPU_LIMIT, cpu <= DB_CPU_LIMIT, f"{r.db_cpu_us:,.0f} vs {base.db_cpu_us:,.0f} us per reject")
    for r in results:
        if r.kind == "shenpi" and r.backend == "sqlite":
            add(f"{r.target} {r.op} p99 <= 50 ms ({_pow(r.history)} stored)", r.p99_ms, 50.0, r.p99_ms <= 50.0,
                f"p99 {r.p99_ms:.1f} ms")
    for r in results:
        if r.kind == "shenpi" and r.op == "reject" and r.history > small:
            at_small = _find(results, target=r.target, op="reject", history=small)
            if at_small is not None:
                ratio = r.p50_ms / at_small.p50_ms
                add(f"{r.target} reject p50 at {_pow(r.history)} <= 1.3x at 10^3", ratio, 1.3, ratio <= 1.3,
                    f"p50 {r.p50_ms:.1f} vs {at_small.p50_ms:.1f} ms (p99 {r.p99_ms:.1f} vs {at_small.p99_ms:.1f} ms)")
    if "ratio" in engine:
        add("engine >= 20x SpiffWorkflow", engine["ratio"], 20.0, engine["ratio"] >= 20.0,
            f"{engine['shenpi_per_s']:,.0f} vs {engine['spiff_per_s']:,.0f} instances/s")
    return out


COLUMNS = ["part", "what", "op", "stored", "req/s", "p50 ms", "p99 ms", "CPU us/req", "vs baseline"]


def markdown(report: dict[str, Any]) -> str:
    cols = COLUMNS
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(row[c] for c in cols) + " |" for row in report["table"]]
    lines += ["", "| target | measured | holds |", "|---|---|---|"]
    for t in report["targets"]:
        lines.append(f"| {t['target']} | {t['detail']} | {'yes' if t['holds'] else '**no**'} |")
    m, s = report["machine"], report["settings"]
    pg = m.get("postgres", {})
    lines += ["", f"Measured {report['when']} with `{report['command']}` in {report['elapsed_s']:.0f} s: "
              f"{m['cpus']} cores, Python {m['python']}, uvicorn {m['uvicorn']} ({m['uvicorn_http']}, "
              f"{m['uvicorn_loop']}), SQLite {m.get('sqlite_version', '?')}"
              + (f", PostgreSQL {pg.get('server_version', '?')} (fsync {pg.get('fsync')}, synchronous_commit "
                 f"{pg.get('synchronous_commit')})" if pg else "")
              + f"; wrk, {s['connections']} connections, {s['duration_s']:g} s per run, best of {s['repeat']}."]
    busy = [r["background_cpu"] for r in report["results"]]
    if busy:
        lines.append(f"Other work on the machine just before each run: {min(busy):.0%}–{max(busy):.0%} of its CPU "
                     f"(median {sorted(busy)[len(busy) // 2]:.0%}).")
    for s in report["skipped"]:
        lines.append(f"Skipped: {s}.")
    return "\n".join(lines) + "\n"


def print_report(report: dict[str, Any]) -> None:
    cols = COLUMNS
    rows = report["table"]
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) if rows else len(c) for c in cols}
    print()
    print("  ".join(c.ljust(widths[c]) for c in cols))
    print("  ".join("-" * widths[c] for c in cols))
    for r in rows:
        print("  ".join(r[c].ljust(widths[c]) for c in cols))
    print()
    for t in report["targets"]:
        print(f"{'HOLDS' if t['holds'] else 'MISSED':6s}  {t['target']}: {t['detail']}")
    for s in report["skipped"]:
        print(f"SKIPPED {s}")


def update_docs(report: dict[str, Any]) -> None:
    start, end = "<!-- bench:table:start -->", "<!-- bench:table:end -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start not in text or end not in text:
        text += f"\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{start}\n{markdown(report)}{end}{tail}", encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0] if __doc__ else "",
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1] if __doc__ else "")
    p.add_argument("--quick", action="store_true", help="3 s runs, one of each, 10^5 instead of 10^6 (about 10 min)")
    p.add_argument("--parts", default="abcdefg", help="which parts to run (default all: abcdefg)")
    p.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both (default both)")
    p.add_argument("--duration", type=float, help="seconds per measured run (default 8; --quick 3)")
    p.add_argument("--warmup", type=float, help="seconds of warm-up per op at each server start (default 2; --quick 1)")
    p.add_argument("--repeat", type=int, help="runs (rounds in part f) per figure, the best is kept (default 2; --quick 1)")
    p.add_argument("--large", type=int, help="finished instances stored for parts d and f (default 10^6; --quick 10^5)")
    p.add_argument("--small", type=int, default=1000, help="finished instances stored for parts c and f (default 10^3)")
    p.add_argument("--engine-seconds", type=float, help="seconds per engine in part e (default 5; --quick 2)")
    p.add_argument("--pg-url", default=None,
                   help="a PostgreSQL URL of a database the role may CREATE DATABASE from (default: the local "
                        "server at 127.0.0.1:5432 as postgres or root); the benchmark uses database shenpi_bench")
    p.add_argument("--keep", action="store_true", help="keep the PostgreSQL database shenpi_bench afterwards")
    p.add_argument("--profile", action="store_true",
                   help="after the measured runs, one more reject run per 1-worker shenpi target under py-spy; "
                        "summaries go to bench/results/profile-*.txt")
    p.add_argument("--max-background", type=float, default=0.25,
                   help="before each run, wait while other work keeps more than this share of the CPU busy")
    p.add_argument("--wait-quiet", type=float, default=3.0, help="... but at most this many seconds")
    p.add_argument("--shenpi-args", default="", help="more options for `shenpi serve`, e.g. '--no-events'")
    p.add_argument("--shenpi-pg-params", default="",
                   help="query parameters added to shenpi's PostgreSQL URL (asyncpg passes unknown ones to the server "
                        "as settings), e.g. 'plan_cache_mode=force_generic_plan'")
    p.add_argument("--update-docs", action="store_true", help="write every table of the parts run into docs/performance.md")
    p.add_argument("--no-save", action="store_true", help="do not write bench/results/*.json")
    p.add_argument("--tag", default="", help="a side experiment: results go to <time>-TAG.json, latest.json stays")
    a = p.parse_args(argv)
    q = a.quick
    a.duration = a.duration or (3.0 if q else 8.0)
    a.warmup = a.warmup or (1.0 if q else 2.0)
    a.repeat = a.repeat or (1 if q else 2)
    a.large = a.large or (100_000 if q else 1_000_000)
    a.engine_seconds = a.engine_seconds or (2.0 if q else 5.0)
    a.backends = [b.strip() for b in a.backends.split(",") if b.strip()]
    a.parts = "".join(sorted(set(a.parts.lower()) & set("abcdefg")))
    return a
