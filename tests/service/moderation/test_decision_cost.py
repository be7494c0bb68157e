"""What one automated decision costs: its statements, and the word lists built once per set of a town's terms."""

from __future__ import annotations

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

    print(f"statements: held {holding.count}, published {publishing.count}")
    assert holding.count == 6
    assert publishing.count == 9
