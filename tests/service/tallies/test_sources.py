"""The recompute reads other domains only through the tally sources they declare.

`compute.py` and `statements.py` name no other domain's table and import no other domain's module (towns and
strategy areas are the cells' dimensions, the events module the event a run writes); `sources.py` takes each
domain's `tally_source` module and nothing else of it; a domain's sources are built from its own models and the
kit, never from the tallies. Every metric has exactly one source.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import Table

from service.ideas.models import Idea
from service.kit.tally_source import TallySource, local_day, tally_source
from service.models import Base
from service.tallies.models import Metric
from service.tallies.sources import SOURCES, collect

ROOT = Path(__file__).resolve().parents[3]
TALLIES = ROOT / "service" / "tallies"
# What the recompute itself may import of the service: the platform, its own package, the dimensions of a cell and
# the event it writes.
OWN = {"kit", "db", "tallies", "towns", "events"}
DOMAINS_WITH_SOURCES = ("ideas", "surveys", "volunteering")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def _strings(path: Path) -> str:
    """Every string constant of a module, f-strings' literal parts included."""
    return "\n".join(
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _other_domains_tables() -> set[str]:
    """Tables of mapped models outside the recompute's own area (`OWN`)."""
    tables = set()
    for mapper in Base.registry.mappers:
        if mapper.class_.__module__.split(".")[1] not in OWN:
            assert isinstance(mapper.local_table, Table)
            tables.add(mapper.local_table.name)
    return tables


@pytest.mark.parametrize("module", ["compute.py", "statements.py"])
def test_the_recompute_names_no_other_domains_table_nor_imports_its_modules(module: str) -> None:
    path = TALLIES / module
    tables = _other_domains_tables()
    assert {"ideas", "comments", "survey_responses", "volunteer_sign_ups", "volunteer_shifts"} <= tables
    named = {table for table in tables if re.search(rf"\b{table}\b", _strings(path))}
    imported = [
        name
        for name in _imports(path)
        if name.startswith("service.") and name.split(".")[1] not in OWN and name != "service.models"
    ]

    assert named == set(), f"{module} names tables of other domains; declare them in a domain's tally_source.py"
    assert imported == []


def test_the_sources_are_taken_from_each_domains_tally_source_module_only() -> None:
    domains = [
        name
        for name in _imports(TALLIES / "sources.py")
        if name.startswith("service.") and name.split(".")[1] not in OWN
    ]

    assert sorted(domains) == [f"service.{domain}.tally_source" for domain in DOMAINS_WITH_SOURCES]


@pytest.mark.parametrize("domain", DOMAINS_WITH_SOURCES)
def test_a_domains_sources_use_its_own_models_and_the_kit(domain: str) -> None:
    imported = {
        name.split(".")[1]
        for name in _imports(ROOT / "service" / domain / "tally_source.py")
        if name.startswith("service.")
    }

    assert imported == {domain, "kit"}


def test_every_metric_but_participants_has_exactly_one_source() -> None:
    assert [metric for metric, _ in SOURCES] == [metric for metric in Metric if metric is not Metric.PARTICIPANTS]
    assert all(source.metric == metric.value for metric, source in SOURCES)


def _source(metric: str) -> TallySource:
    return tally_source(
        metric, person=Idea.author_id, town=Idea.town_id, area=Idea.strategy_area_id, day=local_day(Idea.created_at)
    )


def test_unknown_repeated_and_missing_metrics_are_refused() -> None:
    complete = tuple(source for _, source in SOURCES)

    assert [metric for metric, _ in collect(complete)] == [metric for metric, _ in SOURCES]
    with pytest.raises(ValueError, match="unknown metric: 'idea_submitted'"):
        collect(complete, (_source("idea_submitted"),))
    with pytest.raises(ValueError, match="unknown metric: 'participants'"):
        collect(complete, (_source("participants"),))
    with pytest.raises(ValueError, match="two tally sources of supports"):
        collect(complete, (_source("supports"),))
    with pytest.raises(ValueError, match="no tally source of volunteer_hours"):
        collect(complete[:-1])


def test_an_event_has_its_five_columns_by_name_and_the_unit_is_positive() -> None:
    source = _source("ideas_submitted")

    assert [column.name for column in source.events.selected_columns] == [
        "person",
        "town_id",
        "area_id",
        "day",
        "amount",
    ]
    with pytest.raises(ValueError, match="unit"):
        tally_source(
            "volunteer_hours",
            person=Idea.author_id,
            town=Idea.town_id,
            area=Idea.strategy_area_id,
            day=local_day(Idea.created_at),
            unit=0,
        )
