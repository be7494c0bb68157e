"""Who may moderate, set a town's policy and read its audit log. Deny by default."""

from __future__ import annotations

import uuid

from service.auth.viewer import Role, Viewer

MODERATING_ROLES = (Role.MODERATOR, Role.ADMIN)


def can_moderate(viewer: Viewer, town_id: uuid.UUID) -> bool:
    """The town's moderators and admins (and region admins): the queue and decisions on contributions."""
    return any(viewer.has_role(role, town_id) for role in MODERATING_ROLES)


def can_see_moderation(viewer: Viewer, *, author_id: uuid.UUID, town_id: uuid.UUID) -> bool:
    """Why a contribution was held or rejected: its author and the town's moderators and admins."""
    return (viewer.user_id is not None and viewer.user_id == author_id) or can_moderate(viewer, town_id)


def can_read_audit_log(viewer: Viewer, town_id: uuid.UUID) -> bool:
    return can_moderate(viewer, town_id)


def can_set_policy(viewer: Viewer, town_id: uuid.UUID) -> bool:
    """The town's admins and region admins."""
    return viewer.has_role(Role.ADMIN, town_id)


def moderates_somewhere(viewer: Viewer) -> bool:
    return viewer.is_region_admin or any(grant.role in MODERATING_ROLES for grant in viewer.grants)
