from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.mutation import Call, mutation
from schema.privacy.types import DataExportType
from service.privacy import deletion, exports


@strawberry.type(description="The export is being prepared; the link to fetch it arrives by e-mail.")
class DataExportRequested:
    export: DataExportType


@strawberry.type(description="The account is deleted: personal data is gone, public contributions remain.")
class AccountDeleted:
    deleted_at: datetime


@strawberry.type
class PrivacyMutations:
    @mutation(
        "Ask for a copy of everything stored about oneself (JSON, fetched once through an e-mailed link).",
        rate_limit="data.export",
    )
    async def export_my_data(call: Call) -> DataExportRequested:
        return DataExportRequested(
            export=DataExportType.from_row(await exports.request_export(call.session, call.viewer))
        )

    @mutation(
        "Delete one's own account. Name, e-mail and login identity are erased; published ideas and comments remain, "
        "shown as by a deleted account. Supports and future volunteer sign-ups are withdrawn.",
        rate_limit="account.delete",
    )
    async def delete_my_account(
        call: Call, confirm: Annotated[bool, strawberry.argument(description="Must be true.")]
    ) -> AccountDeleted:
        return AccountDeleted(deleted_at=await deletion.delete_account(call.session, call.viewer, confirm=confirm))
