from __future__ import annotations

import strawberry

from schema.context import Info
from schema.permissions import Authenticated
from schema.privacy.types import DataExportType
from service.privacy import exports


@strawberry.type
class PrivacyQueries:
    @strawberry.field(
        description="The logged-in person's latest exports of their data, newest first.",
        permission_classes=[Authenticated],
    )
    async def my_data_exports(self, info: Info) -> list[DataExportType]:
        async with info.context.uow.session() as session:
            rows = await exports.exports_of(session, info.context.viewer)
        return [DataExportType.from_row(row) for row in rows]
