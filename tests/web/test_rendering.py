"""The templates read the API's answers, plain dicts, by key first: a field is the field even where its name is
also a dict method's, and a field that is not there is still an error of the template."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jinja2 import UndefinedError

from web.config import WebConfig
from web.rendering import Pages


def pages() -> Pages:
    return Pages(None, WebConfig(login=False, session_csrf_key="csrf"))  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_field_named_like_a_dict_method_is_read_as_the_field(language: str) -> None:
    template = (
        pages()
        .environments[language]
        .from_string("{{ answer.values | join(',') }}|{{ answer.title }}|{{ answer.get('title') }}|{{ row.name }}")
    )

    html = template.render(answer={"values": [1, 2], "title": "Radwege"}, row=SimpleNamespace(name="Soest"))

    assert html == "1,2|Radwege|Radwege|Soest"


def test_a_missing_field_is_still_an_error() -> None:
    template = pages().environment.from_string("{{ answer.nothing }}")

    with pytest.raises(UndefinedError):
        template.render(answer={"title": "Radwege"})
