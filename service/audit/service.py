from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.models import AuditEntry
from service.auth.viewer import Viewer


def record(
    session: AsyncSession,
    actor: Viewer | None,
    *,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID | None,
    town_id: uuid.UUID | None,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the request's transaction; `actor` None means the system (a worker, the CLI)."""
    entry = AuditEntry(
        town_id=town_id,
        actor_id=actor.user_id if actor else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        reason=reason,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry
