"""What ideas contribute to the participation tallies: published ideas and what they received.

Tallies count only what the public sees, like the live counters: an idea counts while it is published (not pending
or held, rejected, hidden or withdrawn), and so do the supports, comments and official answers it received.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select

from service.ideas.models import Comment, Idea, Lifecycle, OfficialAnswer, OfficialStatus, Support
from service.kit.tally_source import Events, TallySource, local_day, tally_source


def _published() -> ColumnElement[bool]:
    return Idea.lifecycle == Lifecycle.PUBLISHED.value


def _first_reached(metric: str, status: OfficialStatus) -> TallySource:
    """An idea counts as accepted (implemented) on the day it first reached that official status. It is what the
    town did: its author does not take part by it."""
    first = (
        select(OfficialAnswer.idea_id, func.min(OfficialAnswer.created_at).label("at"))
        .where(OfficialAnswer.status == status.value)
        .group_by(OfficialAnswer.idea_id)
        .subquery("first_reached")
    )

    def rows(events: Events) -> Events:
        return events.select_from(first).join(Idea, Idea.id == first.c.idea_id).where(_published())

    return tally_source(
        metric,
        person=Idea.author_id,
        town=Idea.town_id,
        area=Idea.strategy_area_id,
        day=local_day(first.c.at),
        rows=rows,
        participation=False,
    )


SOURCES = (
    tally_source(
        "ideas_submitted",
        person=Idea.author_id,
        town=Idea.town_id,
        area=Idea.strategy_area_id,
        day=local_day(Idea.created_at),
        rows=lambda events: events.where(_published()),
    ),
    # Publishing is what the town did: counted, but its author does not take part by it.
    tally_source(
        "ideas_published",
        person=Idea.author_id,
        town=Idea.town_id,
        area=Idea.strategy_area_id,
        day=local_day(Idea.published_at),
        rows=lambda events: events.where(_published(), Idea.published_at.is_not(None)),
        participation=False,
    ),
    _first_reached("ideas_accepted", OfficialStatus.ACCEPTED),
    _first_reached("ideas_implemented", OfficialStatus.IMPLEMENTED),
    # The supports a published idea has now (withdrawn ones and those of deleted accounts are gone).
    tally_source(
        "supports",
        person=Support.user_id,
        town=Idea.town_id,
        area=Idea.strategy_area_id,
        day=local_day(Support.created_at),
        rows=lambda events: events.join(Idea, Idea.id == Support.idea_id).where(_published()),
    ),
    # Published comments, as `Idea.commentCount` counts them (held, hidden and rejected ones do not count).
    tally_source(
        "comments",
        person=Comment.author_id,
        town=Idea.town_id,
        area=Idea.strategy_area_id,
        day=local_day(Comment.created_at),
        rows=lambda events: events.join(Idea, Idea.id == Comment.idea_id).where(
            _published(), Comment.lifecycle == Lifecycle.PUBLISHED.value
        ),
    ),
)
