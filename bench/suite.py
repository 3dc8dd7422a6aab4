"""``python -m bench``: every part in one command — (a)-(e) (bench/run.py), (f) reads at scale (bench/reads.py)
and (g) event latency (bench/events.py) — one results file, and with ``--update-docs`` every table of
docs/performance.md written from that one run. About 25 minutes on the 2-core machine by default: (a)-(e) about
12, (f) about 6 (two backends, 10^3 and 10^6 stored), (g) about 5.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from bench import events, reads
from bench.run import DOC, RESULTS, Bench, log, machine_info, parse_args, print_report, update_docs


def reads_args(a: argparse.Namespace) -> argparse.Namespace:
    """Part (f)'s options from the whole benchmark's: its sizes and rounds; --quick reads fewer requests."""
    return reads.parse_args(
        ["--sizes", f"{a.small},{a.large}", "--backends", ",".join(a.backends), "--repeat", str(a.repeat),
         *(["--requests", "50", "--rate-requests", "150"] if a.quick else []),
         *(["--pg-url", a.pg_url] if a.pg_url else [])])


def run_parts(a: argparse.Namespace) -> dict[str, Any]:
    started = time.time()
    elapsed: dict[str, float] = {}
    command = " ".join(["python -m bench", *sys.argv[1:]])
    if set(a.parts) & set("abcde"):
        t0 = time.time()
        report = Bench(a).run()
        elapsed["a-e"] = round(time.time() - t0, 1)
    else:
        report = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "command": command, "machine": machine_info(),
                  "results": [], "table": [], "targets": [], "skipped": []}
    if "f" in a.parts:
        t0 = time.time()
        log("(f) reads at scale")
        report["reads"] = reads.run(reads_args(a))
        report["reads"]["command"] = command
        elapsed["f"] = round(time.time() - t0, 1)
    if "g" in a.parts and "postgres" in a.backends:  # events are measured on PostgreSQL only
        t0 = time.time()
        seconds = min(a.duration, 3.0 if a.quick else 6.0)
        # through its command line, which prints its table, writes its own results file and, asked to, its table
        report["events"] = events.main(["--duration", f"{seconds:g}", *(["--pg-url", a.pg_url] if a.pg_url else []),
                                        *(["--tag", a.tag] if a.tag else []),
                                        *(["--update-docs"] if a.update_docs else [])])
        elapsed["g"] = round(time.time() - t0, 1)
    report["parts_elapsed_s"] = elapsed
    report["total_elapsed_s"] = round(time.time() - started, 1)
    return report


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    report = run_parts(a)
    ran_main = bool(set(a.parts) & set("abcde"))
    if ran_main:
        print_report(report)
    if "reads" in report:
        print(reads.markdown(report["reads"]))
        reads.print_targets(report["reads"])
    print(f"\nparts: {report['parts_elapsed_s']}, in all {report['total_elapsed_s']:.0f} s")
    if not a.no_save:
        RESULTS.mkdir(exist_ok=True)
        name = time.strftime("%Y%m%d-%H%M%S") + (f"-{a.tag}" if a.tag else "")
        text = json.dumps(report, indent=2)
        (RESULTS / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS / (name + '.json')}")
        if not a.tag:
            (RESULTS / "latest.json").write_text(text, encoding="utf-8")
            print(f"wrote {RESULTS / 'latest.json'}")
    if a.update_docs:
        if ran_main:
            update_docs(report)
        if report.get("reads", {}).get("backends"):
            reads.update_docs(report["reads"])
        print(f"updated {DOC}")
