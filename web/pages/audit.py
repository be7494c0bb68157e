"""The town's audit log in the console, filtered by what, who and when (the filter is a GET form: links keep it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import Problem
from web.pages.console import TownIds, area_query, console_path
from web.rendering import Pages

# The times people mean are the town's: a day runs from midnight to midnight in Germany.
LOCAL = ZoneInfo("Europe/Berlin")
# What the filter offers: a group of actions ends in a dot.
ACTIONS = (
    "moderation.", "moderation.held", "moderation.published", "moderation.rejected", "moderation.hidden",
    "moderation.restored", "moderation.upheld", "moderation.appealed", "moderation.reports",
    "moderation.reports_dismissed", "moderation.term_added", "moderation.term_removed", "moderation.policy_changed",
    "role.", "role.granted", "role.revoked", "organisation.", "webhook.disabled",
)  # fmt: skip


@dataclass(frozen=True)
class AuditQuery:
    """The filter as the page's address gives it (German names), and what it asks of the API."""

    action: str = ""
    actor: str = ""
    since: str = ""
    until: str = ""

    @classmethod
    def of(cls, request: Request) -> AuditQuery:
        params = request.query_params
        action = params.get("was", "")
        return cls(
            action=action if action in ACTIONS else "",
            actor=params.get("wer", "").strip(),
            since=params.get("von", "").strip(),
            until=params.get("bis", "").strip(),
        )

    def variables(self) -> tuple[dict[str, str | None], list[Problem]]:
        since, since_problem = _day(self.since, "von", "Bitte das Datum „von“ als Tag angeben, z. B. 2026-05-01.")
        until, until_problem = _day(self.until, "bis", "Bitte das Datum „bis“ als Tag angeben, z. B. 2026-05-31.")
        problems = [problem for problem in (since_problem, until_problem) if problem]
        if since and until and since > until:
            problems.append(Problem("Der Tag „von“ muss vor oder auf dem Tag „bis“ liegen.", None, "von"))
        variables = {
            "action": self.action or None,
            "actorId": self.actor or None,
            "since": _start(since).isoformat() if since and not problems else None,
            "until": _start(until + timedelta(days=1)).isoformat() if until and not problems else None,
        }
        return variables, problems

    def query_string(self) -> str:
        """The filter for the next page's link."""
        chosen = {"was": self.action, "wer": self.actor, "von": self.since, "bis": self.until}
        return urlencode({name: value for name, value in chosen.items() if value})


def _day(value: str, field: str, message: str) -> tuple[date | None, Problem | None]:
    if not value:
        return None, None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return None, Problem(message, None, field)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def routes(pages: Pages) -> list[Route]:
    town_id = TownIds(pages)

    async def audit_log(request: Request) -> Response:
        chosen = AuditQuery.of(request)
        filters, problems = chosen.variables()
        result = await area_query(
            pages,
            request,
            "protokoll",
            "audit_log",
            await town_id.variables(request, after=request.query_params.get("nach") or None, **filters),
        )
        query = chosen.query_string()
        actors = (edge["node"]["actor"] for edge in result.data["auditLog"]["edges"])
        actor_name = next((actor["displayName"] for actor in actors if actor), None) if chosen.actor else None
        return pages.form_page(
            request,
            "console/audit_log.html",
            result.data,
            problems,
            chosen=chosen,
            actions=ACTIONS,
            actor_name=actor_name,
            base=console_path(request, "protokoll") + (f"?{query}" if query else ""),
        )

    return [Route("/konsole/{slug}/protokoll", audit_log, methods=["GET"])]
