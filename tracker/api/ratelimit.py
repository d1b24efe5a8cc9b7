"""Per-token rate limit: a sliding window kept in this process.

Each token may make `limit` requests in any `window` seconds; the times of its recent requests
are kept in a deque and the old ones dropped on each hit. State is per process (a second API
process keeps its own count), which is enough to stop a runaway script; put a limit in the
reverse proxy as well if the API is exposed widely.
"""

import threading
import time
from collections import deque
from collections.abc import Callable

from tracker.errors import TrackerError


class RateLimited(TrackerError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many requests for this token; retry in {retry_after:.0f} s")
        self.retry_after = retry_after


class SlidingWindow:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: int) -> None:
        """Count one request for `key`, or raise RateLimited (not counted) when over."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                raise RateLimited(max(1.0, hits[0] + self.window - now))
            hits.append(now)
