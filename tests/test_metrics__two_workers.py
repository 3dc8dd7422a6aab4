"""``shenpi serve --workers 2``: a scrape, whichever worker answers it, counts the requests both workers served
(prometheus_client's multi-process mode, in a directory ``serve`` creates and removes), and the outbox depth read
from the database."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from lark_oapi.api.approval.v4 import SubscribeApprovalRequest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from shenpi.testing import forget_sdk_tokens
from shenpi.testing.process import free_port
from tests.api.helpers import create_instance
from tests.conftest import start_server
from tests.seeds import test_seed
from tests.test_metrics__scrape import GET, _client, _get, scrape, value, wait_for

BATCH = 24


def _per_worker(directory: Path, scratch: Path) -> dict[str, float]:
    """Each worker process's own count of approval.get calls, read from its file alone: pid -> count."""
    counts = {}
    for file in directory.glob("counter_*.db"):
        alone = scratch / file.stem
        alone.mkdir(exist_ok=True)
        shutil.copy(file, alone / file.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        counts[file.stem.removeprefix("counter_")] = sum(
            s.value for f in text_string_to_metric_families(generate_latest(registry).decode())
            for s in f.samples if s.name == "shenpi_api_requests_total" and s.labels["endpoint"] == GET)
    return counts


def test_counts_from_both_workers_add_up(backend, tmp_path, monkeypatch):
    temp = tmp_path / "temp"  # where serve makes its metrics directory (tempfile follows TMPDIR)
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    seed = test_seed()
    seed["tenants"][0]["apps"].append({"app_id": "cli_acme_gone", "app_secret": "gone", "scopes": ["approval:approval"],
                                       "event_url": f"http://127.0.0.1:{free_port()}/events"})  # nothing listens
    srv = start_server(tmp_path, "two", backend, seed, workers=2, rate_limit_scale=0)
    forget_sdk_tokens()
    try:
        directory = next(temp.glob("shenpi-metrics-*"))
        client = _client(srv.base_url, "cli_acme", "s3cret")
        driven = 0
        with ThreadPoolExecutor(8) as pool:
            # calls side by side, on a new connection each, until both workers have served some (each its own file)
            while driven < 20 * BATCH and len([n for n in _per_worker(directory, tmp_path).values() if n]) < 2:
                assert [r.code for r in pool.map(lambda _: _get(client, "LEAVE"), range(BATCH))] == [0] * BATCH
                driven += BATCH
        per_worker = _per_worker(directory, tmp_path)
        scrapes = [scrape(srv.base_url) for _ in range(6)]  # a new connection each: either worker may answer

        gone = _client(srv.base_url, "cli_acme_gone", "gone")
        assert gone.approval.v4.approval.subscribe(
            SubscribeApprovalRequest.builder().approval_code("AND2").build()).code == 0
        create_instance(client, "AND2")
        # its first attempt failed: the delivery waits 15 s for the next, with its stream behind it
        retrying = wait_for(lambda: s if value(s := scrape(srv.base_url), "shenpi_event_delivery_attempts_total",
                                               result="retry") >= 1 else None)
        pending = srv.admin("GET", "deliveries", params={"state": "pending"})["items"]
    finally:
        srv.close()
        forget_sdk_tokens()

    assert len([n for n in per_worker.values() if n]) == 2, per_worker
    assert sum(per_worker.values()) == driven
    for samples in scrapes:
        assert value(samples, "shenpi_api_requests_total", endpoint=GET, code="0", status="200") == driven
        assert value(samples, "shenpi_api_request_duration_seconds_count", endpoint=GET) == driven
    assert pending and value(retrying, "shenpi_outbox_depth") == len(pending)
    assert not directory.exists()  # removed once the workers stopped


def test_no_metrics_makes_no_directory(tmp_path, monkeypatch):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    srv = start_server(tmp_path, "unmetered", workers=2, args=["--no-events", "--no-metrics"])
    try:
        answer = httpx.get(srv.base_url + "/metrics")
        made = list(temp.iterdir())
    finally:
        srv.close()
    assert answer.status_code == 404 and made == []
