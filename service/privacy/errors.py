"""Codes of the user errors of data exports and account deletion (in GraphQL: `UserErrorCode`)."""

from __future__ import annotations

from enum import StrEnum


class PrivacyErrorCode(StrEnum):
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
