"""Every GraphQL document of the pages is valid against the committed schema, and the pages read nothing else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, build_schema, parse, validate

from web.documents import Documents
from web.i18n import ENGLISH, LABELS

ROOT = Path(__file__).resolve().parents[2]
SDL = build_schema((ROOT / "schema" / "schema.graphql").read_text())
DOCUMENTS = Documents()


@pytest.mark.parametrize(("name", "document"), DOCUMENTS.items(), ids=[name for name, _ in DOCUMENTS.items()])
def test_document_is_valid_against_the_committed_schema(name: str, document: str) -> None:
    assert [error.message for error in validate(SDL, parse(document))] == []


def test_a_document_with_an_unknown_field_is_refused() -> None:
    assert validate(SDL, parse("query { towns { nameOfTheMayor } }")) != []


def test_the_pages_import_neither_the_database_nor_the_service_layer() -> None:
    forbidden = {"service", "workers", "mitmachen", "sqlalchemy", "asyncpg", "redis", "schema"}
    offenders = []
    for path in (ROOT / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names if name.split(".")[0] in forbidden]
    assert offenders == []


# `_("…")` in templates and code, and the messages shown after a redirect (`flash="…"`).
_TEXT = re.compile(r"""(?:_\(\s*|flash=)(["'])(.+?)\1""")


def test_every_text_of_the_pages_has_its_english() -> None:
    texts = set()
    for path in [*(ROOT / "web" / "templates").rglob("*.html"), *(ROOT / "web").rglob("*.py")]:
        texts |= {match.group(2) for match in _TEXT.finditer(path.read_text())}
    texts |= {german for labels in LABELS.values() for german in labels.values()}
    assert sorted(text for text in texts if text not in ENGLISH) == []


def test_every_enum_the_pages_name_is_named_in_full() -> None:
    """`label()` falls back to the code: each enum of the API that `LABELS` names has a German name for every value,
    so that a new value (a moderation reason, a status) cannot reach a page unnamed."""
    enums = {name: type_ for name, type_ in SDL.type_map.items() if isinstance(type_, GraphQLEnumType)}
    unnamed_or_unknown = {
        kind: sorted(set(enums[kind].values) ^ set(labels)) for kind, labels in LABELS.items() if kind in enums
    }
    assert {kind: values for kind, values in unnamed_or_unknown.items() if values} == {}


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_english_text_keeps_the_placeholders_of_its_german() -> None:
    """Texts like "Frage {nummer} bearbeiten" are filled with `.format(nummer=…)` in either language."""
    assert [
        german
        for german, english in ENGLISH.items()
        if set(_PLACEHOLDER.findall(german)) != set(_PLACEHOLDER.findall(english))
    ] == []
