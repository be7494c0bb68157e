"""The pages' client of the GraphQL API, in the same process and with the request's caller: the pages can do
exactly what any client can, and see the same errors."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import Request

from web.documents import Documents


class Execute(Protocol):
    """Runs a document as `/graphql` would for the caller of `request`; returns the status and the body."""

    def __call__(
        self,
        request: Request,
        document: str,
        variables: Mapping[str, object] | None = None,
        *,
        csrf_checked: bool = False,
    ) -> Awaitable[tuple[int, dict[str, Any]]]: ...


# An input of the API that the pages' forms type in more than one field: its errors show at the first of them.
FORM_FIELDS = {"location": "latitude"}


@dataclass(frozen=True)
class Problem:
    """An error the API reported: a GraphQL error or a user error of a mutation's result."""

    message: str
    code: str | None = None
    field: str | None = None


class PageFailure(Exception):
    """The page cannot be shown as asked: answered with `status` and an error page (or a login for 401)."""

    def __init__(self, status: int, message: str, *, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


_STATUS_BY_CODE = {
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "RATE_LIMITED": 429,
    "SERVICE_UNAVAILABLE": 503,
    "SERVICE_BUSY": 503,
}


@dataclass
class Result:
    data: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    def raise_for_problems(self) -> None:
        """For a page's query: any error means the page cannot be shown (with the status its code implies)."""
        if self.problems:
            problem = self.problems[0]
            raise PageFailure(_STATUS_BY_CODE.get(problem.code or "", 500), problem.message)

    def raise_if_refused(self) -> None:
        """For an action whose form has no place to show a refusal: the refusal's message as a 400 page."""
        if self.problems:
            raise PageFailure(400, self.problems[0].message)


def _problems(body: Mapping[str, Any]) -> list[Problem]:
    return [
        Problem(str(error.get("message", "")), (error.get("extensions") or {}).get("code"))
        for error in body.get("errors") or ()
    ]


class Api:
    def __init__(self, execute: Execute, documents: Documents) -> None:
        self._execute = execute
        self.documents = documents

    async def query(self, request: Request, name: str, variables: Mapping[str, object] | None = None) -> Result:
        """A page's data; fails the page on any error."""
        result = await self._run(request, name, variables)
        result.raise_for_problems()
        return result

    async def mutate(self, request: Request, name: str, variables: Mapping[str, object] | None = None) -> Result:
        """A form's action (after `checked_form`, or the API refuses it for want of the CSRF token). Errors that
        concern the input come back as problems with their field; the others fail the page."""
        result = await self._run(request, name, variables)
        result.raise_for_problems()
        payload = next(iter(result.data.values()), None) if result.data else None
        if isinstance(payload, dict) and "code" in payload and "message" in payload:
            field = payload.get("field")
            field = FORM_FIELDS.get(field, field) if isinstance(field, str) else None
            result.problems.append(Problem(payload["message"], payload["code"], field))
        return result

    async def _run(self, request: Request, name: str, variables: Mapping[str, object] | None) -> Result:
        # A post is the person's own only once `checked_form` has seen the CSRF token of its form.
        csrf_checked = bool(getattr(request.state, "csrf_checked", False))
        status, body = await self._execute(request, self.documents[name], variables, csrf_checked=csrf_checked)
        problems = _problems(body)
        if status >= 400:
            problem = problems[0] if problems else Problem("Fehler", None)
            raise PageFailure(status, problem.message, retry_after="5" if status in {429, 503} else None)
        return Result(body.get("data") or {}, problems)
