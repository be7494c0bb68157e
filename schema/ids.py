"""Global ids as mutation arguments, one alias per node type: a resolver receives the decoded `uuid.UUID`; and
the ids a node type's `resolve_nodes` receives, as UUIDs.

In the schema each is an `ID` (the schema maps `uuid.UUID` to `ID`); `@mutation` decodes it and refuses an id of
another type with `InvalidInput` naming the field.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated

from schema.mutation import Node

CommentId = Annotated[uuid.UUID, Node("Comment")]
IdeaId = Annotated[uuid.UUID, Node("Idea")]
ModerationTermId = Annotated[uuid.UUID, Node("ModerationTerm")]
NotificationId = Annotated[uuid.UUID, Node("Notification")]
OfferId = Annotated[uuid.UUID, Node("VolunteerOffer")]
OrganisationId = Annotated[uuid.UUID, Node("Organisation")]
ShiftId = Annotated[uuid.UUID, Node("Shift")]
SignUpId = Annotated[uuid.UUID, Node("SignUp")]
StrategyAreaId = Annotated[uuid.UUID, Node("StrategyArea")]
SurveyId = Annotated[uuid.UUID, Node("Survey")]
SurveyQuestionId = Annotated[uuid.UUID, Node("SurveyQuestion")]
TownId = Annotated[uuid.UUID, Node("Town")]
UserId = Annotated[uuid.UUID, Node("User")]
WebhookSubscriptionId = Annotated[uuid.UUID, Node("WebhookSubscription")]


def uuids(node_ids: Iterable[str]) -> list[uuid.UUID]:
    """Malformed ids resolve to nothing rather than to an error (the nil UUID never exists)."""
    result = []
    for node_id in node_ids:
        try:
            result.append(uuid.UUID(node_id))
        except ValueError:
            result.append(uuid.UUID(int=0))
    return result
