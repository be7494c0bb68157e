"""Codes of the user errors of webhook subscriptions (in GraphQL: `UserErrorCode`)."""

from __future__ import annotations

from enum import StrEnum


class WebhookErrorCode(StrEnum):
    WEBHOOK_URL_INVALID = "WEBHOOK_URL_INVALID"
    UNKNOWN_EVENT_TYPE = "UNKNOWN_EVENT_TYPE"
    UNKNOWN_WEBHOOK_SUBSCRIPTION = "UNKNOWN_WEBHOOK_SUBSCRIPTION"
