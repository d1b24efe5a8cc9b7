"""Bulk rows for import: SQLAlchemy Core executemany in batches, ids assigned up front.

The ORM's `add_all` + flush builds an object per row and fetches each id back; a big backup
then needs gigabytes and minutes. Here the caller's write transaction reserves the ids first
(`max(id) + 1` on SQLite, which holds the write lock from `BEGIN IMMEDIATE`; a block of the
sequence on PostgreSQL) and inserts plain tuples a batch at a time, so memory is one batch
and the import stays one transaction: all or nothing. The tuples go to the driver's own
`executemany`, or COPY on PostgreSQL (`insert_rows`): SQLAlchemy's per-row parameter
building cost more than the database's work; the columns' bind processors (SQLite's
datetime text, JSON) still apply.
"""

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlmodel import Session

from tracker.models import Forecast, ForecastCdf, ForecastProbability

BATCH = 5_000
FORECAST: Table = Forecast.__table__  # type: ignore[attr-defined]
PROBABILITY: Table = ForecastProbability.__table__  # type: ignore[attr-defined]
CDF: Table = ForecastCdf.__table__  # type: ignore[attr-defined]


class IdBlock:
    """New primary keys for one table inside the current transaction."""

    def __init__(self, session: Session, table: Table) -> None:
        self.session, self.table = session, table
        self.postgres = session.connection().dialect.name == "postgresql"
        self.next = 0
        if not self.postgres:
            latest = session.execute(select(func.max(table.c.id))).scalar()
            self.next = (latest or 0) + 1

    def take(self, n: int) -> list[int]:
        if not n:
            return []
        if not self.postgres:
            start, self.next = self.next, self.next + n
            return list(range(start, start + n))
        sequence = self.session.execute(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": self.table.name}
        ).scalar_one()
        return list(
            self.session.execute(
                text("SELECT nextval(:s) FROM generate_series(1, :n)"), {"s": sequence, "n": n}
            ).scalars()
        )


COLUMNS = (
    "question_id",
    "user_id",
    "created_at",
    "rationale",
    "origin",
    "hidden",
    "session_id",
    "session_phase",
    "summary_id",
    "question_revision",
)
"""The order of the values of a row given to `ForecastWriter.add` (the id is added)."""
REBUILD_AT = 20_000
"""SQLite: from this many new forecasts (and at least as many as are stored), the forecast
table's secondary indexes are dropped for the insert and built again after it, in the same
transaction: one sorted build instead of a random-order update per row."""
CACHE_KIB = 128 * 1024
"""SQLite's page cache for a big import (KiB): the unique index is updated in random order."""


class ForecastWriter:
    """Collects new forecasts (tuples in `COLUMNS` order, plus their vector) and writes them
    a batch at a time; call `close` at the end to write the last batch and restore the
    indexes. `expected`: about how many rows will be added (for the SQLite index choice)."""

    def __init__(self, session: Session, expected: int = 0) -> None:
        self.session = session
        self.ids = IdBlock(session, FORECAST)
        self.sqlite = session.connection().dialect.name == "sqlite"
        self.pending: list[tuple[tuple[Any, ...], list[float]]] = []
        self.cdfs: dict[int, list[float]] = {}  # position in `pending` → CDF (numeric, date)
        self.written = 0
        self.indexes: list[str] = []  # SQLite: the dropped indexes' CREATE statements
        self.cache: int | None = None  # SQLite: the page cache size to restore
        if self.sqlite and expected >= REBUILD_AT and expected >= self.ids.next - 1:
            self._drop_indexes()

    def _drop_indexes(self) -> None:
        conn = self.session.connection()
        found = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",  # not the unique constraint's own index: it stays
            (FORECAST.name,),
        ).all()
        quote = conn.dialect.identifier_preparer.quote
        for name, sql in found:
            conn.exec_driver_sql(f"DROP INDEX {quote(name)}")
            self.indexes.append(sql)
        self.raw: Any = conn.connection.driver_connection
        self.cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")

    def add(
        self, row: tuple[Any, ...], vector: list[float], cdf: list[float] | None = None
    ) -> None:
        self.pending.append((row, vector))
        if cdf is not None:
            self.cdfs[len(self.pending) - 1] = cdf
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        ids = self.ids.take(len(self.pending))
        pending = self.pending
        if self.sqlite:  # the stored text of SQLAlchemy's DateTime and Boolean, made here
            forecasts = [
                (
                    q,
                    u,
                    at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds"),
                    why,
                    origin,
                    int(hidden),
                    s,
                    phase,
                    summary,
                    revision,
                    i,
                )
                for i, ((q, u, at, why, origin, hidden, s, phase, summary, revision), _) in zip(
                    ids, pending, strict=True
                )
            ]
        else:  # aware datetimes and bools as they are: psycopg's COPY adapts them
            forecasts = [(*row, i) for i, (row, _) in zip(ids, pending, strict=True)]
        conn = self.session.connection()
        insert_rows(conn, FORECAST, (*COLUMNS, "id"), forecasts, ready=True)
        cells = [
            (forecast_id, index, p)
            for forecast_id, (_, vector) in zip(ids, pending, strict=True)
            for index, p in enumerate(vector)
        ]
        if cells:  # floats already (to_float, SQLite's processor, would return them as they are)
            insert_rows(
                conn, PROBABILITY, ("forecast_id", "option_index", "probability"), cells, ready=True
            )
        if self.cdfs:
            rows = [(ids[i], cdf) for i, cdf in self.cdfs.items()]
            insert_rows(conn, CDF, ("forecast_id", "cdf"), rows)
        self.written += len(pending)
        self.pending = []
        self.cdfs = {}

    def close(self) -> int:
        self.flush()
        conn = self.session.connection()
        for sql in self.indexes:
            conn.exec_driver_sql(sql)
        self.indexes = []
        self.restore_cache()
        if not self.sqlite and self.written >= REBUILD_AT:
            # fresh statistics: autovacuum would take its time, and until then PostgreSQL
            # plans with a guess (200 forecasts) that can make a join quadratic
            conn.exec_driver_sql("ANALYZE forecast, forecast_probability")
        return self.written

    def restore_cache(self) -> None:
        """SQLite: the connection's page cache back to its size (also when the import fails:
        the pooled connection outlives it)."""
        if self.cache is not None:  # on the driver's connection: usable whatever the session
            self.raw.execute(f"PRAGMA cache_size = {int(self.cache)}")
            self.cache = None


def insert_rows(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    ready: bool = False,
) -> None:
    """INSERT `rows` (tuples in the order of `names`) with the driver's executemany, each value
    passed through its column's bind processor as SQLAlchemy would (`ready`: the caller did)."""
    dialect = conn.dialect
    processors = [
        (k, p)
        for k, name in enumerate(names)
        if not ready and (p := table.c[name].type._cached_bind_processor(dialect)) is not None
    ]
    if processors:
        rows = [_processed(row, processors) for row in rows]
    quote = dialect.identifier_preparer.quote
    into = f"{quote(table.name)} ({', '.join(quote(n) for n in names)})"
    if dialect.name == "postgresql":  # COPY: several times faster than INSERT, same transaction
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {into} FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO {into} VALUES ({', '.join([mark] * len(names))})", rows)


def _processed(row: tuple[Any, ...], processors: list[tuple[int, Any]]) -> tuple[Any, ...]:
    values = list(row)
    for k, process in processors:
        if values[k] is not None:
            values[k] = process(values[k])
    return tuple(values)
