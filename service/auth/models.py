from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from service.auth.viewer import Role
from service.db.base import Base, IdMixin

_ROLE_VALUES = ", ".join(f"'{role.value}'" for role in Role)


class RoleGrant(IdMixin, Base):
    """A role a person holds in one town (or region-wide when `town_id` is NULL). Changes go to the audit log."""

    __tablename__ = "role_grants"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    granted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (
        UniqueConstraint("user_id", "role", "town_id", "organisation_id", postgresql_nulls_not_distinct=True),
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="known_role"),
        CheckConstraint("role <> 'region_staff' OR town_id IS NULL", name="region_staff_is_region_wide"),
        CheckConstraint(
            "role <> 'organisation_manager' OR organisation_id IS NOT NULL", name="manager_has_organisation"
        ),
        CheckConstraint("role <> 'region_admin' OR town_id IS NULL", name="region_admin_is_region_wide"),
        CheckConstraint("role <> 'admin' OR town_id IS NOT NULL", name="admin_has_a_town"),
        Index(None, "town_id"),
        Index(None, "user_id"),
        Index(None, "organisation_id"),
    )
