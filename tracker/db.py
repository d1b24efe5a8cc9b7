"""Engine and transactions.

Writes go through `Database.write()`: one short explicit transaction. On SQLite it starts with
`BEGIN IMMEDIATE` so two writers never deadlock half-way through a read-then-write; if the lock
cannot be had within busy_timeout, the BEGIN is retried a bounded number of times.
"""

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlmodel import Session

from tracker.config import Settings, get_settings
from tracker.errors import Conflict, InvalidInput
from tracker.text import fold

WRITE_BEGIN_ATTEMPTS = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _install_sqlite_pragmas(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # case-insensitive search beyond ASCII, as PostgreSQL's lower() does it
        dbapi_connection.create_function("tracker_fold", 1, _sql_fold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        if not conn.get_execution_options().get("sqlite_immediate", False):
            conn.exec_driver_sql("BEGIN")
            return
        _begin_immediate(conn.connection.driver_connection, busy_timeout_ms / 1000)


def _sql_fold(value: object) -> str | None:
    return None if value is None else fold(str(value))


def _begin_immediate(dbapi_connection: sqlite3.Connection, timeout_s: float) -> None:
    """Take the write lock, polling briefly with jitter rather than SQLite's busy handler,
    whose sleeps grow to 100 ms and let a few waiting writers starve under load."""
    deadline = time.monotonic() + timeout_s
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise
                time.sleep(random.uniform(0.0005, 0.003))
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(timeout_s * 1000)}")


def make_engine(url: str, *, busy_timeout_ms: int = 5000) -> Engine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _install_sqlite_pragmas(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """The handle every service takes: an engine, write transactions, and the clock.

    The clock is injectable so tests can put the server in the future without sleeping; it
    is still the server's clock, never the client's.
    """

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = 5000,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.url = url
        self.engine = make_engine(url, busy_timeout_ms=busy_timeout_ms)
        self.sqlite = is_sqlite(url)
        self._write_engine = (
            self.engine.execution_options(sqlite_immediate=True) if self.sqlite else self.engine
        )
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "Database":
        settings = settings or get_settings()
        return cls(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A short write transaction: commits on success, rolls back on any exception."""
        with Session(self._write_engine, expire_on_commit=False) as session:
            self._begin(session)
            try:
                yield session
                session.commit()
            except IntegrityError as exc:
                session.rollback()
                raise Conflict(
                    "the change conflicts with what is already stored (a duplicate or a "
                    "broken reference); nothing was saved"
                ) from exc
            except DataError as exc:  # PostgreSQL enforces column lengths and ranges
                session.rollback()
                raise InvalidInput(
                    "a value does not fit the database (too long or out of range); "
                    "nothing was saved"
                ) from exc
            except BaseException:
                session.rollback()
                raise

    def _begin(self, session: Session) -> None:
        # The SQLite begin hook raises sqlite3's own error (SQLAlchemy does not wrap errors
        # raised in event hooks), so both kinds are retried; the last failure is a user error.
        for attempt in range(WRITE_BEGIN_ATTEMPTS):
            try:
                session.connection()
                return
            except (OperationalError, sqlite3.OperationalError) as exc:
                if "locked" not in str(exc).lower():
                    raise
                session.rollback()
                if attempt == WRITE_BEGIN_ATTEMPTS - 1:
                    raise Conflict(
                        "the database is busy (another write held it too long); nothing was "
                        "saved, please try again"
                    ) from exc
                time.sleep(0.05 * (attempt + 1))

    def dispose(self) -> None:
        self.engine.dispose()
