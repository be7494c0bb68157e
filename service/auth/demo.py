"""Demo people of the development login (`mitmachen dev` only)."""

from __future__ import annotations

from dataclasses import dataclass

from service.auth.viewer import Role


@dataclass(frozen=True)
class DemoPerson:
    subject: str
    name: str
    email: str
    home_town: str
    roles: tuple[tuple[Role, str | None], ...] = ()
    description: str = ""


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "demo-buergerin-soest",
        "Clara Citizen (Soest)",
        "clara@demo.mitmachen.invalid",
        "soest",
        description="Bürgerin aus Soest",
    ),
    DemoPerson("demo-buerger-olpe", "Omar Olpe", "omar@demo.mitmachen.invalid", "olpe", description="Bürger aus Olpe"),
    DemoPerson(
        "demo-moderation-soest",
        "Mia Moderation (Soest)",
        "mia@demo.mitmachen.invalid",
        "soest",
        ((Role.MODERATOR, "soest"),),
        "Moderatorin in Soest",
    ),
    DemoPerson(
        "demo-moderation-olpe",
        "Moritz Moderation (Olpe)",
        "moritz@demo.mitmachen.invalid",
        "olpe",
        ((Role.MODERATOR, "olpe"),),
        "Moderator in Olpe",
    ),
    DemoPerson(
        "demo-verwaltung-olpe",
        "Sven Staff (Olpe)",
        "sven@demo.mitmachen.invalid",
        "olpe",
        ((Role.STAFF, "olpe"),),
        "Verwaltung Olpe",
    ),
    DemoPerson(
        "demo-verwaltung-soest",
        "Sara Staff (Soest)",
        "sara@demo.mitmachen.invalid",
        "soest",
        ((Role.STAFF, "soest"),),
        "Verwaltung Soest",
    ),
    DemoPerson(
        "demo-admin-arnsberg",
        "Anton Admin (Arnsberg)",
        "anton@demo.mitmachen.invalid",
        "arnsberg",
        ((Role.ADMIN, "arnsberg"),),
        "Administrator Arnsberg",
    ),
    DemoPerson(
        "demo-region",
        "Regina Region",
        "regina@demo.mitmachen.invalid",
        "soest",
        ((Role.REGION_STAFF, None), (Role.REGION_ADMIN, None)),
        "Regionalagentur: Region-Staff und Region-Admin",
    ),
)
