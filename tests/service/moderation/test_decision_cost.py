"""What one automated decision costs: its statements, and the word lists built once per set of a town's terms."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from mitmachen.runtime import Runtime
from service.db.engine import count_statements
from service.moderation import lexicon
from service.moderation.models import ModerationTerm, Outcome
from tests.service.moderation import factories
from tests.service.moderation.support import check


async def test_a_decision_reads_its_facts_in_one_statement(runtime: Runtime) -> None:
    """The contribution (locked), then one statement for everything else it reads (earlier decision, policy, the
    town's terms, posting rate, near-duplicates, first contribution); then the decision, the contribution, the
    audit entry, the notification and (when published) the event."""
    author = await factories.user(runtime)
    earlier = await factories.submit_idea(runtime, author, title="Eine Bank am Markt", body="Zum Ausruhen im Schatten.")
    await check(runtime, earlier)
    held = await factories.submit_idea(
        runtime, author, title="Der Planer ist ein Vollidiot", body="Die Ampel am Bahnhof schaltet zu langsam."
    )
    published = await factories.submit_idea(
        runtime, author, title="Mehr Bäume im Stadtpark", body="Im Sommer gibt es dort kaum Schatten für Kinder."
    )

    with count_statements() as holding:
        assert await check(runtime, held) is Outcome.HOLD
    with count_statements() as publishing:
        assert await check(runtime, published) is Outcome.PUBLISH

    assert (holding.count, publishing.count) == (6, 9)  # before the facts statement: (10, 13)


async def test_a_towns_word_list_is_built_once_per_set_of_terms(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    original = lexicon.Lexicon.__init__

    def counting(self: lexicon.Lexicon, terms: Iterable[lexicon.Term]) -> None:
        built.append(1)
        original(self, terms)

    monkeypatch.setattr(lexicon.Lexicon, "__init__", counting)
    soest = await factories.town(runtime, "soest")
    async with runtime.unit_of_work() as uow, uow.session() as session:
        session.add(ModerationTerm(town_id=soest, term="*stinkstiefel"))
    author = await factories.user(runtime)
    ideas = [
        await factories.submit_idea(runtime, author, title=f"Der Oberstinkstiefel vom Amt {number}", body=body)
        for number, body in enumerate(("Die Ampel schaltet zu langsam.", "Im Park fehlt eine Bank am Teich."))
    ]

    assert [await check(runtime, idea) for idea in ideas] == [Outcome.HOLD, Outcome.HOLD]
    assert len(built) <= 1  # the first decision with this set of terms may build it; the second does not

    async with runtime.unit_of_work() as uow, uow.session() as session:
        session.add(ModerationTerm(town_id=soest, term="quengelkopf"))
    built.clear()
    changed = await factories.submit_idea(runtime, author, title="Der Quengelkopf vom Amt", body="Ohne Grund.")

    assert await check(runtime, changed) is Outcome.HOLD  # the new term counts at once
    assert len(built) == 1
