"""Events of volunteer offers and shifts: written when the organisation's change commits, only for public offers."""

from __future__ import annotations

from typing import Any

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.schema.events.test_events import _feed
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.volunteering import (
    ADD_SHIFT,
    SIGN_UP,
    drafted_offer,
    in_days,
    published_offer,
    registered_organisation,
)

CLOSE = "mutation C($id: ID!) { closeOffer(offerId: $id) { __typename } }"
UPDATE = "mutation U($input: UpdateShiftInput!) { updateShift(input: $input) { __typename ... on UserError { code } } }"
CANCEL = "mutation X($id: ID!) { cancelShift(shiftId: $id) { __typename } }"
NODE = "query N($id: ID!) { node(id: $id) { id } }"
PUBLISH = "mutation P($id: ID!) { publishOffer(offerId: $id) { __typename } }"


def _shift_input(offer_id: str, days: float, capacity: int = 3) -> dict[str, Any]:
    return {
        "input": {
            "offerId": offer_id,
            "startsAt": in_days(days).isoformat(),
            "endsAt": in_days(days, hour=12).isoformat(),
            "capacity": capacity,
        }
    }


async def test_offers_and_shifts_write_their_events(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider)
    headers = organisation.manager.headers
    draft = await drafted_offer(graphql, organisation, title="Hecken schneiden")
    draft_shift = (await graphql(ADD_SHIFT, _shift_input(draft, 5), headers=headers))["data"]["addShift"]
    offer = await published_offer(graphql, organisation)
    added = (await graphql(ADD_SHIFT, _shift_input(offer, 3), headers=headers))["data"]["addShift"]
    shift = added["shift"]["id"]
    volunteer = await person(runtime, oidc_provider, "events-volunteer")
    signed = await graphql(SIGN_UP, {"id": shift}, headers=volunteer.headers)
    unchanged = await graphql(UPDATE, {"input": {"shiftId": shift, "capacity": 3}}, headers=headers)
    refused = await graphql(UPDATE, {"input": {"shiftId": shift, "capacity": 0}}, headers=headers)
    resized = await graphql(UPDATE, {"input": {"shiftId": shift, "capacity": 5}}, headers=headers)
    cancelled = await graphql(CANCEL, {"id": shift}, headers=headers)
    closed = await graphql(CLOSE, {"id": offer}, headers=headers)

    assert draft_shift["__typename"] == "ShiftAdded"
    assert signed["data"]["signUpForShift"]["__typename"] == "SignedUpForShift", signed
    assert unchanged["data"]["updateShift"]["__typename"] == "ShiftUpdated"
    assert refused["data"]["updateShift"]["__typename"] == "InvalidInput", refused
    assert resized["data"]["updateShift"]["__typename"] == "ShiftUpdated"
    assert cancelled["data"]["cancelShift"]["__typename"] == "ShiftCancelled", cancelled
    assert closed["data"]["closeOffer"]["__typename"] == "OfferClosed", closed
    events = await _feed(graphql)
    assert [(event["type"], event["node"]) for event in events] == [
        ("offer.published", offer),
        ("shift.changed", shift),
        ("shift.changed", shift),
        ("shift.changed", shift),
        ("offer.closed", offer),
    ]
    shifts = [event["payload"]["data"] for event in events if event["type"] == "shift.changed"]
    assert [(data["offer"], data["capacity"], data["cancelled"]) for data in shifts] == [
        (offer, 3, False),
        (offer, 5, False),
        (offer, 5, True),
    ]
    assert events[0]["payload"]["data"] == {"title": "Lebensmittel ausgeben"}
    for event in events:  # every event names a node anonymous callers can fetch
        assert (await graphql(NODE, {"id": event["node"]}))["data"]["node"] == {"id": event["node"]}, event
    # Publishing the draft later announces it; its shift added while it was a draft was never announced.
    await graphql(PUBLISH, {"id": draft}, headers=headers)
    assert [event["type"] for event in await _feed(graphql, types=["offer.published"])] == ["offer.published"] * 2
    assert draft_shift["shift"]["id"] not in {event["node"] for event in await _feed(graphql)}
