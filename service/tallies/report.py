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
from service.ideas.models import Comment, Idea, Lifecycle, OfficialAnswer, OfficialStatus, Support
from service.ideas.policies import idea_visible_to
from service.kit.errors import InvalidArgument, PermissionDenied
from service.kit.pagination import decode_cursor, encode_cursor, parse_uuid
from service.kit.tally_source import TIME_ZONE
from service.tallies.models import Metric, ParticipationTally, Period, TallyRun, period_start
from service.tallies.suppression import SUPPRESS_BELOW
from service.towns.models import StrategyArea, Town

# Open data never shows a figure of a cell in which fewer than SUPPRESS_BELOW people took part (statistical
# confidentiality; a cell where nobody took part is suppressed as well), nor one that would give such a figure
# away by subtraction (`service/tallies/suppression.py`).
REGION_NAME = "Südwestfalen"
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
    """Figures of the periods from the one containing `from_date` to the last one starting by `to_date`, per
    strategy area and for all areas. `from_date` is moved back to the start of its period: a yearly report from
    1 December is the report of that year, not an empty one."""
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
    from_date = period_start(period, from_date)
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
            return exists().where(
                Comment.idea_id == Idea.id,
                Comment.lifecycle == Lifecycle.PUBLISHED.value,
                _in_period(Comment.created_at, figure),
            )
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
    """The ideas a figure counts, so that every number in a report can be checked item by item.

    Only those the reader may see anywhere else (`idea_visible_to`): region staff, for instance, count a town's
    pending and held ideas in the figures but are not shown them.
    """
    if not can_read_report(viewer, figure.town_id):
        raise PermissionDenied("Nur Mitarbeitende der Stadt oder der Region dürfen diesen Bericht lesen.")
    if not 1 <= first <= 100:
        raise InvalidArgument("`first` muss zwischen 1 und 100 liegen.")
    statement: Select[Idea] = select(Idea).where(
        Idea.lifecycle == Lifecycle.PUBLISHED.value, _counted(figure), idea_visible_to(viewer)
    )
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
    ("value", "Wert der Kennzahl (Zahl; Stunden mit Nachkommastellen); leer (JSON: null), wenn unterdrückt"),
    (
        "suppressed",
        "true, wenn der Wert fehlt: weniger als 5 Personen waren in dieser Zelle beteiligt, oder er ließe sich "
        "sonst aus veröffentlichten Summen errechnen",
    ),
)

METRIC_DESCRIPTIONS: dict[Metric, str] = {
    Metric.IDEAS_SUBMITTED: "Veröffentlichte Ideen, nach Einreichungsdatum",
    Metric.IDEAS_PUBLISHED: "Veröffentlichte Ideen, nach Veröffentlichungsdatum",
    Metric.IDEAS_ACCEPTED: "Veröffentlichte Ideen, die erstmals den Status 'angenommen' erhielten",
    Metric.IDEAS_IMPLEMENTED: "Veröffentlichte Ideen, die erstmals den Status 'umgesetzt' erhielten",
    Metric.SUPPORTS: "Unterstützungen veröffentlichter Ideen (bestehende; zurückgezogene zählen nicht)",
    Metric.COMMENTS: "Veröffentlichte Kommentare zu veröffentlichten Ideen",
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
    value: Decimal | None  # None where suppressed
    suppressed: bool

    def as_record(self) -> dict[str, str | bool | int | float | None]:
        return {
            "town": self.town or None,
            "town_name": self.town_name,
            "strategy_area": self.strategy_area or None,
            "strategy_area_name": self.strategy_area_name or None,
            "period": self.period,
            "period_start": self.period_start,
            "metric": self.metric,
            "value": None if self.value is None else _json_number(self.value),
            "suppressed": self.suppressed,
        }


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value.normalize())


def _json_number(value: Decimal) -> int | float:
    """Counts as integers, hours (which may have a fraction) as decimal numbers: 8, 2.5."""
    return int(value) if value == value.to_integral_value() else float(value)


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
        suppressed = tally.suppressed
        rows.append(
            OpenDataRow(
                town=slug or "",
                town_name=name or REGION_NAME,
                strategy_area=area_slug or "",
                strategy_area_name=area_name or "",
                period=tally.period,
                period_start=tally.period_start.isoformat(),
                metric=tally.metric,
                value=None if suppressed else tally.value,
                suppressed=suppressed,
            )
        )
    return rows


async def open_data_scopes(session: AsyncSession) -> list[tuple[str | None, str]]:
    """(slug, name) of what open data describes: the region (slug None) and every town, with figures or not."""
    towns = (await session.execute(select(Town.slug, Town.name).order_by(Town.slug))).all()
    return [(None, REGION_NAME), *((slug, name) for slug, name in towns)]


def metadata(*, name: str, computed_at: datetime | None) -> dict[str, Any]:
    """The description of one scope's files; `name` is the town's name (or the region's), as people write it."""
    return {
        "title": "Beteiligung in Südwestfalen" if name == REGION_NAME else f"Beteiligung in {name}",
        "description": (
            f"Beteiligungszahlen aus Mitmachen für {name} je Handlungsfeld und Zeitraum. Gezählt werden "
            "veröffentlichte Beiträge. Werte von Zellen, an denen weniger als "
            f"{SUPPRESS_BELOW} Personen beteiligt waren, sind unterdrückt, ebenso weitere Werte, aus denen sie sich "
            "errechnen ließen."
        ),
        "publisher": "Mitmachen Südwestfalen",
        "licence": LICENCE,
        "computed_at": computed_at.isoformat() if computed_at else None,
        "columns": [{"name": column, "description": description} for column, description in OPEN_DATA_COLUMNS],
        "metrics": [{"name": metric.value, "description": METRIC_DESCRIPTIONS[metric]} for metric in Metric],
        "suppression": {"minimum_people": SUPPRESS_BELOW},
    }


async def open_data_files(session: AsyncSession, *, slug: str | None, name: str, file_name: str) -> dict[str, str]:
    """The three files of one scope, by ending (`csv`, `json`, `meta.json`): what is served and what is exported.

    A town without figures gets the header only (and an empty JSON list): a published resource keeps resolving,
    and portals harvesting it see an empty table rather than an error.
    """
    rows = await open_data(session, town_slug=slug)
    run = await last_run(session)
    meta = metadata(name=name, computed_at=run.finished_at if run else None)
    meta["files"] = [f"{file_name}.csv", f"{file_name}.json"]
    return {
        "csv": as_csv(rows),
        "json": as_json(rows),
        "meta.json": json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
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
                _number(row.value),
                "true" if row.suppressed else "false",
            ]
        )
    return buffer.getvalue()


def as_json(rows: Sequence[OpenDataRow]) -> str:
    return json.dumps([row.as_record() for row in rows], ensure_ascii=False, indent=1) + "\n"
