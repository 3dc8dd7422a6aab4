"""Time as the whole server sees it. Injectable, and movable forward for tests (token expiry, windows, ...)."""

from __future__ import annotations

import time


class Clock:
    def __init__(self, offset_ms: int = 0) -> None:
        self.offset_ms = offset_ms

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def now_s(self) -> float:
        return time.time() + self.offset_ms / 1000

    def advance(self, seconds: float) -> None:
        self.offset_ms += int(seconds * 1000)
