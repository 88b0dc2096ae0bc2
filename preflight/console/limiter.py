"""In-memory per-key failure counter for login attempts (per IP, and per unknown email).

Kept per app instance (one process). Failures older than the window drop off; a key
with `limit` failures inside the window is refused until the oldest of them ages out.
"""
from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta


class FailureLimiter:
    def __init__(self, limit: int, window: timedelta):
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def blocked_until(self, key: str, now: datetime) -> datetime | None:
        """When `key` may try again, or None when it may try now."""
        with self._lock:
            times = self._prune(key, now)
            if len(times) >= self.limit:
                return times[-self.limit] + self.window
            return None

    def fail(self, key: str, now: datetime) -> None:
        with self._lock:
            self._prune(key, now)
            self._failures[key].append(now)
