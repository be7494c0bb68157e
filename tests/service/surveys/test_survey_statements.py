"""A town's survey list is one statement per shape, compiled once: the visibility's fixed set of statuses is one
array parameter (`one_of`), not an `IN (…)` list that SQLAlchemy renders again on every run."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql

from service.surveys.repository import _town_statement


@pytest.mark.parametrize("visibility", ["all", "public", "public_or_managed"])
@pytest.mark.parametrize("with_status", [False, True])
def test_the_town_survey_statement_renders_nothing_per_run(visibility: str, *, with_status: bool) -> None:
    compiled = _town_statement(visibility, with_status=with_status, with_after=False).compile(
        dialect=postgresql.asyncpg.dialect()  # type: ignore[no-untyped-call]
    )

    assert "POSTCOMPILE" not in str(compiled)
    assert not compiled.literal_execute_params
    assert not any(bind.expanding for bind in compiled.binds.values())
