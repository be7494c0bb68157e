from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, run_mutation
from schema.permissions import Authenticated
from schema.privacy.types import DataExportType
from schema.ratelimit import RateLimited
from service.privacy import deletion, exports


@strawberry.type(description="The export is being prepared; the link to fetch it arrives by e-mail.")
class DataExportRequested:
    export: DataExportType


@strawberry.type(description="The account is deleted: personal data is gone, public contributions remain.")
class AccountDeleted:
    deleted_at: datetime


ExportMyDataResult = Annotated[
    DataExportRequested | InvalidInput | NotFoundError, strawberry.union("ExportMyDataResult")
]
DeleteMyAccountResult = Annotated[
    AccountDeleted | InvalidInput | NotFoundError, strawberry.union("DeleteMyAccountResult")
]


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        description="Ask for a copy of everything stored about oneself (JSON, fetched once through an e-mailed link).",
        permission_classes=[Authenticated],
        extensions=[RateLimited("data.export")],
    )
    async def export_my_data(self, info: Info) -> ExportMyDataResult:
        async def action(session: AsyncSession) -> DataExportRequested:
            export = await exports.request_export(session, info.context.viewer)
            return DataExportRequested(export=DataExportType.from_row(export))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description=(
            "Delete one's own account. Name, e-mail and login identity are erased; published ideas and comments "
            "remain, shown as by a deleted account. Supports and future volunteer sign-ups are withdrawn."
        ),
        permission_classes=[Authenticated],
        extensions=[RateLimited("account.delete")],
    )
    async def delete_my_account(
        self, info: Info, confirm: Annotated[bool, strawberry.argument(description="Must be true.")]
    ) -> DeleteMyAccountResult:
        async def action(session: AsyncSession) -> AccountDeleted:
            deleted_at = await deletion.delete_account(session, info.context.viewer, confirm=confirm)
            return AccountDeleted(deleted_at=deleted_at)

        return await run_mutation(info, action)
