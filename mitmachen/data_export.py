"""`GET /me/export/{token}`: a person fetches their data export, once, logged in as themselves.

401 without a login, 404 for a link that is not this person's (unknown and foreign links look the same),
410 for a link already used or expired, 503 with `Retry-After` while the database does not answer (the link stays
unused), else the JSON document as a download.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from mitmachen.runtime import Runtime
from mitmachen.unavailable import unavailable_gives_503
from service.auth.tokens import TokenRejected
from service.auth.viewer import Viewer
from service.kit.errors import NotAuthenticated
from service.kit.unit_of_work import UnitOfWork
from service.privacy.exports import ExportGone, take_document

MAX_TOKEN_LENGTH = 128
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def data_export_routes(
    runtime: Callable[[], Runtime], authenticate: Callable[[Request, UnitOfWork], Awaitable[Viewer]]
) -> list[BaseRoute]:
    @unavailable_gives_503(_PRIVATE)
    async def download(request: Request) -> Response:
        token: str = request.path_params["token"]
        async with runtime().unit_of_work() as uow:
            try:
                viewer = await authenticate(request, uow)
            except (TokenRejected, NotAuthenticated):
                viewer = None
            if viewer is None or not viewer.is_authenticated:
                return PlainTextResponse("Bitte melden Sie sich an.", status_code=401, headers=_PRIVATE)
            if len(token) > MAX_TOKEN_LENGTH:
                return PlainTextResponse("Diesen Link gibt es nicht.", status_code=404, headers=_PRIVATE)
            try:
                async with uow.session() as session:
                    document = await take_document(session, viewer, token=token)
            except ExportGone:
                return PlainTextResponse(
                    "Dieser Link wurde schon benutzt oder ist abgelaufen.", status_code=410, headers=_PRIVATE
                )
        if document is None:
            return PlainTextResponse("Diesen Link gibt es nicht.", status_code=404, headers=_PRIVATE)
        return Response(
            json.dumps(document, ensure_ascii=False, indent=1),
            media_type="application/json",
            headers={**_PRIVATE, "Content-Disposition": 'attachment; filename="mitmachen-daten.json"'},
        )

    return [Route("/me/export/{token}", download, methods=["GET"])]
