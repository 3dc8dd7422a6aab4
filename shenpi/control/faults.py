"""Faults on demand: make an endpoint answer an error code, answer late, or lose event deliveries.

A rule names a tenant (or ``*``), an endpoint pattern (the SDK method name, e.g. ``approval.v4.task.approve``;
shell-style wildcards allowed) and what to do: answer ``code``, wait ``latency_ms``, or ``drop_events``. It fires on
the next ``times`` matching calls, or on each with ``probability``, or on every call until cleared.

A faulted answer is raised as a :class:`PlatformError` carrying the code's real message, HTTP status and help link
(looked up from the same error classes the server raises for real), so ``wire.dispatch`` renders it exactly as it
renders the real error. The check runs after the token is authenticated and before scopes, rate limits or the
handler, so a faulted call changes no state and does not count against a rate-limit window.
"""

from __future__ import annotations

import fnmatch
import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from shenpi.engine.errors import DomainError, InternalError
from shenpi.platform import errors as perr
from shenpi.platform.ratelimit import limits_for


class FaultError(ValueError):
    """A rule the admin API cannot accept; the message names the field."""


class InjectedFault(perr.PlatformError):
    """The error a fault answers with: code, msg, HTTP status, help link and headers of the real one."""

    def __init__(self, code: int, msg: str, http_status: int, help_page: str = "",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(msg, headers=headers)
        self.code, self.http_status, self.help_page = code, http_status, help_page


def _error_classes() -> dict[int, type[Exception]]:
    """Every error class the server raises, by wire code (walked at call time, so later additions count)."""
    found: dict[int, type[Exception]] = {InternalError.code: InternalError}
    for base in (DomainError, perr.PlatformError):
        stack: list[type[Any]] = list(base.__subclasses__())
        while stack:
            cls = stack.pop(0)
            stack.extend(cls.__subclasses__())
            code = getattr(cls, "code", 0)
            if code and cls is not InjectedFault:
                found.setdefault(int(code), cls)
    return found


def describe_code(code: int) -> tuple[str, int, str]:
    """(msg, HTTP status, help page) of a known code; FaultError for an unknown one."""
    cls = _error_classes().get(code)
    if cls is None:
        raise FaultError(f"code {code} is not one shenpi knows; give msg and http_status for it")
    return str(getattr(cls, "msg", "")), int(getattr(cls, "http_status", 400)), str(getattr(cls, "help_page", ""))


@dataclass(slots=True)
class FaultRule:
    id: int
    tenant_key: str = "*"
    endpoint: str = "*"
    app_id: str = ""  # "" = any app
    code: int = 0  # 0 = no error (a latency-only or drop rule)
    msg: str = ""
    http_status: int = 0
    help_page: str = ""  # the help link a real answer of this code carries in error.message
    headers: dict[str, str] = field(default_factory=dict)
    latency_ms: int = 0
    drop_events: bool = False
    times: int | None = None  # fire on this many more matching calls, then expire; None = no limit
    probability: float = 1.0
    seed: int | None = None
    hits: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, tenant_key: str, app_id: str, endpoint: str) -> bool:
        return ((self.tenant_key == "*" or self.tenant_key == tenant_key)
                and (not self.app_id or self.app_id == app_id)
                and fnmatch.fnmatchcase(endpoint, self.endpoint))

    def fire(self) -> bool:
        """Whether this matching call is faulted; consumes one of ``times`` when it is."""
        if self.times is not None and self.times <= 0:
            return False
        if self.probability < 1.0 and self._rng.random() >= self.probability:
            return False
        self.hits += 1
        if self.times is not None:
            self.times -= 1
        return True

    @property
    def spent(self) -> bool:
        return self.times is not None and self.times <= 0

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "tenant_key": self.tenant_key, "endpoint": self.endpoint,
                               "probability": self.probability, "hits": self.hits, "remaining": self.times}
        if self.app_id:
            out["app_id"] = self.app_id
        if self.drop_events:
            out["drop_events"] = True
        if self.code:
            out.update(code=self.code, msg=self.msg, http_status=self.http_status)
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.latency_ms:
            out["latency_ms"] = self.latency_ms
        if self.seed is not None:
            out["seed"] = self.seed
        return out


_FIELDS = {"tenant_key", "endpoint", "app_id", "code", "msg", "http_status", "headers", "latency_ms", "drop_events",
           "times", "probability", "seed"}


def _int(body: dict[str, Any], name: str, lo: int, default: int | None = None) -> int | None:
    if body.get(name) is None:
        return default
    v = body[name]
    if not isinstance(v, int) or isinstance(v, bool) or v < lo:
        raise FaultError(f"{name} must be an integer >= {lo}")
    return v


def _str(body: dict[str, Any], name: str, default: str) -> str:
    v = body.get(name, default)
    if not isinstance(v, str) or not v and default:
        raise FaultError(f"{name} must be a non-empty string")
    return v


def parse_rule(rule_id: int, body: Any, known_endpoints: Iterable[str]) -> FaultRule:
    """A rule from its admin-API JSON; FaultError names what is wrong."""
    if not isinstance(body, dict):
        raise FaultError("a fault is a JSON object")
    extra = sorted(set(body) - _FIELDS)
    if extra:
        raise FaultError(f"unknown field {', '.join(extra)}")
    rule = FaultRule(id=rule_id, tenant_key=_str(body, "tenant_key", "*"), endpoint=_str(body, "endpoint", "*"),
                     app_id=_str(body, "app_id", ""))
    rule.drop_events = body.get("drop_events", False) is True
    if "drop_events" in body and not isinstance(body["drop_events"], bool):
        raise FaultError("drop_events must be true or false")
    rule.code = _int(body, "code", 1, 0) or 0
    rule.latency_ms = _int(body, "latency_ms", 0, 0) or 0
    rule.times = _int(body, "times", 1)
    rule.seed = _int(body, "seed", 0)
    p = body.get("probability", 1.0)
    if not isinstance(p, int | float) or isinstance(p, bool) or not 0.0 < p <= 1.0:
        raise FaultError("probability must be a number in (0, 1]")
    rule.probability = float(p)
    rule._rng = random.Random(rule.seed)
    if rule.drop_events:
        if rule.code or rule.latency_ms or body.get("endpoint", "*") != "*":
            raise FaultError("drop_events takes no code, latency_ms or endpoint: it applies to event deliveries")
        return rule
    if not rule.code and not rule.latency_ms:
        raise FaultError("a fault needs a code, a latency_ms or drop_events")
    endpoints = list(known_endpoints)
    if endpoints and not any(fnmatch.fnmatchcase(e, rule.endpoint) for e in endpoints):
        raise FaultError(f"endpoint {rule.endpoint!r} matches no endpoint shenpi serves (e.g. {endpoints[0]})")
    if rule.code:
        msg, status = body.get("msg"), body.get("http_status")
        if msg is None or status is None:  # a known code answers as the real error does
            known_msg, known_status, rule.help_page = describe_code(rule.code)
            msg = known_msg if msg is None else msg
            status = known_status if status is None else status
        if not isinstance(msg, str) or not isinstance(status, int) or isinstance(status, bool) or not 200 <= status < 600:
            raise FaultError("msg must be a string and http_status an HTTP status")
        rule.msg, rule.http_status = msg, status
        headers = body.get("headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            raise FaultError("headers must map header names to strings")
        rule.headers = dict(headers)
    return rule


@dataclass(slots=True)
class Verdict:
    """What the fault book decided for one call."""

    latency_s: float = 0.0
    error: InjectedFault | None = None
    rule_ids: list[int] = field(default_factory=list)


class FaultBook:
    """The rules in force, in the order they were added; the first error rule that fires wins."""

    def __init__(self, now_s: Callable[[], float]) -> None:
        self._now_s = now_s
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, body: Any, known_endpoints: Iterable[str] = ()) -> FaultRule:
        rule = parse_rule(next(self._ids), body, known_endpoints)
        self._rules.append(rule)
        return rule

    def list(self) -> list[FaultRule]:
        return list(self._rules)

    def remove(self, rule_id: int) -> bool:
        before = len(self._rules)
        self._rules = [r for r in self._rules if r.id != rule_id]
        return len(self._rules) != before

    def clear(self) -> None:
        self._rules.clear()

    def __bool__(self) -> bool:
        return bool(self._rules)

    def decide(self, tenant_key: str, app_id: str, endpoint: str, scale: float = 1.0) -> Verdict:
        verdict = Verdict()
        for rule in self._rules:
            if rule.drop_events or not rule.matches(tenant_key, app_id, endpoint) or not rule.fire():
                continue
            verdict.rule_ids.append(rule.id)
            verdict.latency_s += rule.latency_ms / 1000
            if rule.code:
                verdict.error = InjectedFault(rule.code, rule.msg, rule.http_status, rule.help_page,
                                              rule.headers or self._default_headers(rule.code, endpoint, scale))
                break
        return verdict

    def has_drop_rules(self) -> bool:
        return any(r.drop_events and not r.spent for r in self._rules)

    def drop_delivery(self, tenant_key: str, app_id: str) -> bool:
        """Whether the delivery worker should lose this push (it then counts as a failed attempt)."""
        return any(r.drop_events and r.matches(tenant_key, app_id, "*") and r.fire() for r in self._rules)

    def _default_headers(self, code: int, endpoint: str, scale: float) -> dict[str, str]:
        """A faulted 99991400 carries the ogw headers a real one does: the endpoint's limit and the window's end."""
        if code != perr.RateLimited.code:
            return {}
        calls, window = limits_for(endpoint)[0]
        limit = max(1, int(calls * scale)) if scale > 0 else calls
        now = self._now_s()
        reset = max(1, math.ceil((int(now // window) + 1) * window - now))
        return {"x-ogw-ratelimit-limit": str(limit), "x-ogw-ratelimit-reset": str(reset)}
