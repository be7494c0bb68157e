"""The towns of the Südwestfalen smart-city strategy with a few fields of action each (idempotent seed)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.towns.models import StrategyArea, Town

# Half-extent of the accepted box around a town centre, in degrees (about 17 km north-south, 14 km east-west).
_LATITUDE_MARGIN = 0.16
_LONGITUDE_MARGIN = 0.2


@dataclass(frozen=True)
class DemoTown:
    slug: str
    name: str
    latitude: float
    longitude: float
    is_pioneer: bool
    areas: tuple[tuple[str, str], ...]


REGION_THEMES: tuple[tuple[str, str, str], ...] = (
    (
        "stadtentwicklung",
        "Stadtentwicklung und gutes Leben",
        "Lebenswerte Orte, Wohnen, Kultur und Ehrenamt.",
    ),
    ("gesundheit", "Gesundheit", "Versorgung und Pflege, gerade auf dem Land."),
    ("mobilitaet", "Mobilität", "Bus, Bahn, Rad und neue Angebote zwischen den Orten."),
    ("klima", "Klimaneutralität und Kreislaufwirtschaft", "Energie, Ressourcen und Klimaanpassung."),
    ("verwaltung", "Moderne Verwaltung", "Digitale Dienste, offene Daten und Beteiligung."),
)

_COMMON = (
    ("mobilitaet", "Mobilität"),
    ("verwaltung", "Moderne Verwaltung"),
    ("stadtentwicklung", "Stadtentwicklung und gutes Leben"),
)

DEMO_TOWNS: tuple[DemoTown, ...] = (
    DemoTown(
        "arnsberg",
        "Arnsberg",
        51.396,
        8.064,
        True,
        (("digitales-dorf", "Digitale Dörfer und Quartiere"), ("gesundheit", "Gesundheit"), *_COMMON),
    ),
    DemoTown(
        "bad-berleburg",
        "Bad Berleburg",
        51.052,
        8.392,
        True,
        (("gesundheit", "Gesundheit und Pflege"), ("tourismus", "Natur und Tourismus"), *_COMMON),
    ),
    DemoTown(
        "menden",
        "Menden (Sauerland)",
        51.440,
        7.801,
        True,
        (("innenstadt", "Lebendige Innenstadt"), ("bildung", "Bildung und Jugend"), *_COMMON),
    ),
    DemoTown(
        "olpe",
        "Olpe",
        51.029,
        7.851,
        True,
        (("wasser", "Wasser und Biggesee"), ("wirtschaft", "Wirtschaft und Arbeit"), *_COMMON),
    ),
    DemoTown(
        "soest",
        "Soest",
        51.571,
        8.106,
        True,
        (
            ("klimaneutrale-smart-city", "Klimaneutrale Smart City"),
            ("altstadt", "Altstadt und Kultur"),
            *_COMMON,
        ),
    ),
    DemoTown("attendorn", "Attendorn", 51.127, 7.902, False, (("klima", "Klima und Energie"), *_COMMON)),
    DemoTown("brilon", "Brilon", 51.395, 8.567, False, (("wald", "Wald und Holz"), *_COMMON)),
    DemoTown("burbach", "Burbach", 50.747, 8.081, False, (("klima", "Klima und Energie"), *_COMMON)),
    DemoTown("drolshagen", "Drolshagen", 51.023, 7.773, False, (("ehrenamt", "Ehrenamt und Vereine"), *_COMMON)),
    DemoTown("hemer", "Hemer", 51.386, 7.767, False, (("gesundheit", "Gesundheit"), *_COMMON)),
    DemoTown("iserlohn", "Iserlohn", 51.376, 7.696, False, (("bildung", "Bildung und Hochschule"), *_COMMON)),
    DemoTown("lippstadt", "Lippstadt", 51.674, 8.345, False, (("wirtschaft", "Wirtschaft und Arbeit"), *_COMMON)),
    DemoTown(
        "luedenscheid",
        "Lüdenscheid",
        51.219,
        7.627,
        False,
        (("innenstadt", "Lebendige Innenstadt"), *_COMMON),
    ),
    DemoTown("marsberg", "Marsberg", 51.462, 8.848, False, (("gesundheit", "Gesundheit"), *_COMMON)),
    DemoTown(
        "plettenberg",
        "Plettenberg",
        51.213,
        7.873,
        False,
        (("wirtschaft", "Wirtschaft und Arbeit"), *_COMMON),
    ),
    DemoTown("siegen", "Siegen", 50.875, 8.024, False, (("bildung", "Bildung und Hochschule"), *_COMMON)),
    DemoTown(
        "wendener-land",
        "Wendener Land",
        50.967,
        7.867,
        False,
        (("ehrenamt", "Ehrenamt und Vereine"), *_COMMON),
    ),
    DemoTown("werdohl", "Werdohl", 51.260, 7.761, False, (("innenstadt", "Lebendige Innenstadt"), *_COMMON)),
    DemoTown("werl", "Werl", 51.553, 7.914, False, (("klima", "Klima und Energie"), *_COMMON)),
    DemoTown("winterberg", "Winterberg", 51.195, 8.531, False, (("tourismus", "Natur und Tourismus"), *_COMMON)),
)


async def seed_towns(session: AsyncSession) -> None:
    """Insert or update the demo towns, their areas and the region themes; running it again changes nothing."""
    for demo in DEMO_TOWNS:
        values = {
            "slug": demo.slug,
            "name": demo.name,
            "is_pioneer": demo.is_pioneer,
            "min_latitude": demo.latitude - _LATITUDE_MARGIN,
            "max_latitude": demo.latitude + _LATITUDE_MARGIN,
            "min_longitude": demo.longitude - _LONGITUDE_MARGIN,
            "max_longitude": demo.longitude + _LONGITUDE_MARGIN,
        }
        await session.execute(
            insert(Town).values(**values).on_conflict_do_update(index_elements=[Town.slug], set_=values)
        )
    town_ids = {town.slug: town.id for town in await session.scalars(select(Town))}
    rows: list[dict[str, object]] = [
        {"town_id": None, "slug": slug, "name": name, "description": description, "position": position}
        for position, (slug, name, description) in enumerate(REGION_THEMES)
    ]
    rows += [
        {"town_id": town_ids[demo.slug], "slug": slug, "name": name, "description": "", "position": position}
        for demo in DEMO_TOWNS
        for position, (slug, name) in enumerate(demo.areas)
    ]
    statement = insert(StrategyArea).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[StrategyArea.town_id, StrategyArea.slug],
            set_={"name": statement.excluded.name, "position": statement.excluded.position},
        )
    )
