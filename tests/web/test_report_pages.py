"""The participation report in Chromium: region staff open the region's report and follow a figure to the ideas it
counts; a town's staff see their town's; citizens and other towns' staff are refused. The charts' numbers (read
from the SVG's `data-value`, not its pixels) and the table's are the API's."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, log_in, new_page, readme_screenshot
from tests.support.markers import new_marker
from tests.web.test_moderation_console import _published_idea
from web.charts import Series, column_chart, line_chart
from web.pages.reports import CHARTED, METRICS, Choice, period_label

SVG = "{http://www.w3.org/2000/svg}"
REPORT_QUERY = """
query Report($from: Date!, $to: Date!, $period: TallyPeriod!, $town: ID) {
  participationReport(from: $from, to: $to, period: $period, town: $town) {
    from computedAt figures { periodStart metric value strategyArea { id } }
  }
}"""


def test_a_chart_is_an_image_with_its_text_and_numbers() -> None:
    for draw in (column_chart, line_chart):
        svg = ElementTree.fromstring(  # noqa: S314 - the chart drawn by the test itself
            str(draw("k", "Ideen <neu>", ["01/2026", "02/2026"], [Series("Ideen", [3, 1.5]), Series("B", [0, 7])]))
        )
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == "diagramm-k-titel diagramm-k-text"
        assert svg.findtext(f"{SVG}title") == "Ideen <neu>"
        assert svg.findtext(f"{SVG}desc") == "Ideen: 01/2026 3, 02/2026 1,5; B: 01/2026 0, 02/2026 7"
        points = [(one.get("data-series"), one.get("data-label"), one.get("data-value")) for one in svg.iter()]
        assert [point for point in points if point[2] is not None] == [
            ("Ideen", "01/2026", "3"),
            ("Ideen", "02/2026", "1.5"),
            ("B", "01/2026", "0"),
            ("B", "02/2026", "7"),
        ]
        axis = [one.text for one in svg.iter(f"{SVG}text")]
        assert axis[:5] == ["0", "2,5", "5", "7,5", "10"]  # 7 rounds up to a top of 10
        assert "01/2026" in axis


def test_a_report_covers_the_periods_asked_for_and_says_what_it_cannot_read() -> None:
    today = date(2026, 12, 6)
    default = Choice.of({}, today)
    assert (default.period, default.from_date, default.to_date) == ("MONTH", date(2026, 1, 1), today)
    assert [period_label("MONTH", start) for start in default.starts()][::11] == ["01/2026", "12/2026"]
    weeks = Choice.of({"zeitraum": "WEEK", "von": "2026-11-25", "bis": "2026-12-06"}, today)
    assert [period_label("WEEK", start) for start in weeks.starts()] == ["KW 48/2026", "KW 49/2026"]
    quarters = Choice.of({"zeitraum": "QUARTER"}, today).starts()
    assert (len(quarters), quarters[0]) == (8, date(2025, 1, 1))
    wrong = Choice.of({"zeitraum": "DAY", "von": "2026-13-01", "bis": "2026-01-01"}, today)
    assert [(problem.field, problem.message) for problem in wrong.problems] == [
        ("zeitraum", "Bitte einen Zeitraum aus der Liste wählen."),
        ("von", "Bitte ein Datum wie 2026-01-31 angeben."),
    ]
    assert Choice.of({"von": "2026-05-01", "bis": "2026-04-01"}, today).problems[0].field == "von"
    assert Choice.of({"von": "2020-01-01", "bis": "2026-04-01"}, today).problems[0].field == "bis"


async def _graphql(page: Page, web: DevService, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """What the API answers the person logged in on `page`."""
    cookies = {cookie["name"]: cookie["value"] for cookie in await page.context.cookies()}
    response = await page.request.post(
        web.url + "/graphql",
        data={"query": query, "variables": variables},
        headers={"X-CSRF-Token": cookies["mitmachen_csrf"]},
    )
    body = await response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def _recomputed(page: Page) -> None:
    """Asks for a recompute and reloads until the report shows the new run. A request within a minute of the last
    run's end collapses into that run (its job key is still taken), so it asks again as a person would."""
    before = await page.locator("main").inner_text()
    stamp = page.locator("p", has_text="Berechnet am")
    for attempt in range(240):
        if attempt % 20 == 0:
            await page.get_by_role("button", name="Jetzt neu berechnen").click()
            await expect(page.get_by_role("status").first).to_contain_text("Die Zahlen werden neu berechnet.")
        await page.wait_for_timeout(500)
        await page.reload()
        if await stamp.count() and (await stamp.inner_text()) not in before:
            return
    raise AssertionError("the tallies were not recomputed")


async def _numbers_are_the_apis(page: Page, web: DevService, town: str | None) -> None:
    variables = {
        "from": await page.get_by_label("Von").input_value(),
        "to": await page.get_by_label("Bis").input_value(),
        "period": "MONTH",
        "town": town,
    }
    report = (await _graphql(page, web, REPORT_QUERY, variables))["participationReport"]
    expected = {
        (figure["periodStart"], figure["metric"]): figure["value"]
        for figure in report["figures"]
        if figure["strategyArea"] is None
    }
    periods = await page.locator("tbody tr").evaluate_all("rows => rows.map(row => row.dataset.period)")
    assert periods[0] == report["from"]
    assert sum(expected.values()) > 0
    for metric in METRICS:
        cells = page.locator(f'td[data-metric="{metric}"]')
        shown = await cells.evaluate_all("cells => cells.map(cell => Number(cell.dataset.value))")
        assert shown == [expected.get((start, metric), 0) for start in periods], metric
    for metric in CHARTED:
        chart = page.locator(f"#diagramm-{metric.lower()}-titel").locator("xpath=..")
        drawn = await chart.locator("[data-value]").evaluate_all("bars => bars.map(bar => Number(bar.dataset.value))")
        assert drawn == [expected.get((start, metric), 0) for start in periods], metric
    assert await page.get_by_role("img", name=await page.locator("figcaption").first.inner_text()).count() == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_region_staff_follow_a_figure_of_the_region_report_to_its_ideas(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    title = f"Trinkbrunnen am Bahnhof {new_marker(6)}"
    await _published_idea(browser, web, title)
    page, requests = await new_page(browser, javascript=javascript)
    await page.goto(web.url + "/konsole")
    await log_in(page, web.url, "Regina Region")
    await page.get_by_role("region", name="Region").get_by_role("link", name="Beteiligungsbericht").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Beteiligungsbericht: Region")
    await _recomputed(page)
    await _numbers_are_the_apis(page, web, None)
    if javascript:  # axe is a script; the no-JS run reaches the same states
        assert await accessibility_violations(page) == []
    this_month = datetime.now(ZoneInfo("Europe/Berlin")).date().replace(day=1).isoformat()
    figure = page.locator(f'tr[data-period="{this_month}"] td[data-metric="IDEAS_PUBLISHED"]')
    counted = int(await figure.get_attribute("data-value") or 0)
    await figure.get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Ideen veröffentlicht, {this_month[5:7]}/{this_month[:4]}"
    )
    cards = page.locator("main article")
    await expect(cards).to_have_count(min(counted, 20))
    if javascript:
        assert await accessibility_violations(page) == []
    while not await page.get_by_role("link", name=title).count():
        await page.get_by_role("link", name="Weiter").click()
    await page.get_by_role("link", name=title).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert requests.foreign(web.url) == []
    await page.context.close()


async def test_town_staff_see_their_towns_report_in_every_state(web: DevService, browser: Browser) -> None:
    await _published_idea(browser, web, f"Schattenbäume am Markt {new_marker(6)}")
    page, requests = await new_page(browser)
    await page.goto(web.url + "/konsole")
    await log_in(page, web.url, "Sara Staff (Soest)")
    await page.get_by_role("region", name="Soest").get_by_role("link", name="Beteiligungsbericht").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Beteiligungsbericht: Soest")
    assert await accessibility_violations(page) == []
    await _recomputed(page)
    await _numbers_are_the_apis(page, web, await _soest_id(page, web))
    await readme_screenshot(page, "participation-report", showing=page.locator(".report-charts"))
    assert await accessibility_violations(page) == []
    # A field of action: its own figures; the links to the ideas keep it.
    await page.get_by_label("Handlungsfeld").select_option(index=1)
    await page.get_by_role("button", name="Anzeigen").click()
    await expect(page).to_have_url(re.compile(r"/konsole/soest/bericht\?.*handlungsfeld=\w"))
    assert await accessibility_violations(page) == []
    # Years long past: an empty report; wrong dates: the errors at the fields and in the summary.
    await page.goto(web.url + "/konsole/soest/bericht?zeitraum=YEAR&von=2020-01-01&bis=2021-12-31")
    await expect(page.locator("td[data-value]")).to_have_count(2 * len(METRICS))
    assert set(await page.locator("td[data-value]").evaluate_all("cells => cells.map(c => c.dataset.value)")) == {"0"}
    assert await accessibility_violations(page) == []
    response = await page.goto(web.url + "/konsole/soest/bericht?von=2026-13-01&bis=2026-01-01")
    assert response is not None
    assert response.status == 400
    await expect(page.get_by_role("alert")).to_contain_text("Bitte ein Datum wie 2026-01-31 angeben.")
    await expect(page.get_by_label("Von")).to_have_attribute("aria-invalid", "true")
    assert await accessibility_violations(page) == []
    # The open-data files of the town are where the page says.
    link = page.get_by_role("link", name="soest.csv")
    download = await page.request.get(web.url + (await link.get_attribute("href") or ""))
    assert download.ok
    assert (await download.text()).startswith("town,")
    assert requests.foreign(web.url) == []
    await page.context.close()


async def _soest_id(page: Page, web: DevService) -> str:
    town_id: str = (await _graphql(page, web, '{ town(slug: "soest") { id } }', {}))["town"]["id"]
    return town_id


@pytest.mark.parametrize(
    ("person", "path"),
    [
        ("Clara Citizen (Soest)", "/konsole/soest/bericht"),
        ("Clara Citizen (Soest)", "/konsole/region/bericht"),
        ("Sven Staff (Olpe)", "/konsole/soest/bericht"),
        ("Sven Staff (Olpe)", "/konsole/region/bericht"),
        ("Mia Moderation (Soest)", "/konsole/soest/bericht/ideen?kennzahl=SUPPORTS&zeitraum=MONTH&beginn=2026-01-01"),
    ],
)
async def test_others_are_refused_the_report(web: DevService, browser: Browser, person: str, path: str) -> None:
    page, _ = await new_page(browser)
    await page.goto(web.url + "/")
    await log_in(page, web.url, person)
    response = await page.goto(web.url + path)
    assert response is not None
    assert response.status == 403
    await expect(page.locator("main")).to_contain_text("Nur Mitarbeitende der Stadt oder der Region")
    assert await accessibility_violations(page) == []
    await page.context.close()
