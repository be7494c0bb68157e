from __future__ import annotations

from datetime import UTC, datetime
from typing import Self

import strawberry
from strawberry.relay import to_base64

from service.privacy.models import DataExport, ExportStatus

strawberry.enum(ExportStatus, name="DataExportStatus", description="Where a requested export of one's data stands.")


@strawberry.type(
    name="DataExport",
    description="An export of one's own data. When ready, the link arrives by e-mail; it works once, for 24 hours.",
)
class DataExportType:
    id: strawberry.ID = strawberry.field(description="A global id, like every id of the API.")
    status: ExportStatus
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None = strawberry.field(description="Until when the link works.")
    downloaded_at: datetime | None

    @classmethod
    def from_row(cls, row: DataExport) -> Self:
        return cls(
            id=strawberry.ID(to_base64("DataExport", row.id)),
            status=row.status_at(datetime.now(UTC)),
            requested_at=row.created_at,
            ready_at=row.ready_at,
            expires_at=row.expires_at,
            downloaded_at=row.used_at,
        )
