"""Identifiers in Feishu's shapes: numeric task ids, UUID-like codes, ``t-`` tokens, derived user ids."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time

_EPOCH_MS = 1_288_834_974_657  # snowflake epoch: ids come out 19 digits long, like Feishu's
_node = int.from_bytes(os.urandom(2), "big") & 0x3FF  # 10 bits, random per process
_node_bits = _node << 12
_last = 0  # the last snowflake issued: its millisecond and sequence are the state
_lock = threading.Lock()
_time_ns = time.time_ns


def snowflake() -> int:
    """A 63-bit, time-ordered id unique across processes (random node bits + per-ms sequence)."""
    global _last
    with _lock:
        new = (_time_ns() // 1_000_000 - _EPOCH_MS) << 22 | _node_bits  # this millisecond, sequence 0
        last = _last
        if new <= last:  # this millisecond (or a later one, the clock having gone back) has ids: count on from there
            new = last + 1 if last & 0xFFF != 0xFFF else ((last >> 22) + 1) << 22 | _node_bits
        _last = new
        return new


def task_id() -> str:
    return str(snowflake())


# Codes are drawn from the operating system's randomness in batches, turned to hex once per batch: one system call
# and one conversion for 256 codes. Each code is still 122 fresh random bits, so knowing one code tells nothing
# about the next: codes name instances in URLs and API paths, and must not be guessable.
_RANDOM_BATCH = 16 * 256
_hex = ""
_hex_at = 0
_hex_lock = threading.Lock()
_VARIANT = "89AB89AB89AB89AB"  # a hex digit's value -> the RFC 4122 variant digit (10xx) keeping its low bits


def code() -> str:
    """An approval or instance code: ``7C468A54-8745-4245-9675-08B7C63E7A85``, a random (version 4) UUID in
    upper case (a quarter of the cost of ``str(uuid.uuid4()).upper()``, which every instance paid on create)."""
    global _hex, _hex_at
    with _hex_lock:
        if _hex_at == len(_hex):
            _hex, _hex_at = os.urandom(_RANDOM_BATCH).hex().upper(), 0
        at = _hex_at
        _hex_at = at + 32
    h = _hex[at:at + 32]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16)]}{h[17:20]}-{h[20:]}"


def _reseed() -> None:
    """A forked child draws its own node bits and its own random bytes: it must not issue its parent's ids."""
    global _node, _node_bits, _hex, _hex_at
    _node = int.from_bytes(os.urandom(2), "big") & 0x3FF
    _node_bits = _node << 12
    _hex, _hex_at = "", 0


os.register_at_fork(after_in_child=_reseed)


def access_token(prefix: str = "t-") -> str:
    return prefix + secrets.token_hex(20)


def log_id() -> str:
    """An ``X-Tt-Logid``: timestamp then random hex, like Feishu's ``202307211618216F3E9EB64DC7E1234``."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(10).upper()


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def derived_open_id(tenant_key: str, user_id: str) -> str:
    return "ou_" + _digest("open", tenant_key, user_id)[:32]


def derived_union_id(tenant_key: str, user_id: str) -> str:
    return "on_" + _digest("union", tenant_key, user_id)[:32]


def derived_apaas_user_id(tenant_key: str, user_id: str) -> str:
    """A kunlun-style numeric id (16 digits, like ``1783981209205788``), stable for the user."""
    return "17" + str(int(_digest("apaas", tenant_key, user_id)[:16], 16) % 10**14).zfill(14)
