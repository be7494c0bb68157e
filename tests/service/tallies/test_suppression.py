"""Small-cell suppression cannot be undone: an attacker who reads every published open data file and subtracts.

The attacker knows the sum relations of the tables — a town's total is the sum of its strategy areas, the region's
the sum of the towns', a quarter the sum of its months, a year the sum of its quarters — and that a row exists only
for a count of at least 1. It then tries to fix every suppressed value: by one relation with a single suppressed
cell, by a relation whose remainder equals the number of its suppressed counts (each must be 1), and by exact
linear algebra over all relations together (Gaussian elimination over the rationals).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from fractions import Fraction

import httpx
import pytest
from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.tallies.compute import recompute
from service.tallies.suppression import suppress
from tests.support.oidc_provider import OidcProvider
from tests.support.tallies import Dataset, build_dataset, expected_tallies

# (town slug or "", area slug or "", period, period_start, metric)
Cell = tuple[str, str, str, str, str]
ADDITIVE = {
    "ideas_submitted",
    "ideas_published",
    "ideas_accepted",
    "ideas_implemented",
    "supports",
    "comments",
    "survey_responses",
    "volunteer_sign_ups",
    "volunteer_hours",
}


def _quarter(start: str) -> str:
    day = date.fromisoformat(start)
    return day.replace(month=3 * ((day.month - 1) // 3) + 1).isoformat()


def relations(cells: set[Cell]) -> list[tuple[Cell, list[Cell]]]:
    """(total, parts) of every sum relation between the published cells; a missing row is a known 0."""
    found: dict[tuple[str, Cell], list[Cell]] = defaultdict(list)
    for cell in cells:
        town, area, period, start, metric = cell
        if metric not in ADDITIVE:
            continue
        if area:
            found[("areas", (town, "", period, start, metric))].append(cell)
        elif town:
            found[("towns", ("", "", period, start, metric))].append(cell)
        if period == "month":
            found[("months", (town, area, "quarter", _quarter(start), metric))].append(cell)
        elif period == "quarter":
            found[("quarters", (town, area, "year", start[:4] + "-01-01", metric))].append(cell)
    return [(total, parts) for (_, total), parts in found.items() if total in cells]


def attack(published: dict[Cell, Decimal | None]) -> dict[Cell, str]:
    """Every suppressed cell the attacker can pin down, with how."""
    hidden = {cell for cell, value in published.items() if value is None}
    pinned: dict[Cell, str] = {}
    rows: list[dict[Cell, Fraction]] = []
    for total, parts in relations(set(published)):
        unknown = [cell for cell in (total, *parts) if cell in hidden]
        if len(unknown) == 1:
            pinned[unknown[0]] = f"alone in {total}"
        if total not in hidden and unknown and total[4] != "volunteer_hours":
            known = sum((published[part] or Decimal(0) for part in parts if part not in hidden), Decimal(0))
            rest = (published[total] or Decimal(0)) - known
            if rest == len(unknown):
                pinned.update({cell: f"remainder {rest} over {len(unknown)} counts in {total}" for cell in unknown})
        if unknown:  # total - sum(parts) = known constant, over the unknowns
            row = {cell: Fraction(1 if cell == total else -1) for cell in unknown}
            rows.append(row)
    for cell in _fixed_by_linear_algebra(rows):
        pinned.setdefault(cell, "linear algebra over all relations")
    return pinned


def _fixed_by_linear_algebra(rows: list[dict[Cell, Fraction]]) -> set[Cell]:
    """Unknowns whose unit vector lies in the row space: reduced row echelon form over the rationals."""
    pivots: dict[Cell, dict[Cell, Fraction]] = {}
    for original in rows:
        row = dict(original)
        for cell in [cell for cell in row if cell in pivots]:
            factor = row.get(cell, Fraction(0))
            for other, coefficient in pivots[cell].items():
                row[other] = row.get(other, Fraction(0)) - factor * coefficient
            row = {key: value for key, value in row.items() if value != 0}
        if not row:
            continue
        pivot = min(row)
        row = {key: value / row[pivot] for key, value in row.items()}
        for other_row in pivots.values():
            factor = other_row.get(pivot, Fraction(0))
            if factor:
                for cell, coefficient in row.items():
                    other_row[cell] = other_row.get(cell, Fraction(0)) - factor * coefficient
                for cell in [cell for cell, value in other_row.items() if value == 0]:
                    del other_row[cell]
        pivots[pivot] = row
    return {pivot for pivot, row in pivots.items() if len(row) == 1}


async def _published(client: httpx.AsyncClient, runtime: Runtime) -> dict[Cell, Decimal | None]:
    async with runtime.engine.connect() as connection:
        towns = list(await connection.scalars(text("SELECT slug FROM towns ORDER BY slug")))
    published: dict[Cell, Decimal | None] = {}
    for scope in ("suedwestfalen", *towns):
        response = await client.get(f"/open-data/{scope}.csv")
        assert response.status_code == 200
        for row in csv.DictReader(io.StringIO(response.text)):
            cell = (row["town"], row["strategy_area"], row["period"], row["period_start"], row["metric"])
            assert (row["suppressed"] == "true") == (row["value"] == "")
            published[cell] = None if row["suppressed"] == "true" else Decimal(row["value"])
    return published


@pytest.mark.parametrize(("ideas", "crowd"), [(60, 9), (200, 60)])
async def test_no_suppressed_value_can_be_derived_from_the_published_files(
    ideas: int, crowd: int, runtime: Runtime, oidc_provider: OidcProvider, client: httpx.AsyncClient
) -> None:
    dataset = await build_dataset(runtime, oidc_provider, random_ideas=ideas, crowd=crowd)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        first = await recompute(session)
    published = await _published(client, runtime)

    # The primary rule holds: every cell with fewer than five people is suppressed.
    truth, small = await _truth(runtime, dataset)
    assert set(published) == set(truth)
    assert small
    assert all(published[cell] is None for cell in small)
    suppressed = {cell for cell, value in published.items() if value is None}
    assert suppressed > small, "more cells suppressed than the small ones"
    assert len(suppressed) < len(published), "and something is still published"
    for cell, value in published.items():
        assert value is None or value == truth[cell]

    assert attack(published) == {}

    # With the small cells alone left out, the same data gives small cells away.
    assert attack({cell: None if cell in small else value for cell, value in truth.items()}) != {}

    # Deterministic: recomputing gives the same table, the same suppressed cells, the same digest.
    async with runtime.unit_of_work() as uow, uow.session() as session:
        again = await recompute(session, parts=1)
    assert (again.digest, again.changed, again.deleted) == (first.digest, 0, 0)
    assert await _published(client, runtime) == published


async def _truth(runtime: Runtime, dataset: Dataset) -> tuple[dict[Cell, Decimal], set[Cell]]:
    """Every cell's true value, computed independently, and the cells with fewer than five people."""
    slugs: dict[uuid.UUID | None, str] = {town_id: slug for slug, town_id in dataset.towns.items()}
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(text("SELECT id, slug FROM strategy_areas"))
        area_slugs: dict[uuid.UUID | None, str] = {row.id: row.slug for row in rows}
    truth: dict[Cell, Decimal] = {}
    small: set[Cell] = set()
    for (town, area, period, start, metric), (value, people) in expected_tallies(dataset).items():
        cell = (slugs.get(town, ""), area_slugs.get(area, ""), period, start.isoformat(), metric)
        truth[cell] = value
        if people < 5:
            small.add(cell)
    return truth, small


def test_a_lone_suppressed_area_is_protected_by_the_next_smallest_and_the_choice_is_stable() -> None:
    """Soest submitted 11 ideas in 2024: Mobilität 9, Klima 2 from fewer than five people."""
    year = date(2024, 1, 1)
    town, mob, cli, oth = (uuid.UUID(int=index) for index in range(10, 14))
    values = {
        (town, None, "year", year, "ideas_submitted"): Decimal(11),
        (town, mob, "year", year, "ideas_submitted"): Decimal(9),
        (town, cli, "year", year, "ideas_submitted"): Decimal(2),
        (None, None, "year", year, "ideas_submitted"): Decimal(11),
    }
    people = dict.fromkeys(values, 30) | {(town, cli, "year", year, "ideas_submitted"): 2}

    left_out = suppress(values, people)

    assert left_out == {(town, cli, "year", year, "ideas_submitted"), (town, mob, "year", year, "ideas_submitted")}
    # A third area: the smallest published one is left out, not the larger.
    values[(town, oth, "year", year, "ideas_submitted")] = Decimal(4)
    values[(town, None, "year", year, "ideas_submitted")] = Decimal(15)
    values[(None, None, "year", year, "ideas_submitted")] = Decimal(15)
    people[(town, oth, "year", year, "ideas_submitted")] = 12
    assert suppress(values, people) == {
        (town, cli, "year", year, "ideas_submitted"),
        (town, oth, "year", year, "ideas_submitted"),
    }
    assert suppress(dict(reversed(values.items())), people) == suppress(values, people)
