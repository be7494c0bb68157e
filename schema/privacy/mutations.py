from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.mutation import Call, mutation, service_mutation
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
    export_my_data = service_mutation(
        exports.request_export,
        DataExportRequested,
        "Ask for a copy of everything stored about oneself (JSON, fetched once through an e-mailed link).",
        name="export_my_data",
        rate_limit="data.export",
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
