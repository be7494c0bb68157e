"""The latest moderation decision on each contribution, read in one statement for the dataloader."""

from __future__ import annotations

import uuid
import warnings

from sqlalchemy.exc import SADeprecationWarning

from mitmachen.runtime import Runtime
from service.moderation.models import SubjectKind
from service.moderation.status import latest_decisions
from tests.service.moderation import factories
from tests.service.moderation.support import check, decisions, hide


async def test_latest_decisions_give_the_newest_decision_of_each_contribution(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    titles = ("Mehr Bänke am Wall", "Trinkbrunnen am Markt", "Radweg zum Bahnhof")
    hidden, checked, undecided = [await factories.idea_row(runtime, author, title=title) for title in titles]
    await check(runtime, hidden)
    await check(runtime, checked)
    for number in range(3):
        await factories.report(runtime, await factories.user(runtime, f"Meldende {number}"), idea_id=hidden)
    assert await hide(runtime, hidden) is True
    keys = [(SubjectKind.IDEA, subject) for subject in (hidden, checked, undecided, uuid.uuid4())]

    with warnings.catch_warnings():
        warnings.simplefilter("error", SADeprecationWarning)
        async with runtime.unit_of_work() as uow, uow.session() as session:
            latest = await latest_decisions(session, keys)

    assert set(latest) == {(SubjectKind.IDEA, hidden), (SubjectKind.IDEA, checked)}
    assert latest[SubjectKind.IDEA, hidden].outcome == "hide"
    [only] = await decisions(runtime, checked)
    assert latest[SubjectKind.IDEA, checked].id == only.id
