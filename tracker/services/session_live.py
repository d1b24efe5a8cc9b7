"""What a live session page polls: a small stamp that changes whenever the session moves on
or anyone records a forecast in it, so open pages redraw within one poll, and only then."""

from sqlalchemy import func
from sqlmodel import select

from tracker.db import Database
from tracker.models import Forecast, ForecastSession


def activity_stamp(db: Database, session_id: int) -> tuple[str, int, int]:
    """(phase, forecasts recorded with the session, the newest one's id)."""
    with db.read() as session:
        phase = session.exec(
            select(ForecastSession.phase).where(ForecastSession.id == session_id)
        ).one_or_none()
        count, newest = session.exec(
            select(func.count(), func.max(Forecast.id)).where(Forecast.session_id == session_id)
        ).one()
    return (phase or "", int(count or 0), int(newest or 0))
