"""What the volunteering pages make of what people type and what they say before a shift changes: the search
filter from the query string, local times for the API, and the consequences of a change for the people signed up."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams

from web.local_time import german_number, shown, typed_instant
from web.pages.engagement import offer_filter
from web.pages.vereine import consequences

SHIFT = {"startsAt": "2026-12-24T09:00:00+00:00", "endsAt": "2026-12-24T11:00:00+00:00", "capacity": 2}


def _shift(*statuses: str) -> dict[str, Any]:
    taken = sum(status in {"CONFIRMED", "OFFERED"} for status in statuses)
    return SHIFT | {"placesTaken": taken, "roster": [{"signUp": {"status": status}} for status in statuses]}


def test_the_search_takes_every_criterion_and_names_what_is_typed_wrongly() -> None:
    chosen, problems = offer_filter(
        QueryParams(
            "suche=Tafel&faehigkeiten=Kochen, Fahren ,&handlungsfeld=U3Q6MQ==&von=2026-12-24&bis=2026-12-31"
            "&breite=51,57&laenge=8.1&umkreis=3"
        )
    )
    assert problems == []
    assert chosen == {
        "text": "Tafel",
        "skills": ["Kochen", "Fahren"],
        "strategyAreaId": "U3Q6MQ==",
        "startsAfter": "2026-12-24T00:00:00+01:00",
        "startsBefore": "2027-01-01T00:00:00+01:00",
        "near": {"latitude": 51.57, "longitude": 8.1, "radiusKm": 3.0},
    }
    chosen, problems = offer_filter(QueryParams("suche=Tafel&von=morgen&breite=Soest&laenge=8"))
    assert chosen == {"text": "Tafel"}
    assert [(problem.code, problem.field) for problem in problems] == [
        ("DATE_INVALID", "von"),
        ("LOCATION_INVALID", "latitude"),
    ]


def test_typed_times_are_german_local_time() -> None:
    assert typed_instant("2026-07-01T14:30") == "2026-07-01T14:30:00+02:00"
    assert typed_instant("2026-12-01T14:30:15") == "2026-12-01T14:30:15+01:00"
    assert typed_instant("gestern") is None
    assert shown("2026-12-06T13:30:00+00:00") == "06.12.2026, 14:30 Uhr"
    assert [german_number(value) for value in (1.0, 1.5, 0.02)] == ["1", "1,5", "0,02"]


def test_a_shift_change_names_who_is_mailed_offered_a_place_or_that_it_is_refused() -> None:
    full = _shift("CONFIRMED", "CONFIRMED", "WAITLISTED", "WAITLISTED", "CANCELLED")
    moved = {"startsAt": "2026-12-24T10:00:00+00:00", "endsAt": SHIFT["endsAt"], "capacity": 2}
    assert consequences(full, moved, 24)[0].startswith("4 angemeldete Person(en) erhalten eine E-Mail")
    more = {"startsAt": SHIFT["startsAt"], "endsAt": SHIFT["endsAt"], "capacity": 5}
    assert consequences(full, more, 48) == [
        "2 Person(en) von der Warteliste wird ein Platz angeboten; sie haben 48 Stunden Zeit, ihn anzunehmen."
    ]
    fewer = more | {"capacity": 1}
    assert consequences(full, fewer, 24) == [
        "Nicht möglich: Es sind schon 2 Plätze vergeben. Niemand verliert seinen Platz."
    ]
    assert consequences(_shift("CONFIRMED"), fewer, 24) == [
        "Es gibt dann 0 freie Plätze; niemand verliert seinen Platz."
    ]
    same = more | {"capacity": 2}
    assert consequences(full, same, 24) == ["Für die angemeldeten Personen ändert sich nichts."]
