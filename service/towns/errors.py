"""Codes of the user errors of towns and their strategy areas (in GraphQL: `UserErrorCode`)."""

from __future__ import annotations

from enum import StrEnum


class TownErrorCode(StrEnum):
    UNKNOWN_TOWN = "UNKNOWN_TOWN"
    UNKNOWN_STRATEGY_AREA = "UNKNOWN_STRATEGY_AREA"
    LOCATION_OUTSIDE_TOWN = "LOCATION_OUTSIDE_TOWN"
