"""What a server counts for Prometheus, and the text ``GET /metrics`` answers.

The counters and histograms live in ``prometheus_client``'s default registry. Under ``shenpi serve --workers N``
every worker process writes its values to files in ``PROMETHEUS_MULTIPROC_DIR`` (``serve`` creates that directory,
sets the variable before the workers start, and removes it when they have stopped), and a scrape, answered by
whichever worker the connection reached, reads every process's files: the counts add up over the workers.

Labels stay bounded: an endpoint is the contract's name (``approval.v4.task.reject``), never a raw path, and no
label carries an app id, a user or an instance. Recording is a no-op until :func:`enable` (``--no-metrics``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
RATE_LIMITED = 99991400  # the Open Platform's "request trigger frequency limit"

# A ``_created`` sample beside every series doubles a scrape's size and tells Prometheus nothing it uses.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Seconds: an Open API call is a few hundred microseconds to tens of milliseconds; a delivery from commit to its
# receiver's acknowledgement is milliseconds when all is well and up to hours when it went through retries.
_REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_DELIVERY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0, 300.0, 3600.0, 6 * 3600.0, 24 * 3600.0)

api_requests = Counter("shenpi_api_requests", "Open API requests answered, by contract endpoint, Feishu code and "
                       "HTTP status", ["endpoint", "code", "status"])
api_seconds = Histogram("shenpi_api_request_duration_seconds", "Open API request latency, arrival to answer, by "
                        "contract endpoint", ["endpoint"], buckets=_REQUEST_BUCKETS)
rate_limited = Counter("shenpi_rate_limit_rejections", "Open API requests refused with 99991400 (a rate limit), by "
                       "contract endpoint", ["endpoint"])
http_requests = Counter("shenpi_http_requests", "Web inbox and admin API requests answered, by area and HTTP status",
                        ["area", "status"])
http_seconds = Histogram("shenpi_http_request_duration_seconds", "Web inbox and admin API request latency, by area",
                         ["area"], buckets=_REQUEST_BUCKETS)
delivery_attempts = Counter("shenpi_event_delivery_attempts", "Event delivery attempts, by result: delivered, retry "
                            "(failed, sent again later), dead (failed for the last time), lease_lost (another process "
                            "took it over)", ["result"])
delivery_retries = Counter("shenpi_event_delivery_retries", "Event delivery attempts that failed and were rescheduled")
dead_letters = Counter("shenpi_event_dead_letters", "Event deliveries dead-lettered after their last retry")
delivery_seconds = Histogram("shenpi_event_delivery_latency_seconds", "From the commit that queued an event to its "
                             "receiver's acknowledgement", buckets=_DELIVERY_BUCKETS)

_on = [False]
_api: dict[tuple[str, int, int], Counter] = {}  # label children, looked up once: a request pays two dict reads
_api_time: dict[str, Histogram] = {}


def enable(on: bool = True) -> None:
    """Record from now on (the server calls it at build, from ``--metrics``); one server per process."""
    _on[0] = on


def enabled() -> bool:
    return _on[0]


def api_request(endpoint: str, code: int, status: int, seconds: float) -> None:
    """One Open API request answered (shenpi.logs.log_request calls it beside the request's log line)."""
    if not _on[0]:
        return
    key = (endpoint, code, status)
    if (counter := _api.get(key)) is None:
        counter = _api[key] = api_requests.labels(endpoint, str(code), str(status))
    counter.inc()
    if (timer := _api_time.get(endpoint)) is None:
        timer = _api_time[endpoint] = api_seconds.labels(endpoint)
    timer.observe(seconds)
    if code == RATE_LIMITED:
        rate_limited.labels(endpoint).inc()


def http_request(area: str, status: int, seconds: float) -> None:
    """One web inbox (``web``) or admin API (``admin``) request answered."""
    if _on[0]:
        http_requests.labels(area, str(status)).inc()
        http_seconds.labels(area).observe(seconds)


def event_delivery(result: str, since_commit_ms: int) -> None:
    """One delivery attempt's result; ``since_commit_ms``: from the commit that queued the event to now."""
    if not _on[0]:
        return
    delivery_attempts.labels(result).inc()
    if result == "delivered":
        delivery_seconds.observe(max(0, since_commit_ms) / 1000)
    elif result == "retry":
        delivery_retries.inc()
    elif result == "dead":
        dead_letters.inc()


def multiprocess() -> bool:
    """Whether this process writes its values for a multi-process scrape (``serve --workers`` > 1)."""
    return bool(os.environ.get(MULTIPROCESS_ENV))


def exposition(gauges: Mapping[str, tuple[str, float]]) -> bytes:
    """The scrape's text: every process's counters and histograms, then ``gauges`` (name: (help, value)), values
    the scraping process has just read from the database (so every worker answers the same, and none is stale)."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    now = CollectorRegistry()
    now.register(_Gauges(gauges))
    return text + generate_latest(now)


def process_exited() -> None:
    """A worker process stops: its live gauges leave the multi-process files (its counters stay counted)."""
    if multiprocess():
        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class _Gauges:
    def __init__(self, gauges: Mapping[str, tuple[str, float]]) -> None:
        self._gauges = gauges

    def collect(self) -> list[GaugeMetricFamily]:
        return [GaugeMetricFamily(name, text, value=value) for name, (text, value) in self._gauges.items()]
