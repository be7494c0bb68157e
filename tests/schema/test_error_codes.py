"""Each domain names its own error codes; the API shows them all as one `UserErrorCode` enum, as before."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from enum import StrEnum

import service
from schema.errors import DOMAIN_CODES, UserErrorCode


def _domain_code_enums() -> set[type[StrEnum]]:
    """Every `...ErrorCode` enum in `errors` module of the kit (`service/kit/errors.py`) and of the domains."""
    names = [f"service.{package.name}.errors" for package in pkgutil.iter_modules(service.__path__) if package.ispkg]
    modules = [
        importlib.import_module(name) for name in ["service.kit.errors", *names] if importlib.util.find_spec(name)
    ]
    return {
        value
        for module in modules
        for name, value in vars(module).items()
        if name.endswith("ErrorCode") and isinstance(value, type) and issubclass(value, StrEnum)
    }


def test_every_domain_enum_of_codes_reaches_the_api() -> None:
    assert _domain_code_enums() == set(DOMAIN_CODES)


def test_a_code_belongs_to_one_domain_and_the_api_shows_each_once() -> None:
    values = [code.value for codes in DOMAIN_CODES for code in codes]

    assert len(values) == len(set(values))
    assert [code.value for code in UserErrorCode] == values
