"""From a town's policy and what the checks found to publish, hold or reject — always with reasons.

- off: publish everything; the checks' reasons are still recorded, for moderators reading later reports.
- first_post: like risk_based, and a person's first contribution in the town is held in any case.
- always: hold everything for a human.
- risk_based: publish when no check fires, hold when one does.
Under every policy but off, severe abuse (threats, incitement, slurs) is rejected at once; rejection is
reversible by a moderator like every other decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.moderation.checks import CheckResult
from service.moderation.models import ModerationPolicy, Outcome
from service.moderation.reasons import Reason


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    score: float


def _sorted(reasons: frozenset[Reason] | set[Reason]) -> tuple[Reason, ...]:
    order = list(Reason)
    return tuple(sorted(reasons, key=order.index))


def decide(policy: ModerationPolicy, found: CheckResult, *, first_contribution: bool) -> Verdict:
    """The automated decision; `first_contribution`: the author has nothing published in this town yet."""
    reasons = set(found.reasons)
    if policy is ModerationPolicy.OFF:
        return Verdict(Outcome.PUBLISH, _sorted(reasons), found.score)
    if found.severe:
        return Verdict(Outcome.REJECT, _sorted(reasons), found.score)
    if policy is ModerationPolicy.ALWAYS:
        reasons.add(Reason.POLICY_ALWAYS)
    elif policy is ModerationPolicy.FIRST_POST and first_contribution:
        reasons.add(Reason.FIRST_CONTRIBUTION)
    outcome = Outcome.HOLD if reasons else Outcome.PUBLISH
    return Verdict(outcome, _sorted(reasons), found.score)
