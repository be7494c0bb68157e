"""Codes of the user errors of people and their roles (in GraphQL: `UserErrorCode`)."""

from __future__ import annotations

from enum import StrEnum


class RoleErrorCode(StrEnum):
    UNKNOWN_USER = "UNKNOWN_USER"
    ROLE_NEEDS_TOWN = "ROLE_NEEDS_TOWN"
    ROLE_IS_REGION_WIDE = "ROLE_IS_REGION_WIDE"
    ROLE_NEEDS_ORGANISATION = "ROLE_NEEDS_ORGANISATION"
