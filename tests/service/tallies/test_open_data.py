"""Open data: suppression of small cells, the CSV and JSON shapes, metadata, and `mitmachen tally --export`."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.config import Settings
from service.tallies.compute import recompute
from tests.support.oidc_provider import OidcProvider
from tests.support.tallies import Cell, Dataset, build_dataset, expected_tallies

HEADER = "town,town_name,strategy_area,strategy_area_name,period,period_start,metric,value,suppressed"
COLUMNS = HEADER.split(",")


async def _recomputed(runtime: Runtime, oidc_provider: OidcProvider) -> Dataset:
    dataset = await build_dataset(runtime, oidc_provider)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await recompute(session)
    return dataset


async def _town_slugs(runtime: Runtime) -> list[str]:
    async with runtime.engine.connect() as connection:
        return list(await connection.scalars(text("SELECT slug FROM towns ORDER BY slug")))


async def _area_ids(runtime: Runtime) -> dict[tuple[str, str], uuid.UUID]:
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT t.slug, a.slug, a.id FROM strategy_areas a JOIN towns t ON t.id = a.town_id")
        )
        return {(town, area): area_id for town, area, area_id in rows}


def _cell(dataset: Dataset, areas: dict[tuple[str, str], uuid.UUID], row: dict[str, str]) -> Cell:
    town = dataset.towns[row["town"]] if row["town"] else None
    area = areas[(row["town"], row["strategy_area"])] if row["strategy_area"] else None
    return (town, area, row["period"], date.fromisoformat(row["period_start"]), row["metric"])


async def test_cells_with_fewer_than_five_people_are_suppressed_in_csv_and_json(
    runtime: Runtime, oidc_provider: OidcProvider, client: httpx.AsyncClient
) -> None:
    dataset = await _recomputed(runtime, oidc_provider)
    expected = expected_tallies(dataset)
    areas = await _area_ids(runtime)

    for scope, town in (("soest", dataset.towns["soest"]), ("suedwestfalen", None)):
        response = await client.get(f"/open-data/{scope}.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.text.splitlines()[0] == HEADER
        rows = list(csv.DictReader(io.StringIO(response.text)))
        cells = [_cell(dataset, areas, row) for row in rows]
        assert sorted(cells, key=str) == sorted((cell for cell in expected if cell[0] == town), key=str)
        shown = suppressed = 0
        for row, cell in zip(rows, cells, strict=True):
            value, people = expected[cell]
            if people < 5 or row["suppressed"] == "true":  # small cells, and those that would give them away
                assert (row["value"], row["suppressed"]) == ("", "true"), row
                suppressed += 1
            else:
                assert (Decimal(row["value"]), row["suppressed"]) == (value, "false"), row
                shown += 1
        assert shown > 0
        assert suppressed > 0

        records = (await client.get(f"/open-data/{scope}.json")).json()
        assert isinstance(records, list)
        assert len(records) == len(rows)
        for record, row in zip(records, rows, strict=True):
            assert list(record) == COLUMNS
            assert record["suppressed"] is (row["suppressed"] == "true")
            if record["suppressed"]:
                assert record["value"] is None
            else:  # a number, not a string: integers for counts
                assert type(record["value"]) in (int, float), record
                assert Decimal(str(record["value"])) == Decimal(row["value"])
            assert record["town"] == (row["town"] or None)
        if town is None:
            assert {record["town_name"] for record in records} == {"Südwestfalen"}

    # The hand-picked week with exactly five people (one author, four supporters) in one area is shown.
    soest_rows = list(csv.DictReader(io.StringIO((await client.get("/open-data/soest.csv")).text)))
    week = next(
        row
        for row in soest_rows
        if (row["period"], row["period_start"], row["metric"]) == ("week", "2024-03-25", "participants")
        and row["strategy_area"]
    )
    assert expected[_cell(dataset, areas, week)][1] >= 5
    assert week["suppressed"] == "false"


async def test_metadata_names_the_licence_and_columns_and_unknown_scopes_are_not_found(
    runtime: Runtime, oidc_provider: OidcProvider, client: httpx.AsyncClient
) -> None:
    await _recomputed(runtime, oidc_provider)

    meta = (await client.get("/open-data/soest.meta.json")).json()

    assert meta["licence"]["id"] == "dl-de/by-2-0"
    assert meta["licence"]["url"].startswith("https://")
    assert meta["title"] == "Beteiligung in Soest", "the town's name, not its slug"
    assert "soest" not in meta["title"]
    assert (await client.get("/open-data/suedwestfalen.meta.json")).json()["title"] == "Beteiligung in Südwestfalen"
    assert [column["name"] for column in meta["columns"]] == COLUMNS
    assert all(column["description"] for column in meta["columns"])
    assert meta["files"] == ["soest.csv", "soest.json"]
    assert meta["suppression"] == {"minimum_people": 5}
    assert meta["computed_at"] is not None
    for path in ("/open-data/unknown-town.csv", "/open-data/unknown-town.meta.json", "/open-data/soest.xml"):
        response = await client.get(path)
        assert response.status_code == 404, path


def _run(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    env.update(environment)
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "mitmachen", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def test_tally_command_recomputes_and_exports_the_same_files_as_served(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    await build_dataset(runtime, oidc_provider, random_ideas=15)

    result = _run("tally", "--export", str(tmp_path / "out"), MITMACHEN_DATABASE_URL=settings.database_url or "")
    again = _run("tally", MITMACHEN_DATABASE_URL=settings.database_url or "")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("tallies recomputed: ")
    digest = lines[1].removeprefix("digest ")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[1] == f"digest {digest}"
    assert " 0 written, 0 deleted" in again.stdout.splitlines()[0]
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    towns = await _town_slugs(runtime)
    assert "olpe" in towns
    assert written == sorted(
        f"{scope}{suffix}" for scope in (*towns, "suedwestfalen") for suffix in (".csv", ".json", ".meta.json")
    )
    # A town without figures: the same file served and exported, a table with its header and no rows.
    assert (tmp_path / "out" / "olpe.csv").read_text(encoding="utf-8") == HEADER + "\n"
    assert json.loads((tmp_path / "out" / "olpe.json").read_text(encoding="utf-8")) == []
    olpe_meta = json.loads((tmp_path / "out" / "olpe.meta.json").read_text(encoding="utf-8"))
    assert olpe_meta["title"] == "Beteiligung in Olpe"
    for scope in ("soest", "suedwestfalen", "olpe"):
        for kind in ("csv", "json", "meta.json"):
            served = await client.get(f"/open-data/{scope}.{kind}")
            assert served.status_code == 200
            exported = (tmp_path / "out" / f"{scope}.{kind}").read_text(encoding="utf-8")
            if kind == "meta.json":  # the second run above is the latest computation now
                exported, served_text = json.loads(exported), served.json()
                assert exported.pop("computed_at") < served_text.pop("computed_at")
                assert exported == served_text
            else:
                assert exported == served.text
        meta = json.loads((tmp_path / "out" / f"{scope}.meta.json").read_text(encoding="utf-8"))
        assert meta["licence"]["id"] == "dl-de/by-2-0"
        assert [column["name"] for column in meta["columns"]] == COLUMNS
