"""Fixed texts of the pages (`_("…")` with a literal) are translated when a template is compiled, one environment per
language; texts chosen at render time are still looked up then."""

from __future__ import annotations

import pytest

from web.config import WebConfig
from web.i18n import ENGLISH
from web.rendering import Pages

TEMPLATE = (
    '{% macro card(_) %}{{ _("Kommentare") }}{% endmacro %}'
    '<p title="{{ _(\'Ideen\') }}">{{ _("Ideen") }} · {{ _(chosen) }} · {{ card(_) }}</p>'
)


@pytest.mark.parametrize("language", ["de", "en"])
def test_literal_texts_are_translated_at_compile_time_and_chosen_ones_at_render_time(language: str) -> None:
    pages = Pages(None, WebConfig(login=False, session_csrf_key="csrf"))  # type: ignore[arg-type]
    asked: list[str] = []

    def translate(text: str) -> str:
        asked.append(text)
        return ENGLISH.get(text, text) if language == "en" else text

    html = pages.environments[language].from_string(TEMPLATE).render(_=translate, chosen="Suche")

    if language == "en":
        assert html == '<p title="Ideas">Ideas · Search · Comments</p>'
    else:
        assert html == '<p title="Ideen">Ideen · Suche · Kommentare</p>'
    assert asked == ["Suche"]


def test_a_page_in_english_is_compiled_apart_from_the_german_one() -> None:
    pages = Pages(None, WebConfig(login=False, session_csrf_key="csrf"))  # type: ignore[arg-type]
    german = pages.environments["de"].get_template("town.html")
    english = pages.environments["en"].get_template("town.html")
    assert german is not english
    # Filters registered on the pages' environment serve both languages.
    pages.environment.filters["shout"] = str.upper
    assert pages.environments["en"].from_string("{{ 'a' | shout }}").render() == "A"
