"""Every reason code a check or a policy gives is explained: in German to the author (the idea page, the
notification) and to moderators (the queue), and named in the queue's filter."""

from __future__ import annotations

import re

import pytest

from service.moderation.models import SubjectKind
from service.moderation.reasons import EXPLANATIONS, Reason, explain
from web.i18n import ENGLISH, LABELS


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_has_an_explanation_authors_and_moderators_read(reason: Reason) -> None:
    explanation = EXPLANATIONS.get(reason, "")

    assert re.fullmatch(r"[A-ZÄÖÜ].+\.", explanation), f"{reason}: a German sentence in EXPLANATIONS"
    assert explain([reason.value]) == [explanation]
    assert len(explain([reason.value], kind=SubjectKind.COMMENT)) == 1


def test_no_two_reasons_read_alike() -> None:
    assert len(set(EXPLANATIONS.values())) == len(EXPLANATIONS)


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_is_named_in_the_queue_filter_in_german_and_english(reason: Reason) -> None:
    """The console's queue filters by reason: its options are the labels of `ModerationReason` (web/i18n.py)."""
    name = LABELS["ModerationReason"].get(reason.name, "")

    assert name, f"{reason.name}: a German label in web/i18n.py LABELS['ModerationReason']"
    assert ENGLISH.get(name), f"{name!r}: its English in web/i18n.py ENGLISH"
