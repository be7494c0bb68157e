"""What a town's page costs the database: the town with its fields of action, open surveys and offers in one
statement (`schema/towns/page_lists.py`), its ideas in a second, whatever the page shows."""

from __future__ import annotations

import httpx

from service.db.engine import count_statements


async def test_the_town_page_of_an_anonymous_visitor_costs_two_statements(client: httpx.AsyncClient) -> None:
    with count_statements() as counter:
        response = await client.get("/orte/soest")

    assert response.status_code == 200
    assert "Offene Umfragen" in response.text
    assert counter.count == 2
