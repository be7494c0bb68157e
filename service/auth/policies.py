"""Who may do what with roles. Deny by default: anything not allowed here is refused."""

from __future__ import annotations

import uuid

from service.auth.viewer import Role, Viewer

REGION_WIDE_ROLES = frozenset({Role.REGION_STAFF, Role.REGION_ADMIN})


def is_region_admin(viewer: Viewer) -> bool:
    return viewer.is_region_admin


def can_manage_roles(viewer: Viewer, *, town_id: uuid.UUID | None) -> bool:
    """Town admins manage the roles of their own town; region-wide roles only a region admin manages."""
    if town_id is None:
        return is_region_admin(viewer)
    return viewer.has_role(Role.ADMIN, town_id)
