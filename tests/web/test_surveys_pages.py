"""Surveys for citizens in Chromium: the town's list, the answer form of all six kinds with and without
JavaScript (show-if live with it, hints and the server's conditions without), errors at the question, "already
answered", the note on anonymity; axe-core on every state."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, new_page, readme_screenshot
from tests.support.web_surveys import STAFF, api, person, published_survey, results_of


async def axe_clean(page: Page) -> None:
    assert await accessibility_violations(page) == [], page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_a_citizen_answers_every_kind_and_the_show_if_question_follows_the_answer(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    staff, _ = await person(browser, web.url, STAFF)
    survey_id = await published_survey(staff, web.url, anonymous=True)
    title = (await api(staff, web.url, "query S($id: ID!) { survey(id: $id) { title } }", {"id": survey_id}))["survey"][
        "title"
    ]

    citizen, requests = await person(browser, web.url, "Clara Citizen (Soest)", javascript=javascript)
    await citizen.goto(web.url + "/orte/soest/umfragen")
    await citizen.get_by_role("link", name=title).click()
    await expect(citizen.get_by_role("heading", level=1)).to_have_text(title)
    await expect(citizen.get_by_role("heading", name="Diese Umfrage ist anonym")).to_be_visible()
    await readme_screenshot(citizen, "survey-form")
    follow_up = citizen.get_by_label("3. Was fehlt Ihnen auf dem Rad?")
    if javascript:
        await axe_clean(citizen)
        await expect(follow_up).to_be_hidden()
        await citizen.get_by_label("Fahrrad", exact=True).check()
        await expect(follow_up).to_be_visible()
        await citizen.get_by_label("Bus", exact=True).check()
        await expect(follow_up).to_be_hidden()
    else:
        await expect(
            citizen.get_by_text(
                "Nur zu beantworten, wenn Sie bei Frage 1 eine dieser Antworten gewählt haben: „Fahrrad“."
            )
        ).to_be_visible()
        await citizen.get_by_label("Bus", exact=True).check()
        # Typed although the condition is not met: the server drops it rather than refusing the whole form.
        await follow_up.fill("Dies wird nicht gespeichert")

    # Errors: a ranking with one place twice, and the required first question left out (after unchecking).
    await citizen.get_by_label("Radweg").select_option("1")
    await citizen.get_by_label("Bushaltestelle").select_option("1")
    await citizen.get_by_label("Parkplatz").select_option("3")
    await citizen.get_by_role("button", name="Antworten senden").click()
    summary = citizen.get_by_role("alert")
    await expect(summary).to_contain_text("Frage 5: Bitte geben Sie jedem Eintrag einen anderen Platz, von 1 bis 3.")
    await expect(summary.get_by_role("link")).to_have_attribute("href", "#feld-frage-4")
    await expect(citizen.get_by_label("Bus", exact=True)).to_be_checked()
    if javascript:
        await axe_clean(citizen)

    await citizen.get_by_label("Bushaltestelle").select_option("2")
    await citizen.get_by_label("Sicherheit").check()
    await citizen.get_by_label("Tempo").check()
    await citizen.get_by_label("4", exact=True).check()
    await citizen.get_by_label("6. Wie viele Kilometer fahren Sie am Tag?").fill("12,5")
    await citizen.get_by_role("button", name="Antworten senden").click()
    await expect(citizen.get_by_role("status").first).to_contain_text("Danke! Ihre Antworten sind gespeichert.")
    await expect(citizen.get_by_role("heading", name="Sie haben diese Umfrage schon beantwortet.")).to_be_visible()
    await expect(citizen.get_by_role("button", name="Antworten senden")).to_have_count(0)
    assert requests.foreign(web.url) == []
    if not javascript:
        checked, _ = await new_page(browser)
        await checked.goto(web.url + f"/umfragen/{survey_id}")
        await axe_clean(checked)
        await checked.context.close()
    else:
        await axe_clean(citizen)

    survey = await results_of(staff, web.url, survey_id, 1)
    by_position = dict(zip([q["position"] for q in survey["questions"]], survey["results"]["questions"], strict=True))
    assert [option["count"] for option in by_position[0]["options"]] == [0, 1, 0]
    assert [option["count"] for option in by_position[1]["options"]] == [1, 1, 0]
    assert by_position[2]["answered"] == 0
    assert by_position[2]["texts"] == []
    assert [entry for entry in by_position[3]["distribution"] if entry["count"]] == [{"value": 4.0, "count": 1}]
    assert [score["label"] for score in sorted(by_position[4]["rankScores"], key=lambda s: -s["score"])] == [
        "Radweg",
        "Bushaltestelle",
        "Parkplatz",
    ]
    assert [entry for entry in by_position[5]["distribution"] if entry["count"]] == [{"value": 12.5, "count": 1}]
    await staff.context.close()
    await citizen.context.close()


async def test_a_required_question_left_out_is_named_and_the_input_is_kept(web: DevService, browser: Browser) -> None:
    staff, _ = await person(browser, web.url, STAFF)
    survey_id = await published_survey(staff, web.url)
    await staff.context.close()
    citizen, _ = await person(browser, web.url, "Omar Olpe")
    await citizen.goto(web.url + f"/umfragen/{survey_id}")
    await expect(citizen.get_by_text("Diese Umfrage ist nicht anonym")).to_be_visible()
    await citizen.get_by_label("Preis").check()
    await citizen.get_by_role("button", name="Antworten senden").click()
    summary = citizen.get_by_role("alert")
    await expect(
        summary.get_by_role("link", name="Frage 1 ist eine Pflichtfrage: bitte beantworten.")
    ).to_have_attribute("href", "#feld-frage-0")
    await expect(citizen.get_by_label("Preis")).to_be_checked()
    await expect(citizen).to_have_title(re.compile(r"^Fehler: Mobilität "))
    await axe_clean(citizen)
    await citizen.context.close()


async def test_visitors_are_asked_to_log_in_to_answer(web: DevService, browser: Browser) -> None:
    staff, _ = await person(browser, web.url, STAFF)
    survey_id = await published_survey(staff, web.url)
    await staff.context.close()
    page, requests = await new_page(browser)
    await page.goto(web.url + f"/umfragen/{survey_id}")
    await expect(page.get_by_role("link", name="Zum Antworten anmelden")).to_be_visible()
    await axe_clean(page)
    # A made-up id is the visitor's mistake, not the service's.
    response = await page.goto(web.url + "/umfragen/keine-umfrage")
    assert response is not None
    assert response.status == 400
    await page.goto(web.url + "/orte/soest/umfragen")
    await expect(page.get_by_role("heading", name="Laufende Umfragen")).to_be_visible()
    await axe_clean(page)
    assert requests.foreign(web.url) == []
    await page.context.close()

    english, _ = await new_page(browser, locale="en-GB")
    await english.goto(web.url + f"/umfragen/{survey_id}")
    await expect(english.get_by_role("link", name="Log in to answer")).to_be_visible()
    await expect(english.get_by_text("This survey is not anonymous")).to_be_visible()
    await english.context.close()
