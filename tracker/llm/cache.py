"""Summary cache keys and the cache interface: a repeat request must cost nothing.

The key covers everything that can change the output: the question's wording (and revision),
each evidence item's id, content hash, title and dates, the `since` time, the prompt version,
the engine and the model. It does not depend on the order evidence is listed in.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Protocol

from tracker.llm.schema import SummaryRequest, SummaryResult

KEY_FORMAT = "summary-key/3"


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def cache_key(request: SummaryRequest, engine: str, model: str, prompt_version: str) -> str:
    """sha256 hex (64 chars) of a canonical JSON of the request and how it is summarised."""
    q = request.question
    payload = {
        "format": KEY_FORMAT,
        "question": {
            "id": q.id,
            "revision": q.revision,
            "title": q.title,
            "type": q.type,
            "options": q.options,
            "description": q.description,
            "resolution_criteria": q.resolution_criteria,
            "keywords": q.keywords,
            "open_time": _time(q.open_time),
            "close_time": _time(q.close_time),
        },
        "evidence": sorted(
            [d.id, d.content_hash, d.title, d.outlet, _time(d.published_at), _time(d.added_at)]
            for d in request.evidence
        ),
        "since": _time(request.since),
        "since_what": request.since_what,
        "prompt_version": prompt_version,
        "engine": engine,
        "model": model,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class SummaryCache(Protocol):
    """Where finished summaries are kept by key (in memory here; the app's is the database)."""

    def get(self, key: str) -> SummaryResult | None: ...

    def put(self, key: str, result: SummaryResult) -> None: ...


class InMemorySummaryCache:
    """A thread-safe LRU cache for one process (tests, the CLI, a single Streamlit server)."""

    def __init__(self, max_items: int = 1024) -> None:
        self._items: OrderedDict[str, SummaryResult] = OrderedDict()
        self._lock = threading.Lock()
        self.max_items = max_items

    def get(self, key: str) -> SummaryResult | None:
        with self._lock:
            result = self._items.get(key)
            if result is not None:
                self._items.move_to_end(key)
            return result

    def put(self, key: str, result: SummaryResult) -> None:
        with self._lock:
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
