"""Bounded waits on a language model: a deadline per request and a circuit breaker per batch.

A deadline, not a per-try timeout: one question's summary costs at most `LLM_TIMEOUT_S` in all,
retries and the JSON-mode retry included. A breaker stops a batch from calling a server that
has failed or timed out `limit` times in a row; the rest of the batch falls back at once, and
the reason names the last failure.
"""

import threading
import time
from dataclasses import dataclass, field

FAILURES_BEFORE_OPEN = 3


@dataclass
class Deadline:
    """Seconds left until a fixed point on the monotonic clock."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def expired(self, margin: float = 0.0) -> bool:
        return self.remaining() <= margin


class CircuitBreaker:
    """Counts consecutive failures of one server across the requests of a batch (thread-safe).

    Once a request has failed, a new one waits for those still in flight before it decides: a
    hung server then costs the batch one deadline (the first wave times out together and the
    breaker opens), not a second wave of requests started while the first was still hanging.
    """

    def __init__(self, limit: int = FAILURES_BEFORE_OPEN) -> None:
        self.limit = limit
        self._changed = threading.Condition()
        self._in_a_row = 0
        self._in_flight = 0
        self._last = ""
        self.skipped = 0

    @property
    def is_open(self) -> bool:
        with self._changed:
            return self._in_a_row >= self.limit

    def reason(self) -> str:
        with self._changed:
            return (
                f"the LLM server failed {self._in_a_row} times in a row in this batch, so it was "
                f"not asked again (last failure: {self._last})"
            )

    def begin(self) -> bool:
        """May the next request call the server? If so it is in flight until `succeeded` or
        `failed`; if not, it is counted as skipped."""
        with self._changed:
            while 0 < self._in_a_row < self.limit and self._in_flight:
                self._changed.wait()
            if self._in_a_row >= self.limit:
                self.skipped += 1
                return False
            self._in_flight += 1
            return True

    def succeeded(self) -> None:
        with self._changed:
            self._in_flight -= 1
            self._in_a_row = 0
            self._changed.notify_all()

    def failed(self, reason: str) -> None:
        with self._changed:
            self._in_flight -= 1
            self._in_a_row += 1
            self._last = reason
            self._changed.notify_all()
