"""What a server writes to stdout: a line at start, one per request (Open API, web inbox, admin API; not the health
check or the metrics scrape, which come every few seconds and say nothing), one per event delivery attempt.

Each kind of line is one ``logging`` call whose message format has its field names beside it (:data:`LINES`), so the
same record becomes plain text (``key=value`` after the time) or, with ``--log-format json``, one JSON object with
exactly those keys and ``time``. Other records (warnings, errors) keep their level and logger name. Nothing logged
here carries a secret: no token, no query string, no database password (:func:`mask_url`). The request and delivery
lines are also where the Prometheus metrics are recorded (:mod:`shenpi.metrics`): one hook for both.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from shenpi import metrics

requests = logging.getLogger("shenpi.requests")
deliveries = logging.getLogger("shenpi.deliveries")
starts = logging.getLogger("shenpi.start")

REQUEST_LINE = "%s %s status=%d code=%d duration_ms=%.1f log_id=%s app_id=%s"
REQUEST_KEYS = ("method", "path", "status", "code", "duration_ms", "log_id", "app_id")
DELIVERY_LINE = "event %s event_id=%s app_id=%s attempt=%d duration_ms=%.1f error=%r"
DELIVERY_KEYS = ("delivery", "event_id", "app_id", "attempt", "duration_ms", "error")
HTTP_LINE = "%s %s status=%d duration_ms=%.1f area=%s"
HTTP_KEYS = ("method", "path", "status", "duration_ms", "area")
START_LINE = "shenpi %s serving on %s database=%s workers=%d admin_api=%s events=%s demo=%s"
START_KEYS = ("version", "address", "database", "workers", "admin_api", "events", "demo")
LINES: dict[str, tuple[str, ...]] = {REQUEST_LINE: REQUEST_KEYS, HTTP_LINE: HTTP_KEYS, DELIVERY_LINE: DELIVERY_KEYS,
                                     START_LINE: START_KEYS}
FORMATS = ("plain", "json")


def log_request(scope: Mapping[str, Any], status: int, code: int, started: float, log_id: str,
                app_id: str | None, endpoint: str) -> None:
    """One Open API request, answered; ``started`` is its ``time.perf_counter()`` at arrival, ``endpoint`` the
    contract's name of its route (the metrics' label). The path is the one sent, still percent-encoded (so a line
    stays one line), without its query (where a client may put secrets)."""
    seconds = time.perf_counter() - started
    metrics.api_request(endpoint, code, status, seconds)
    if requests.isEnabledFor(logging.INFO):
        requests.info(REQUEST_LINE, scope["method"], _path(scope), status, code, seconds * 1000, log_id, app_id)


def log_http(scope: Mapping[str, Any], status: int, started: float, area: str) -> None:
    """One web inbox (``area`` ``web``) or admin API (``admin``) request, answered: the path without its query (a
    sign-in's redirect, an OAuth state), never a header (a session cookie, the admin token) or a body (a password)."""
    seconds = time.perf_counter() - started
    metrics.http_request(area, status, seconds)
    if requests.isEnabledFor(logging.INFO):
        requests.info(HTTP_LINE, scope["method"], _path(scope), status, seconds * 1000, area)


def _path(scope: Mapping[str, Any]) -> str:
    raw = scope.get("raw_path")
    return raw.decode("latin-1") if isinstance(raw, bytes) else str(scope["path"])


def mask_url(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***`` (database URLs are printed at start, also when they are
    malformed: a bad port or IPv6 host makes urllib refuse them, and then what looks like ``user:password@`` is masked)."""
    try:
        parts = urlsplit(url)
        if not parts.password:
            return url
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return _USERINFO.sub(r"\1***@", url)
    return urlunsplit(parts._replace(netloc=netloc))


_USERINFO = re.compile(r"(://[^:/@]*:)[^@]*@")


def without_query(text: str) -> str:
    """``text`` (an error message) with the query of any URL in it cut: a receiver's URL may carry a secret there."""
    return _URL_QUERY.sub(r"\1?...", text)


_URL_QUERY = re.compile(r"(https?://[^\s?#'\"]*)\?[^\s'\"]*")


_second: list[Any] = [-1, ""]  # the last second formatted, and its text: a server logs many lines a second


def _time(record: logging.LogRecord) -> str:
    second = int(record.created)
    if second != _second[0]:
        _second[:] = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
    return f"{_second[1]}.{int(record.msecs):03d}Z"


class _Formatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        # What the logging HOWTO's "Optimization" section turns off when nothing shows it: a record's caller, thread
        # and process. A server process that formats with these has no use for them, and they cost each request.
        logging._srcfile = None
        logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False


class PlainFormatter(_Formatter):
    """``<time> <line>`` for shenpi's own lines; ``<time> <LEVEL> <logger>: <message>`` (and a traceback) else."""

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.msg, str) and record.msg in LINES:
            return f"{_time(record)} {record.getMessage()}"
        text = f"{_time(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JsonFormatter(_Formatter):
    """One JSON object per record: ``time`` and a shenpi line's own keys, else ``level``, ``logger``, ``message``
    (and ``exception``, the traceback as one string, so that a record stays one line)."""

    def format(self, record: logging.LogRecord) -> str:
        keys = LINES.get(record.msg) if isinstance(record.msg, str) else None
        obj: dict[str, Any] = {"time": _time(record)}
        if keys is not None and isinstance(record.args, tuple):
            obj.update(zip(keys, record.args, strict=True))
            if "duration_ms" in obj:
                obj["duration_ms"] = round(obj["duration_ms"], 1)
        else:
            obj.update(level=record.levelname, logger=record.name, message=record.getMessage())
            if record.exc_info:
                obj["exception"] = self.formatException(record.exc_info)
        return json.dumps(obj, ensure_ascii=False, default=str)


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` for a server process (uvicorn applies it in every worker): everything to
    stdout in ``log_format``; shenpi's own lines always, other records from ``level`` up."""
    formatter = JsonFormatter if log_format == "json" else PlainFormatter
    own = {"level": "INFO", "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"shenpi": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "shenpi", "stream": "ext://sys.stdout"}},
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": {requests.name: own, deliveries.name: own, starts.name: own},
    }
