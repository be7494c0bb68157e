"""What surveys contribute to the participation tallies: responses, on the day they were submitted.

Anonymous responses carry no person: each counts as a participant of its own (the response's own key). Matching
them with the people behind other contributions would be exactly the link that anonymous surveys rule out.
"""

from __future__ import annotations

from sqlalchemy import func

from service.kit.tally_source import tally_source
from service.surveys.models import Response, Survey

SOURCES = (
    tally_source(
        "survey_responses",
        person=func.coalesce(Response.respondent_id, Response.id),
        town=Survey.town_id,
        area=Survey.strategy_area_id,
        day=Response.submitted_on,
        rows=lambda events: events.join(Survey, Survey.id == Response.survey_id),
    ),
)
