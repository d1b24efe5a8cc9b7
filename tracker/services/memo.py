"""Per-database memo of expensive reads, keyed by a version that every relevant write bumps.

Every write is audited, so the newest audit id says whether anything changed. A live forecast
is left out of the version on purpose: it is only accepted on an open question, which neither
the question list nor any score depends on until an (audited) edit or resolution. Values are
shared between callers: they must not change them.
"""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlmodel import col, select

from tracker.db import Database
from tracker.models import AuditEvent

T = TypeVar("T")

_MEMO: "weakref.WeakKeyDictionary[Database, dict[str, tuple[int, Any]]]" = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.RLock()  # one computation at a time; a second caller reuses the first's


def write_version(db: Database) -> int:
    """The newest audited write other than a live forecast (reads one index row)."""
    with db.read() as session:
        newest = session.exec(
            select(AuditEvent.id)
            .where(AuditEvent.action != "forecast.create")
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        ).first()
    return newest or 0


def memoised(db: Database, name: str, build: Callable[[], T]) -> T:
    """`build()`, computed once per database handle and write version."""
    version = write_version(db)
    with _LOCK:
        slot = _MEMO.setdefault(db, {})
        hit = slot.get(name)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = build()
        slot[name] = (version, value)
        return value


# per database, per kind of value: its own least-recently-used order and bound
_RECENT: "weakref.WeakKeyDictionary[Database, dict[str, OrderedDict[Hashable, tuple]]]" = (
    weakref.WeakKeyDictionary()
)


def _slots(db: Database, kind: str) -> "OrderedDict[Hashable, tuple]":
    return _RECENT.setdefault(db, {}).setdefault(kind, OrderedDict())


def lookup(db: Database, kind: str, key: Hashable, stamp: Hashable) -> Any | None:
    """The `kind` of value kept under `key` if it was stored with this `stamp` (whatever says
    it is still current), else None."""
    with _LOCK:
        slots = _slots(db, kind)
        hit = slots.get(key)
        if hit is None or hit[0] != stamp:
            return None
        slots.move_to_end(key)
        return hit[1]


def keep(db: Database, kind: str, key: Hashable, stamp: Hashable, value: Any, limit: int) -> None:
    """Store `value` for `lookup`; of each kind only the `limit` most recently used keys are
    kept, for values too many to keep them all."""
    with _LOCK:
        slots = _slots(db, kind)
        slots[key] = (stamp, value)
        slots.move_to_end(key)
        while len(slots) > limit:
            slots.popitem(last=False)


def clear() -> None:
    """Forget every memoised value (benchmarks use it to time cold runs)."""
    with _LOCK:
        _MEMO.clear()
        _RECENT.clear()
