"""Housekeeping jobs: the workers' heartbeat and the sweep that resends lost wake-ups."""

from __future__ import annotations

from service.kit.jobs import JobType, NoArguments

HEARTBEAT = JobType("system.heartbeat", NoArguments)
SWEEP = JobType("system.sweep", NoArguments)
