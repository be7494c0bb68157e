"""Privacy's jobs: building a data export, purging what expired."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service.kit.jobs import JobType, NoArguments


@dataclass(frozen=True)
class ExportRef:
    export_id: uuid.UUID


EXPORT = JobType("privacy.export", ExportRef)
PURGE = JobType("privacy.purge", NoArguments)
