"""Tallies' job: recomputing every participation tally."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service.kit.jobs import JobType


@dataclass(frozen=True)
class Recompute:
    """`requested_by`: the staff member who asked (None for the hourly run)."""

    requested_by: uuid.UUID | None = None


# Requests while one is queued collapse into it: one job id for all.
RECOMPUTE = JobType("tallies.recompute", Recompute, key=lambda _: "all")
