"""Who is asking: the acting person (or nobody) and the roles they hold, per town."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from service.kit.errors import NotAuthenticated


class Role(StrEnum):
    MODERATOR = "moderator"
    STAFF = "staff"
    ADMIN = "admin"
    ORGANISATION_MANAGER = "organisation_manager"
    REGION_STAFF = "region_staff"
    # Administers every town and the region-wide roles; held without a town. (Stored as `admin` without a town
    # before migration 0011.)
    REGION_ADMIN = "region_admin"


@dataclass(frozen=True)
class Grant:
    """A role in one town; `town_id` None means region-wide (region staff, region admin)."""

    role: Role
    town_id: uuid.UUID | None
    organisation_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Viewer:
    user_id: uuid.UUID | None = None
    home_town_id: uuid.UUID | None = None
    grants: frozenset[Grant] = field(default_factory=frozenset)
    # Set when the request is authenticated by the browser session cookie (mutations then need a CSRF check).
    via_cookie: bool = False
    # Keyed digest of the login identity (issuer, subject): what "one per person" holds on to after a deletion.
    identity_digest: bytes | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_region_admin(self) -> bool:
        return any(grant.role is Role.REGION_ADMIN for grant in self.grants)

    def require_person(self) -> uuid.UUID:
        """The acting person's id; `NotAuthenticated` for an anonymous viewer."""
        if self.user_id is None:
            raise NotAuthenticated
        return self.user_id

    def towns_with(self, *roles: Role) -> set[uuid.UUID] | None:
        """The towns where the viewer holds one of `roles` (town grants only); None means every town (region
        admin)."""
        if self.is_region_admin:
            return None
        return {grant.town_id for grant in self.grants if grant.role in roles and grant.town_id is not None}

    def has_role(self, role: Role, town_id: uuid.UUID | None) -> bool:
        """A town role, or the same role held region-wide; a region admin is an admin of every town."""
        return any(
            (grant.role is role and (grant.town_id is None or grant.town_id == town_id))
            or (role is Role.ADMIN and grant.role is Role.REGION_ADMIN)
            for grant in self.grants
        )


ANONYMOUS = Viewer()
