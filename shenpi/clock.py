"""Time as the whole server sees it. Injectable, and movable forward for tests (token expiry, windows, ...)."""

from __future__ import annotations

import time

# How far a test may move time: a century. Every timestamp the server stores is a 64-bit count of milliseconds, and
# moved much further (1e17 s) the expiry of every token issued no longer fitted in one, so no token could be issued.
MAX_OFFSET_S = 100 * 365 * 24 * 3600


class Clock:
    def __init__(self, offset_ms: int = 0) -> None:
        self.offset_ms = offset_ms

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def now_s(self) -> float:
        return time.time() + self.offset_ms / 1000

    def advance(self, seconds: float) -> None:
        """Move time forward; ValueError (and time unmoved) past :data:`MAX_OFFSET_S` in all."""
        if not 0 <= seconds <= MAX_OFFSET_S - self.offset_ms / 1000:
            raise ValueError(f"time moves forward by at most {MAX_OFFSET_S} s in all")
        self.offset_ms += int(seconds * 1000)
