"""Reading tallies: the participation report for staff, the ideas behind a figure, and open data."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Role, Viewer
from service.errors import InvalidArgument, PermissionDenied
from service.ideas.models import Comment, Idea, OfficialAnswer, OfficialStatus, Support
from service.pagination import decode_cursor, encode_cursor, parse_uuid
from service.tallies.compute import TIME_ZONE
from service.tallies.models import Metric, ParticipationTally, Period, TallyRun
from service.towns.models import StrategyArea, Town

# Open data never shows a figure of a cell in which fewer people took part (statistical confidentiality); a
# cell where nobody took part (only the town published or answered ideas) is suppressed as well.
SUPPRESS_BELOW = 5
MAX_REPORT_DAYS = 3 * 366 + 1
IDEA_METRICS = frozenset(
    {
        Metric.IDEAS_SUBMITTED,
        Metric.IDEAS_PUBLISHED,
        Metric.IDEAS_ACCEPTED,
        Metric.IDEAS_IMPLEMENTED,
        Metric.SUPPORTS,
        Metric.COMMENTS,
    }
)


def can_read_report(viewer: Viewer, town_id: uuid.UUID | None) -> bool:
    """A town's staff and admins read its report; region staff and region admins read every town's and the region's."""
    region_wide = any(grant.role in (Role.REGION_STAFF, Role.REGION_ADMIN) for grant in viewer.grants)
    if region_wide:
        return True
    return town_id is not None and (viewer.has_role(Role.STAFF, town_id) or viewer.has_role(Role.ADMIN, town_id))


def can_request_recompute(viewer: Viewer) -> bool:
    """Staff of any town, region staff and admins may ask for a fresh recompute (it covers everything)."""
    return any(grant.role in (Role.STAFF, Role.REGION_STAFF, Role.ADMIN, Role.REGION_ADMIN) for grant in viewer.grants)


@dataclass(frozen=True)
class Figure:
    town_id: uuid.UUID | None
    strategy_area_id: uuid.UUID | None
    period: Period
    period_start: date
    metric: Metric
    value: Decimal
    people: int


@dataclass(frozen=True)
class Report:
    town_id: uuid.UUID | None
    period: Period
    from_date: date
    to_date: date
    computed_at: datetime | None
    figures: Sequence[Figure]


def _figure(row: ParticipationTally) -> Figure:
    return Figure(
        town_id=row.town_id,
        strategy_area_id=row.strategy_area_id,
        period=Period(row.period),
        period_start=row.period_start,
        metric=Metric(row.metric),
        value=row.value,
        people=row.people,
    )


async def last_run(session: AsyncSession) -> TallyRun | None:
    result: TallyRun | None = await session.scalar(select(TallyRun).order_by(TallyRun.finished_at.desc()).limit(1))
    return result


async def participation_report(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID | None,
    from_date: date,
    to_date: date,
    period: Period,
    strategy_area_id: uuid.UUID | None,
) -> Report:
    """Figures of periods starting within [from_date, to_date], per strategy area and for all areas."""
    if not viewer.is_authenticated:
        raise PermissionDenied("Anmeldung erforderlich.")
    if not can_read_report(viewer, town_id):
        raise PermissionDenied("Nur Mitarbeitende der Stadt oder der Region dürfen diesen Bericht lesen.")
    if from_date > to_date:
        raise InvalidArgument("Der Beginn muss vor dem Ende liegen.")
    if (to_date - from_date).days > MAX_REPORT_DAYS:
        raise InvalidArgument("Ein Bericht umfasst höchstens drei Jahre.")
    if strategy_area_id is not None:
        area_town = await session.scalar(select(StrategyArea.town_id).where(StrategyArea.id == strategy_area_id))
        if town_id is None or area_town != town_id:
            raise InvalidArgument("Das Handlungsfeld gehört nicht zu dieser Stadt.")
    statement = select(ParticipationTally).where(
        ParticipationTally.period == period.value,
        ParticipationTally.period_start.between(from_date, to_date),
        ParticipationTally.town_id.is_(None) if town_id is None else ParticipationTally.town_id == town_id,
    )
    if strategy_area_id is not None:
        statement = statement.where(ParticipationTally.strategy_area_id == strategy_area_id)
    rows = await session.scalars(
        statement.order_by(
            ParticipationTally.period_start,
            ParticipationTally.strategy_area_id.nulls_first(),
            ParticipationTally.metric,
        )
    )
    run = await last_run(session)
    return Report(
        town_id=town_id,
        period=period,
        from_date=from_date,
        to_date=to_date,
        computed_at=run.finished_at if run else None,
        figures=[_figure(row) for row in rows],
    )


# ---------------------------------------------------------------- the ideas behind a figure


def _local(column: Any) -> ColumnElement[Any]:
    return func.timezone(TIME_ZONE, column)


def _in_period(column: Any, figure: Figure) -> ColumnElement[bool]:
    start = func.date_trunc(figure.period.value, _local(column))
    return and_(column.is_not(None), func.cast(start, ParticipationTally.period_start.type) == figure.period_start)


def _first_status_in_period(status: OfficialStatus, figure: Figure) -> ColumnElement[bool]:
    first = (
        select(func.min(OfficialAnswer.created_at))
        .where(OfficialAnswer.idea_id == Idea.id, OfficialAnswer.status == status.value)
        .scalar_subquery()
    )
    return _in_period(first, figure)


def _counted(figure: Figure) -> ColumnElement[bool]:
    """Which ideas the figure counts (or, for supports and comments, which ideas received what it counts)."""
    match figure.metric:
        case Metric.IDEAS_SUBMITTED:
            return _in_period(Idea.created_at, figure)
        case Metric.IDEAS_PUBLISHED:
            return _in_period(Idea.published_at, figure)
        case Metric.IDEAS_ACCEPTED:
            return _first_status_in_period(OfficialStatus.ACCEPTED, figure)
        case Metric.IDEAS_IMPLEMENTED:
            return _first_status_in_period(OfficialStatus.IMPLEMENTED, figure)
        case Metric.SUPPORTS:
            return exists().where(Support.idea_id == Idea.id, _in_period(Support.created_at, figure))
        case Metric.COMMENTS:
            return exists().where(Comment.idea_id == Idea.id, _in_period(Comment.created_at, figure))
    raise InvalidArgument("Diese Kennzahl zählt keine Ideen.")


@dataclass(frozen=True)
class IdeaPage:
    items: Sequence[Idea]
    has_next_page: bool


def encode_idea_cursor(idea: Idea) -> str:
    return encode_cursor("trace", str(idea.id))


async def ideas_behind(
    session: AsyncSession, viewer: Viewer, figure: Figure, *, first: int, after: str | None
) -> IdeaPage:
    """The ideas a figure counts, so that every number in a report can be checked item by item."""
    if not can_read_report(viewer, figure.town_id):
        raise PermissionDenied("Nur Mitarbeitende der Stadt oder der Region dürfen diesen Bericht lesen.")
    if not 1 <= first <= 100:
        raise InvalidArgument("`first` muss zwischen 1 und 100 liegen.")
    statement: Select[Idea] = select(Idea).where(_counted(figure))
    if figure.town_id is not None:
        statement = statement.where(Idea.town_id == figure.town_id)
    if figure.strategy_area_id is not None:
        statement = statement.where(Idea.strategy_area_id == figure.strategy_area_id)
    if after is not None:
        [idea_id] = decode_cursor("trace", after, 1)
        statement = statement.where(Idea.id > parse_uuid(idea_id))
    rows = (await session.scalars(statement.order_by(Idea.id).limit(first + 1))).all()
    return IdeaPage(items=rows[:first], has_next_page=len(rows) > first)


# ---------------------------------------------------------------- open data

OPEN_DATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("town", "Kürzel der Stadt; leer für die Region Südwestfalen (alle Städte)"),
    ("town_name", "Name der Stadt, oder 'Südwestfalen' für die Region"),
    ("strategy_area", "Kürzel des Handlungsfelds; leer für alle Handlungsfelder"),
    ("strategy_area_name", "Name des Handlungsfelds; leer für alle Handlungsfelder"),
    ("period", "Zeitraum: week, month, quarter oder year (Kalender Europe/Berlin, Wochen ab Montag)"),
    ("period_start", "Erster Tag des Zeitraums (ISO 8601)"),
    ("metric", "Kennzahl, siehe 'metrics'"),
    ("value", "Wert der Kennzahl; leer, wenn unterdrückt"),
    ("suppressed", "true, wenn weniger als 5 Personen in dieser Zelle beteiligt waren und der Wert darum fehlt"),
)

METRIC_DESCRIPTIONS: dict[Metric, str] = {
    Metric.IDEAS_SUBMITTED: "Eingereichte Ideen (nach Einreichungsdatum)",
    Metric.IDEAS_PUBLISHED: "Veröffentlichte Ideen (nach Veröffentlichungsdatum)",
    Metric.IDEAS_ACCEPTED: "Ideen, die erstmals den Status 'angenommen' erhielten",
    Metric.IDEAS_IMPLEMENTED: "Ideen, die erstmals den Status 'umgesetzt' erhielten",
    Metric.SUPPORTS: "Unterstützungen von Ideen (bestehende, zurückgezogene zählen nicht)",
    Metric.COMMENTS: "Kommentare zu Ideen",
    Metric.SURVEY_RESPONSES: "Antworten auf Umfragen",
    Metric.VOLUNTEER_SIGN_UPS: "Anmeldungen zu Ehrenamts-Schichten",
    Metric.VOLUNTEER_HOURS: "Bestätigte ehrenamtliche Stunden (nach Schichtbeginn)",
    Metric.PARTICIPANTS: "Verschiedene beteiligte Personen",
}

LICENCE = {
    "name": "Datenlizenz Deutschland - Namensnennung - Version 2.0",
    "id": "dl-de/by-2-0",
    "url": "https://www.govdata.de/dl-de/by-2-0",
    "attribution": "Mitmachen Südwestfalen",
}


@dataclass(frozen=True)
class OpenDataRow:
    town: str
    town_name: str
    strategy_area: str
    strategy_area_name: str
    period: str
    period_start: str
    metric: str
    value: str
    suppressed: bool

    def as_record(self) -> dict[str, str | bool | None]:
        return {
            "town": self.town or None,
            "town_name": self.town_name,
            "strategy_area": self.strategy_area or None,
            "strategy_area_name": self.strategy_area_name or None,
            "period": self.period,
            "period_start": self.period_start,
            "metric": self.metric,
            "value": self.value or None,
            "suppressed": self.suppressed,
        }


def _number(value: Decimal) -> str:
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value.normalize())


async def open_data(session: AsyncSession, *, town_slug: str | None) -> list[OpenDataRow]:
    """Every figure of a town (or of the region roll-up), suppressed where fewer than 5 people took part."""
    statement = (
        select(ParticipationTally, Town.slug, Town.name, StrategyArea.slug, StrategyArea.name)
        .outerjoin(Town, Town.id == ParticipationTally.town_id)
        .outerjoin(StrategyArea, StrategyArea.id == ParticipationTally.strategy_area_id)
    )
    if town_slug is None:
        statement = statement.where(ParticipationTally.town_id.is_(None))
    else:
        statement = statement.where(Town.slug == town_slug)
    statement = statement.order_by(
        ParticipationTally.period,
        ParticipationTally.period_start,
        StrategyArea.slug.nulls_first(),
        ParticipationTally.metric,
    )
    rows = []
    for tally, slug, name, area_slug, area_name in (await session.execute(statement)).all():
        suppressed = tally.people < SUPPRESS_BELOW
        rows.append(
            OpenDataRow(
                town=slug or "",
                town_name=name or "Südwestfalen",
                strategy_area=area_slug or "",
                strategy_area_name=area_name or "",
                period=tally.period,
                period_start=tally.period_start.isoformat(),
                metric=tally.metric,
                value="" if suppressed else _number(tally.value),
                suppressed=suppressed,
            )
        )
    return rows


async def town_slugs_with_tallies(session: AsyncSession) -> list[str]:
    statement = select(Town.slug).where(exists().where(ParticipationTally.town_id == Town.id)).order_by(Town.slug)
    return list(await session.scalars(statement))


def metadata(*, scope: str, computed_at: datetime | None) -> dict[str, Any]:
    return {
        "title": f"Beteiligung in Südwestfalen - {scope}",
        "description": (
            "Beteiligungszahlen aus Mitmachen je Stadt, Handlungsfeld und Zeitraum. Werte von Zellen, an denen "
            f"weniger als {SUPPRESS_BELOW} Personen beteiligt waren, sind unterdrückt."
        ),
        "publisher": "Mitmachen Südwestfalen",
        "licence": LICENCE,
        "computed_at": computed_at.isoformat() if computed_at else None,
        "columns": [{"name": name, "description": description} for name, description in OPEN_DATA_COLUMNS],
        "metrics": [{"name": metric.value, "description": METRIC_DESCRIPTIONS[metric]} for metric in Metric],
        "suppression": {"minimum_people": SUPPRESS_BELOW},
    }


def as_csv(rows: Sequence[OpenDataRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(name for name, _ in OPEN_DATA_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.town,
                row.town_name,
                row.strategy_area,
                row.strategy_area_name,
                row.period,
                row.period_start,
                row.metric,
                row.value,
                "true" if row.suppressed else "false",
            ]
        )
    return buffer.getvalue()


def as_json(rows: Sequence[OpenDataRow]) -> str:
    return json.dumps([row.as_record() for row in rows], ensure_ascii=False, indent=1) + "\n"
