"""`Viewer.require_person` and `Viewer.towns_with` are the one place where "a logged-in person is needed" and
"the towns this viewer serves" are decided; no domain module writes its own copy."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest

from service.auth.viewer import ANONYMOUS, Grant, Role, Viewer
from service.kit.errors import NotAuthenticated

ROOT = Path(__file__).resolve().parents[3]
SOEST = uuid.uuid4()
ARNSBERG = uuid.uuid4()
ORGANISATION = uuid.uuid4()


def test_require_person_gives_the_acting_person() -> None:
    person = uuid.uuid4()
    assert Viewer(user_id=person).require_person() == person


def test_require_person_refuses_the_anonymous_viewer_even_with_grants() -> None:
    with pytest.raises(NotAuthenticated) as refused:
        Viewer(grants=frozenset({Grant(Role.REGION_ADMIN, None)})).require_person()
    assert refused.value.code == "UNAUTHENTICATED"
    assert refused.value.message == "Anmeldung erforderlich."
    with pytest.raises(NotAuthenticated):
        ANONYMOUS.require_person()


def test_towns_with_lists_the_towns_of_the_given_roles_only() -> None:
    viewer = Viewer(
        user_id=uuid.uuid4(),
        grants=frozenset(
            {
                Grant(Role.MODERATOR, SOEST),
                Grant(Role.STAFF, ARNSBERG),
                Grant(Role.ORGANISATION_MANAGER, SOEST, ORGANISATION),
                Grant(Role.REGION_STAFF, None),
            }
        ),
    )
    assert viewer.towns_with(Role.STAFF, Role.ADMIN) == {ARNSBERG}
    assert viewer.towns_with(Role.MODERATOR, Role.STAFF, Role.ADMIN) == {SOEST, ARNSBERG}
    assert viewer.towns_with(Role.ADMIN) == set()
    # A region-wide grant is no town: region staff serve no town's drafts through these sets.
    assert viewer.towns_with(Role.REGION_STAFF) == set()


def test_towns_with_means_every_town_for_a_region_admin() -> None:
    viewer = Viewer(user_id=uuid.uuid4(), grants=frozenset({Grant(Role.REGION_ADMIN, None)}))
    assert viewer.towns_with(Role.STAFF) is None


def test_nobody_serves_towns_anonymously() -> None:
    assert ANONYMOUS.towns_with(Role.MODERATOR, Role.STAFF, Role.ADMIN) == set()


def _raises_not_authenticated_plainly(statements: list[ast.stmt]) -> bool:
    return any(
        isinstance(statement, ast.Raise)
        and isinstance(statement.exc, ast.Name)
        and statement.exc.id == "NotAuthenticated"
        for statement in statements
    )


def _asks_for_a_person(test: ast.expr) -> bool:
    """`x.user_id is None` or `not x.is_authenticated`."""
    if isinstance(test, ast.Compare) and isinstance(test.left, ast.Attribute) and test.left.attr == "user_id":
        return isinstance(test.ops[0], ast.Is) and isinstance(test.comparators[0], ast.Constant)
    return (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Attribute)
        and test.operand.attr == "is_authenticated"
    )


def _sources() -> list[Path]:
    return [
        path
        for package in ("service", "schema", "mitmachen", "workers")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "service" / "auth" / "viewer.py"
    ]


def test_no_module_writes_its_own_login_check() -> None:
    copies = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.If) and _asks_for_a_person(node.test) and _raises_not_authenticated_plainly(node.body)
    ]
    assert copies == [], "use Viewer.require_person()"


def test_no_module_collects_the_towns_of_grants_itself() -> None:
    copies = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.SetComp)
        and isinstance(node.elt, ast.Attribute)
        and node.elt.attr == "town_id"
        and isinstance(node.generators[0].iter, ast.Attribute)
        and node.generators[0].iter.attr == "grants"
    ]
    assert copies == [], "use Viewer.towns_with(...)"
