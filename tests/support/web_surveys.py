"""Surveys for the browser tests: people logged in through the development login, the API called from their
browser session (the page's own `/graphql`, with the session cookie and its CSRF header), and a published survey
with every question kind and a show-if question, made as "Sara Staff (Soest)"."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import Browser, Page

from tests.support.browser import RequestLog, log_in, new_page
from tests.support.markers import new_marker

STAFF = "Sara Staff (Soest)"
# Every kind once; question 3 is asked only to people who go by bike (option 0 of question 1).
QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "SINGLE_CHOICE",
        "prompt": "Wie kommen Sie meist in die Stadt?",
        "required": True,
        "options": ["Fahrrad", "Bus", "Auto"],
        "allowOther": True,
    },
    {
        "kind": "MULTIPLE_CHOICE",
        "prompt": "Was ist Ihnen wichtig?",
        "options": ["Sicherheit", "Tempo", "Preis"],
        "minSelections": 1,
        "maxSelections": 2,
    },
    {
        "kind": "FREE_TEXT",
        "prompt": "Was fehlt Ihnen auf dem Rad?",
        "required": True,
        "maxLength": 300,
        "showIf": {"questionIndex": 0, "anyOf": [0]},
    },
    {
        "kind": "SCALE",
        "prompt": "Wie zufrieden sind Sie?",
        "scaleMin": 1,
        "scaleMax": 5,
        "minLabel": "gar nicht",
        "maxLabel": "sehr",
    },
    {"kind": "RANKING", "prompt": "Was zuerst bauen?", "options": ["Radweg", "Bushaltestelle", "Parkplatz"]},
    {"kind": "NUMBER", "prompt": "Wie viele Kilometer fahren Sie am Tag?", "numberMin": 0, "numberMax": 500},
]

SURVEY = """
query S($id: ID!) {
  survey(id: $id) {
    id status responseCount
    questions { id position kind options }
    results {
      responseCount
      responsesByDay { day count }
      questions {
        questionId kind answered otherCount texts otherTexts
        options { index label count }
        distribution { value count }
        rankScores { index label score }
      }
    }
  }
}
"""


async def person(browser: Browser, base_url: str, name: str, *, javascript: bool = True) -> tuple[Page, RequestLog]:
    page, requests = await new_page(browser, javascript=javascript)
    await page.goto(base_url + "/")
    await log_in(page, base_url, name)
    return page, requests


async def api(page: Page, base_url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The API as the page's person: the session cookie, and the CSRF header the service asks of cookie callers."""
    cookies = {cookie["name"]: cookie["value"] for cookie in await page.context.cookies(base_url)}
    response = await page.context.request.post(
        base_url + "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}),
        headers={"Content-Type": "application/json", "X-CSRF-Token": cookies.get("mitmachen_csrf", "")},
    )
    body: dict[str, Any] = await response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def published_survey(staff: Page, base_url: str, *, anonymous: bool = False, title: str = "") -> str:
    """A Soest survey open to everyone logged in, results public after close; its global id."""
    data = await api(staff, base_url, 'query { town(slug: "soest") { id } }')
    closes = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    drafted = await api(
        staff,
        base_url,
        "mutation D($input: DraftSurveyInput!) {"
        " draftSurvey(input: $input) { ... on SurveyDrafted { survey { id } } } }",
        {
            "input": {
                "townId": data["town"]["id"],
                "title": title or f"Mobilität {new_marker(8)}",
                "closesAt": closes,
                "isAnonymous": anonymous,
                "resultsPublic": True,
            }
        },
    )
    survey_id: str = drafted["draftSurvey"]["survey"]["id"]
    done = await api(
        staff,
        base_url,
        "mutation Q($input: SetSurveyQuestionsInput!) { setSurveyQuestions(input: $input) { __typename } }",
        {"input": {"surveyId": survey_id, "questions": QUESTIONS}},
    )
    assert done["setSurveyQuestions"]["__typename"] == "SurveyQuestionsSet"
    published = await api(
        staff, base_url, "mutation P($id: ID!) { publishSurvey(surveyId: $id) { __typename } }", {"id": survey_id}
    )
    assert published["publishSurvey"]["__typename"] == "SurveyPublished"
    return survey_id


async def results_of(staff: Page, base_url: str, survey_id: str, responses: int) -> dict[str, Any]:
    """The survey's results once the worker counted `responses` (an answer arriving while the results job runs is
    counted by the next sweep, within about a minute)."""
    deadline = asyncio.get_running_loop().time() + 90
    while True:
        survey: dict[str, Any] = (await api(staff, base_url, SURVEY, {"id": survey_id}))["survey"]
        counted = (survey["results"] or {}).get("responseCount")
        if counted == responses:
            return survey
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"results count {counted} responses, not {responses}")
        await asyncio.sleep(0.5)
