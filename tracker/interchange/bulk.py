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
from operator import itemgetter
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


class ForecastWriter:
    """Collects new forecasts (column dicts without an id, plus their vector) and writes them
    a batch at a time; call `close` at the end to write the last batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids = IdBlock(session, FORECAST)
        self.pending: list[tuple[dict[str, Any], list[float]]] = []
        self.cdfs: dict[int, list[float]] = {}  # position in `pending` → CDF (numeric, date)
        self.written = 0

    def add(self, row: dict[str, Any], vector: list[float], cdf: list[float] | None = None) -> None:
        self.pending.append((row, vector))
        if cdf is not None:
            self.cdfs[len(self.pending) - 1] = cdf
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        ids = self.ids.take(len(self.pending))
        columns = tuple(self.pending[0][0])
        values = itemgetter(*columns)  # every row has the same keys
        forecasts = [(*values(row), i) for i, (row, _) in zip(ids, self.pending, strict=True)]
        conn = self.session.connection()
        insert_rows(conn, FORECAST, (*columns, "id"), forecasts)
        cells = [
            (forecast_id, index, p)
            for forecast_id, (_, vector) in zip(ids, self.pending, strict=True)
            for index, p in enumerate(vector)
        ]
        if cells:
            insert_rows(conn, PROBABILITY, ("forecast_id", "option_index", "probability"), cells)
        if self.cdfs:
            rows = [(ids[i], cdf) for i, cdf in self.cdfs.items()]
            insert_rows(conn, CDF, ("forecast_id", "cdf"), rows)
        self.written += len(self.pending)
        self.pending = []
        self.cdfs = {}

    def close(self) -> int:
        self.flush()
        return self.written


def insert_rows(
    conn: Connection, table: Table, names: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT `rows` (tuples in the order of `names`) with the driver's executemany, each value
    passed through its column's bind processor as SQLAlchemy would."""
    dialect = conn.dialect
    processors = [
        (k, p)
        for k, name in enumerate(names)
        if (p := table.c[name].type._cached_bind_processor(dialect)) is not None
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
