"""The audit trail: who changed what, when, with the before and after state."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.models import AuditEvent
from tracker.schemas import Actor, AuditRead


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    *,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an audit event to the caller's transaction, so it commits or fails with the change."""
    session.add(
        AuditEvent(
            at=at,
            actor_id=actor.user_id,
            actor_name=actor.name,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            before=_jsonable(before),
            after=_jsonable(after),
        )
    )


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in value.items()}


def list_events(
    db: Database, *, entity_type: str | None = None, entity_id: str | None = None, limit: int = 200
) -> list[AuditRead]:
    with db.read() as session:
        query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
        if entity_type:
            query = query.where(AuditEvent.entity_type == entity_type)
        if entity_id:
            query = query.where(AuditEvent.entity_id == entity_id)
        return [
            AuditRead(
                at=e.at,
                actor=e.actor_name,
                action=e.action,
                entity_type=e.entity_type,
                entity_id=e.entity_id,
                before=e.before,
                after=e.after,
            )
            for e in session.exec(query)
        ]
