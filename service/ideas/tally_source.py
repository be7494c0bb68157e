"""What ideas contribute to the participation tallies: published ideas and what they received.

Tallies count only what the public sees, like the live counters: an idea counts while it is published (not pending
or held, rejected, hidden or withdrawn), and so do the supports, comments and official answers it received. Every
figure counts in the idea's town and strategy area.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from sqlalchemy import ColumnElement, SQLColumnExpression, func, select

from service.ideas.models import Comment, Idea, Lifecycle, OfficialAnswer, OfficialStatus, Support
from service.kit.tally_source import Events, TallySource, local_day, tally_source


def _published() -> ColumnElement[bool]:
    return Idea.lifecycle == Lifecycle.PUBLISHED.value


def _of_ideas(
    metric: str,
    person: SQLColumnExpression[UUID],
    day: SQLColumnExpression[date],
    rows: Callable[[Events], Events],
    *,
    participation: bool = True,
) -> TallySource:
    return tally_source(
        metric,
        person=person,
        town=Idea.town_id,
        area=Idea.strategy_area_id,
        day=day,
        rows=lambda events: rows(events).where(_published()),
        participation=participation,
    )


def _first_reached(metric: str, status: OfficialStatus) -> TallySource:
    """An idea counts as accepted (implemented) on the day it first reached that official status. It is what the
    town did: its author does not take part by it."""
    first = (
        select(OfficialAnswer.idea_id, func.min(OfficialAnswer.created_at).label("at"))
        .where(OfficialAnswer.status == status.value)
        .group_by(OfficialAnswer.idea_id)
        .subquery("first_reached")
    )
    return _of_ideas(
        metric,
        Idea.author_id,
        local_day(first.c.at),
        lambda events: events.select_from(first).join(Idea, Idea.id == first.c.idea_id),
        participation=False,
    )


SOURCES = (
    _of_ideas("ideas_submitted", Idea.author_id, local_day(Idea.created_at), lambda events: events),
    # Publishing is what the town did: counted, but its author does not take part by it.
    _of_ideas(
        "ideas_published",
        Idea.author_id,
        local_day(Idea.published_at),
        lambda events: events.where(Idea.published_at.is_not(None)),
        participation=False,
    ),
    _first_reached("ideas_accepted", OfficialStatus.ACCEPTED),
    _first_reached("ideas_implemented", OfficialStatus.IMPLEMENTED),
    # The supports a published idea has now (withdrawn ones and those of deleted accounts are gone).
    _of_ideas(
        "supports",
        Support.user_id,
        local_day(Support.created_at),
        lambda events: events.join(Idea, Idea.id == Support.idea_id),
    ),
    # Published comments, as `Idea.commentCount` counts them (held, hidden and rejected ones do not count).
    _of_ideas(
        "comments",
        Comment.author_id,
        local_day(Comment.created_at),
        lambda events: events.join(Idea, Idea.id == Comment.idea_id).where(
            Comment.lifecycle == Lifecycle.PUBLISHED.value
        ),
    ),
)
