from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from survey.audit.models import AuditEvent


def record(
    db: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | str,
    organisation_id: int | None = None,
    **details: Any,
) -> None:
    """Add an audit event to the current transaction."""
    db.add(
        AuditEvent(
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            organisation_id=organisation_id,
            details=details,
        )
    )
