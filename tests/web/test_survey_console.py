"""The staff's surveys in Chromium (journey 2 of the console): staff build a survey with every kind and a show-if
question in the builder, preview and publish it; three citizens answer; staff close it; the charts' numbers (their
`data-value` attributes) equal the API's results, and the CSV downloads for spreadsheets. axe-core on every state."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, new_page, readme_screenshot
from tests.support.markers import new_marker
from tests.support.web_surveys import STAFF, api, person, published_survey, results_of

TOWN_TIME = ZoneInfo("Europe/Berlin")


async def axe_clean(page: Page) -> None:
    assert await accessibility_violations(page) == [], page.url


async def add_question(staff: Page, kind_label: str, prompt: str, fields: dict[str, str]) -> None:
    await staff.get_by_label("Art der neuen Frage").select_option(label=kind_label)
    await staff.get_by_role("button", name="Frage hinzufügen").click()
    await staff.get_by_label("Frage", exact=True).fill(prompt)
    for label, value in fields.items():
        await staff.get_by_label(label).fill(value)
    await staff.get_by_role("button", name="Frage speichern").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Frage ist gespeichert.")


async def build_survey(staff: Page, base_url: str, title: str) -> str:
    await staff.goto(base_url + "/konsole/umfragen")
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Umfragen: Soest")
    await axe_clean(staff)
    await staff.get_by_role("link", name="Neue Umfrage").click()
    await staff.get_by_label("Titel").fill(title)
    await staff.get_by_role("button", name="Entwurf anlegen").click()
    await expect(staff.get_by_role("alert")).to_contain_text("Bitte angeben, bis wann geantwortet werden kann.")
    await axe_clean(staff)
    closes = (datetime.now(TOWN_TIME) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    await staff.get_by_label("Ende", exact=True).fill(closes)
    await staff.get_by_label("Ergebnisse nach dem Ende öffentlich zeigen").check()
    await staff.get_by_role("button", name="Entwurf anlegen").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Der Entwurf ist angelegt.")
    await axe_clean(staff)
    survey_id = staff.url.rsplit("/", 1)[-1]

    # A question the API refuses (one option only): the error at its field, the input kept.
    await staff.get_by_label("Art der neuen Frage").select_option(label="Einfachauswahl")
    await staff.get_by_role("button", name="Frage hinzufügen").click()
    await staff.get_by_label("Frage", exact=True).fill("Wie kommen Sie meist in die Stadt?")
    await staff.get_by_label("Antwortmöglichkeiten").fill("Fahrrad")
    await staff.get_by_role("button", name="Frage speichern").click()
    await expect(staff.get_by_role("alert").get_by_role("link")).to_have_attribute("href", "#feld-options")
    await axe_clean(staff)
    await staff.get_by_label("Antwortmöglichkeiten").fill("Fahrrad\nBus\nAuto")
    await staff.get_by_label("Pflichtfrage").check()
    await staff.get_by_label("Eigene Antwort erlauben („Andere Antwort“ mit Textfeld)").check()
    await staff.get_by_role("button", name="Frage speichern").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Frage ist gespeichert.")

    await add_question(
        staff,
        "Mehrfachauswahl",
        "Was ist Ihnen wichtig?",
        {"Antwortmöglichkeiten": "Sicherheit\nTempo\nPreis", "Höchstens zu wählen": "2"},
    )
    await add_question(
        staff,
        "Skala",
        "Wie zufrieden sind Sie?",
        {"Beschriftung des kleinsten Werts": "gar nicht", "Beschriftung des größten Werts": "sehr"},
    )
    await add_question(
        staff, "Rangfolge", "Was zuerst bauen?", {"Antwortmöglichkeiten": "Radweg\nBushaltestelle\nParkplatz"}
    )
    await add_question(staff, "Zahl", "Wie viele Kilometer fahren Sie am Tag?", {"Kleinste erlaubte Zahl": "0"})
    # The show-if question, added last and moved up to third place (after the question it depends on).
    await staff.get_by_label("Art der neuen Frage").select_option(label="Freitext")
    await staff.get_by_role("button", name="Frage hinzufügen").click()
    await axe_clean(staff)
    await staff.get_by_label("Frage", exact=True).fill("Was fehlt Ihnen auf dem Rad?")
    await staff.get_by_label("Pflichtfrage").check()
    await staff.get_by_label("Nur stellen nach Frage").select_option(label="1. Wie kommen Sie meist in die Stadt?")
    await staff.get_by_role("group", name="Wenn bei Frage 1 gewählt:").get_by_label("Fahrrad").check()
    await staff.get_by_role("button", name="Frage speichern").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Frage ist gespeichert.")
    for number in (6, 5, 4):
        await staff.get_by_role("button", name=f"Frage {number} nach oben").click()
        await expect(staff.get_by_role("status").first).to_contain_text("Die Reihenfolge ist geändert.")
    await axe_clean(staff)

    # Editing shows what is stored; a question another one depends on is not deleted; a spare one is.
    await staff.get_by_role("link", name="Frage 3 bearbeiten").click()
    await expect(staff.get_by_label("Nur stellen nach Frage")).to_have_value("0")
    await expect(staff.get_by_role("group", name="Wenn bei Frage 1 gewählt:").get_by_label("Fahrrad")).to_be_checked()
    await axe_clean(staff)
    await staff.get_by_label("Hinweis zur Frage").fill("Zum Beispiel Abstellplätze.")
    await staff.get_by_role("button", name="Frage speichern").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Frage ist gespeichert.")
    await staff.get_by_role("button", name="Frage 1 löschen").click()
    await expect(staff.get_by_role("alert")).to_contain_text("Eine andere Frage wird nur nach dieser gestellt.")
    await add_question(staff, "Zahl", "Eine Frage zu viel", {})
    await staff.get_by_role("button", name="Frage 7 löschen").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Frage ist gelöscht.")
    await expect(staff.get_by_text("Eine Frage zu viel")).to_have_count(0)
    await staff.get_by_label("Beschreibung").fill("Wie bewegen Sie sich in Soest?")
    await staff.get_by_role("button", name="Einstellungen speichern").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Einstellungen sind gespeichert.")
    await expect(staff.get_by_label("Beschreibung")).to_have_value("Wie bewegen Sie sich in Soest?")
    return survey_id


async def answer(citizen: Page, base_url: str, survey_id: str, answers: dict[str, Any]) -> None:
    await citizen.goto(base_url + f"/umfragen/{survey_id}")
    for label in answers.get("check", ()):
        await citizen.get_by_label(label, exact=True).check()
    for label, value in answers.get("fill", {}).items():
        await citizen.get_by_label(label).fill(value)
    for label, value in answers.get("select", {}).items():
        await citizen.get_by_label(label).select_option(value)
    await citizen.get_by_role("button", name="Antworten senden").click()
    await expect(citizen.get_by_role("status").first).to_contain_text("Danke! Ihre Antworten sind gespeichert.")


ANSWERS = {
    "Clara Citizen (Soest)": {
        "check": ("Fahrrad", "Sicherheit", "Tempo", "4"),
        "fill": {"3. Was fehlt Ihnen auf dem Rad?": "Mehr Bügel", "6. Wie viele Kilometer fahren Sie am Tag?": "12,5"},
        "select": {"Radweg": "1", "Bushaltestelle": "2", "Parkplatz": "3"},
    },
    "Omar Olpe": {
        "check": ("Bus", "Tempo", "2"),
        "fill": {"6. Wie viele Kilometer fahren Sie am Tag?": "3"},
        "select": {"Radweg": "2", "Bushaltestelle": "1", "Parkplatz": "3"},
    },
    "Mia Moderation (Soest)": {
        "check": ("Andere Antwort", "Preis", "4"),
        "fill": {"Ihre eigene Antwort": "Zu Fuß"},
    },
}


def chart_values(values: list[dict[str, str]]) -> dict[str, float]:
    return {each["label"]: float(each["value"].replace(",", ".")) for each in values}


async def read_charts(page: Page) -> dict[str, dict[str, float]]:
    """Every chart's bars by label, from the SVG's data attributes."""
    charts = {}
    for chart in await page.locator("svg.chart").all():
        key = await chart.get_attribute("id")
        bars = await chart.locator("rect.chart-bar").evaluate_all(
            "bars => bars.map(bar => ({label: bar.dataset.label, value: bar.dataset.value}))"
        )
        charts[str(key)] = chart_values(bars)
    return charts


async def test_staff_build_a_survey_citizens_answer_and_the_charts_show_the_apis_results(
    web: DevService, browser: Browser
) -> None:
    staff, requests = await person(browser, web.url, STAFF)
    title = f"Mobilität {new_marker(8)}"
    survey_id = await build_survey(staff, web.url, title)

    await staff.get_by_role("link", name="Vorschau").click()
    await expect(staff.get_by_label("3. Was fehlt Ihnen auf dem Rad?")).to_be_hidden()
    await staff.get_by_label("Fahrrad", exact=True).check()
    await expect(staff.get_by_label("3. Was fehlt Ihnen auf dem Rad?")).to_be_visible()
    await axe_clean(staff)
    await staff.get_by_role("link", name="Zurück zur Umfrage").click()
    await staff.get_by_role("button", name="Veröffentlichen").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Umfrage ist veröffentlicht.")
    await axe_clean(staff)

    for name, given in ANSWERS.items():
        citizen, citizen_requests = await person(browser, web.url, name, javascript=name != "Omar Olpe")
        await answer(citizen, web.url, survey_id, given)
        assert citizen_requests.foreign(web.url) == []
        await citizen.context.close()

    # While it runs: the responses per day, once the worker counted them.
    for _ in range(50):
        await staff.reload()
        if await staff.locator("td[data-day]").count():
            break
        await asyncio.sleep(0.2)
    await expect(staff.locator("#ergebnis-tage + svg.chart, #diagramm-tage")).to_have_count(1)
    await axe_clean(staff)

    await staff.get_by_role("button", name="Jetzt beenden").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Umfrage ist beendet.")
    survey = await results_of(staff, web.url, survey_id, 3)
    assert survey["status"] == "CLOSED"
    await staff.get_by_role("link", name="Ergebnisse").first.click()
    await expect(staff.get_by_role("heading", level=1)).to_contain_text("Ergebnisse")
    await readme_screenshot(staff, "survey-results")
    await axe_clean(staff)
    charts = await read_charts(staff)
    results = {result["questionId"]: result for result in survey["results"]["questions"]}
    expected: dict[str, dict[str, float]] = {}
    for question in survey["questions"]:
        result = results[question["id"]]
        key = f"diagramm-frage-{question['position']}"
        if question["kind"] in ("SINGLE_CHOICE", "MULTIPLE_CHOICE"):
            expected[key] = {option["label"]: option["count"] for option in result["options"]}
            if question["kind"] == "SINGLE_CHOICE":
                expected[key]["Andere Antwort"] = result["otherCount"]
        elif question["kind"] in ("SCALE", "NUMBER"):
            expected[key] = {
                f"{entry['value']:g}".replace(".", ","): entry["count"] for entry in result["distribution"]
            }
        elif question["kind"] == "RANKING":
            expected[key] = {score["label"]: score["score"] for score in result["rankScores"]}
    days = survey["results"]["responsesByDay"]
    expected["diagramm-tage"] = {datetime.fromisoformat(day["day"]).strftime("%d.%m.%Y"): day["count"] for day in days}
    assert charts == expected
    # And the numbers are what the three people answered.
    assert charts["diagramm-frage-0"] == {"Fahrrad": 1, "Bus": 1, "Auto": 0, "Andere Antwort": 1}
    assert charts["diagramm-frage-4"] == {"Radweg": 5, "Bushaltestelle": 5, "Parkplatz": 2}
    assert charts["diagramm-frage-3"] == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 0}
    await expect(staff.get_by_role("listitem").filter(has_text="Mehr Bügel")).to_have_count(1)
    await expect(staff.get_by_role("listitem").filter(has_text="Zu Fuß")).to_have_count(1)

    async with staff.expect_download() as download_info:
        await staff.get_by_role("link", name="Alle Antworten als CSV-Datei (für Tabellenprogramme)").click()
    download = await download_info.value
    content = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4
    assert ";" in lines[0]
    assert "12,5" in content.decode("utf-8-sig")
    assert download.suggested_filename.endswith(".csv")
    assert requests.foreign(web.url) == []

    # Citizens see the public results (tables, no free texts) after close.
    visitor, _ = await new_page(browser)
    await visitor.goto(web.url + f"/umfragen/{survey_id}")
    await expect(visitor.get_by_role("heading", name="Ergebnisse")).to_be_visible()
    await expect(visitor.get_by_role("table").first).to_be_visible()
    await expect(visitor.get_by_text("Mehr Bügel")).to_have_count(0)
    await axe_clean(visitor)
    await visitor.context.close()

    await staff.goto(web.url + f"/konsole/umfragen/{survey_id}")
    await staff.get_by_role("button", name="Archivieren").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Umfrage ist archiviert.")
    await staff.context.close()


@pytest.mark.parametrize(
    ("name", "status"),
    [
        (None, "login"),
        ("Clara Citizen (Soest)", 403),
        ("Mia Moderation (Soest)", 403),
        ("Sven Staff (Olpe)", 403),
        ("Anton Admin (Arnsberg)", 403),
        ("Regina Region", 200),
        (STAFF, 200),
    ],
)
async def test_the_survey_console_appears_only_to_the_towns_staff_and_others_change_nothing(
    web: DevService, browser: Browser, name: str | None, status: int | str
) -> None:
    staff, _ = await person(browser, web.url, STAFF)
    survey_id = await published_survey(staff, web.url)
    if name is None:
        page, _ = await new_page(browser)
    else:
        page, _ = await person(browser, web.url, name)
    for path in (
        f"/konsole/umfragen/{survey_id}",
        f"/konsole/umfragen/{survey_id}/ergebnisse",
        f"/konsole/umfragen/{survey_id}/antworten.csv",
        f"/konsole/umfragen/{survey_id}/fragen/0",
    ):
        response = await page.request.get(web.url + path, max_redirects=0)
        if status == "login":
            assert (response.status, response.headers["location"].split("?")[0]) == (303, "/auth/login"), path
        else:
            assert response.status == status, path

    # Closing by posting the builder's form with one's own valid token: only those who run the town's surveys can.
    await page.goto(web.url + f"/umfragen/{survey_id}")
    token = await page.locator("input[name=csrf]").first.get_attribute("value") if name else ""
    posted = await page.request.post(
        web.url + f"/konsole/umfragen/{survey_id}/status",
        form={"csrf": token or "", "aktion": "beenden"},
        max_redirects=0,
    )
    after = (await api(staff, web.url, "query S($id: ID!) { survey(id: $id) { status } }", {"id": survey_id}))["survey"]
    if status == 200:
        assert (posted.status, after["status"]) == (303, "CLOSED")
    else:
        assert (posted.status, after["status"]) == (403, "PUBLISHED")
    await page.context.close()
    await staff.context.close()
