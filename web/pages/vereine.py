"""The console of Vereine and initiatives: register an organisation, its verification (and, for the town's staff,
the organisations waiting for it), co-managers, offers from draft to closed, shifts with their roster, and the
attendance and hours after a shift. Changing or cancelling a shift first shows what it means for the people signed
up, and only a second post does it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure, Problem
from web.forms import checked_form, optional, text
from web.local_time import typed_instant
from web.pages.ideas import typed_location
from web.rendering import Pages

STAFF_ROLES = ("STAFF", "ADMIN")
OFFER_TEXTS = ("title", "description", "address", "accessibilityNotes", "contact")
OFFER_FIELDS = (*OFFER_TEXTS, "strategyAreaId", "skills", "minimumAge", "confirmationHours", "latitude", "longitude")
SHIFT_FIELDS = ("startsAt", "endsAt", "capacity")
ACTIVE = ("CONFIRMED", "OFFERED", "WAITLISTED")


def _whole_number(form: FormData, name: str, problems: list[Problem]) -> int | None:
    value = text(form, name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        problems.append(Problem("Bitte eine ganze Zahl angeben.", "NUMBER_INVALID", name))
        return None


def offer_fields(form: FormData, *, editing: bool) -> tuple[dict[str, Any], list[Problem]]:
    """The offer form as the API's `OfferFieldsInput`; empty optional numbers are removed when editing."""
    problems: list[Problem] = []
    fields: dict[str, Any] = {name: text(form, name) for name in OFFER_TEXTS}
    fields["skills"] = [skill.strip() for skill in text(form, "skills").split(",") if skill.strip()]
    fields["minimumAge"] = _whole_number(form, "minimumAge", problems)
    fields["confirmationHours"] = _whole_number(form, "confirmationHours", problems)
    fields["location"], wrong_location = typed_location(form)
    problems += wrong_location
    return fields, problems


def shift_times(form: FormData) -> tuple[dict[str, Any], list[Problem]]:
    """Start, end and places of the shift form as the API expects them."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for name in ("startsAt", "endsAt"):
        instant = typed_instant(text(form, name))
        if instant is None:
            problems.append(Problem("Bitte Datum und Uhrzeit angeben, z. B. 24.12.2026, 14:00.", "TIME_INVALID", name))
        values[name] = instant
    values["capacity"] = _whole_number(form, "capacity", problems)
    if values["capacity"] is None and not problems:
        problems.append(Problem("Bitte die Zahl der Plätze angeben.", "NUMBER_INVALID", "capacity"))
    return values, problems


def consequences(shift: dict[str, Any], change: dict[str, Any], confirmation_hours: int) -> list[str]:
    """What saving the change means for the people signed up, in German, before it is saved."""
    roster = [entry["signUp"]["status"] for entry in shift.get("roster") or []]
    active, waiting = sum(status in ACTIVE for status in roster), roster.count("WAITLISTED")
    said: list[str] = []
    if (change["startsAt"], change["endsAt"]) != (shift["startsAt"], shift["endsAt"]) and active:
        said.append(
            f"{active} angemeldete Person(en) erhalten eine E-Mail mit den neuen Zeiten und werden erneut erinnert. "
            "Wer zur neuen Zeit schon woanders eingeplant ist, erfährt das in dieser E-Mail und kann absagen."
        )
    capacity, taken = change["capacity"], shift["placesTaken"]
    if capacity < taken:
        said.append(f"Nicht möglich: Es sind schon {taken} Plätze vergeben. Niemand verliert seinen Platz.")
    elif capacity > shift["capacity"] and waiting:
        offered = min(capacity - shift["capacity"], waiting)
        said.append(
            f"{offered} Person(en) von der Warteliste wird ein Platz angeboten; sie haben {confirmation_hours} "
            "Stunden Zeit, ihn anzunehmen."
        )
    elif capacity < shift["capacity"]:
        said.append(f"Es gibt dann {capacity - taken} freie Plätze; niemand verliert seinen Platz.")
    return said or ["Für die angemeldeten Personen ändert sich nichts."]


def offer_values(offer: dict[str, Any]) -> dict[str, str]:
    """The offer as its form shows it."""
    values = {name: offer[name] or "" for name in OFFER_TEXTS}
    return values | {
        "strategyAreaId": offer["strategyArea"]["id"],
        "skills": ", ".join(offer["skills"]),
        "minimumAge": str(offer["minimumAge"] or ""),
        "confirmationHours": str(offer["confirmationHours"]),
        "latitude": str(offer["location"]["latitude"]) if offer["location"] else "",
        "longitude": str(offer["location"]["longitude"]) if offer["location"] else "",
    }


def _same_instant(first: str, second: str) -> bool:
    return datetime.fromisoformat(first) == datetime.fromisoformat(second)


async def console_page(
    pages: Pages, request: Request, problems: list[Problem] | None = None, values: dict[str, str] | None = None
) -> Response:
    result = await pages.api.query(request, "verein_console")
    me = result.data.get("me")
    if me is None:
        raise PageFailure(401, "Bitte melden Sie sich an.")
    staff_towns = [role["town"] for role in me["roles"] if role["role"] in STAFF_ROLES and role["town"]]
    return pages.form_page(
        request, "verein_console.html", result.data, problems, staff_towns=staff_towns, values=values or {}
    )


async def verein_page(
    pages: Pages,
    request: Request,
    verein_id: str,
    problems: list[Problem] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    result = await pages.api.query(request, "verein", {"id": verein_id})
    organisation = result.data.get("organisation")
    if organisation is None or organisation["managers"] is None:
        raise PageFailure(404, "Diesen Verein gibt es nicht oder Sie verwalten ihn nicht.")
    return pages.form_page(
        request, "verein.html", result.data, problems, organisation=organisation, values=values or {}
    )


async def offer_data(pages: Pages, request: Request, offer_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    result = await pages.api.query(request, "verein_offer", {"id": offer_id})
    node = result.data.get("node")
    if node is None or node.get("__typename") != "VolunteerOffer" or not node["organisation"]:
        raise PageFailure(404, "Dieses Angebot gibt es nicht.")
    if any(shift["roster"] is None for shift in node["shifts"]):
        raise PageFailure(403, "Dieses Angebot verwalten nur die Verantwortlichen seiner Organisation.")
    return result.data, node


async def offer_page(
    pages: Pages,
    request: Request,
    offer_id: str,
    problems: list[Problem] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    data, offer = await offer_data(pages, request, offer_id)
    now = datetime.now(UTC)
    ended = {shift["id"] for shift in offer["shifts"] if datetime.fromisoformat(shift["endsAt"]) <= now}
    values = values or {}
    return pages.form_page(
        request,
        "verein_offer.html",
        data,
        problems,
        offer=offer,
        ended=ended,
        offer_values=values if "title" in values else offer_values(offer),
        shift_values=values if "startsAt" in values else {},
    )


async def shift_page(
    pages: Pages,
    request: Request,
    offer_id: str,
    shift_id: str,
    *,
    mode: str,
    values: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
    said: list[str] | None = None,
) -> Response:
    data, offer = await offer_data(pages, request, offer_id)
    shift = next((each for each in offer["shifts"] if each["id"] == shift_id), None)
    if shift is None:
        raise PageFailure(404, "Diesen Einsatz gibt es nicht.")
    return pages.form_page(
        request,
        "shift_change.html",
        data,
        problems,
        offer=offer,
        shift=shift,
        mode=mode,
        values=values or {},
        said=said or [],
    )


def _verein_routes(pages: Pages) -> list[Route]:
    async def console(request: Request) -> Response:
        return await console_page(pages, request)

    async def register(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        values = {name: text(form, name) for name in ("townId", "name", "description")}
        result = await pages.api.mutate(request, "register_organisation", {"input": values})
        if result.problems:
            return await console_page(pages, request, result.problems, values)
        verein_id = result.data["registerOrganisation"]["organisation"]["id"]
        return pages.redirect(
            request,
            f"/konsole/vereine/{verein_id}",
            flash="Ihr Verein ist registriert. Die Stadt prüft ihn, bevor seine Angebote erscheinen.",
        )

    async def verify(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        result = await pages.api.mutate(
            request, "verify_organisation", {"organisationId": text(form, "organisationId")}
        )
        if result.problems:
            return await console_page(pages, request, result.problems)
        return pages.redirect(request, "/konsole/vereine", flash="Der Verein ist geprüft und freigeschaltet.")

    async def verein(request: Request) -> Response:
        return await verein_page(pages, request, request.path_params["id"])

    async def invite(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        verein_id, email = text(form, "organisationId"), text(form, "email")
        result = await pages.api.mutate(
            request, "add_organisation_manager", {"organisationId": verein_id, "email": email}
        )
        if result.problems:
            return await verein_page(pages, request, verein_id, result.problems, {"email": email})
        return pages.redirect(
            request, f"/konsole/vereine/{verein_id}", flash="Die Person verwaltet den Verein nun mit."
        )

    async def draft(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        verein_id = text(form, "organisationId")
        values = {name: text(form, name) for name in OFFER_FIELDS}
        fields, problems = offer_fields(form, editing=False)
        if not problems:
            variables = {
                "input": {"organisationId": verein_id, "strategyAreaId": values["strategyAreaId"], "fields": fields}
            }
            result = await pages.api.mutate(request, "draft_offer", variables)
            problems = result.problems
        if problems:
            return await verein_page(pages, request, verein_id, problems, values)
        offer_id = result.data["draftOffer"]["offer"]["id"]
        return pages.redirect(
            request, f"/konsole/angebote/{offer_id}", flash="Der Entwurf ist gespeichert. Fügen Sie Einsätze hinzu."
        )

    return [
        Route("/konsole/vereine", console, methods=["GET"]),
        Route("/konsole/vereine", register, methods=["POST"]),
        Route("/konsole/vereine/pruefen", verify, methods=["POST"]),
        Route("/konsole/vereine/verwalter", invite, methods=["POST"]),
        Route("/konsole/vereine/angebot", draft, methods=["POST"]),
        Route("/konsole/vereine/{id:path}", verein, methods=["GET"]),
    ]


def _offer_routes(pages: Pages) -> list[Route]:
    async def offer(request: Request) -> Response:
        return await offer_page(pages, request, request.path_params["id"])

    async def update(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        offer_id = text(form, "offerId")
        values = {name: text(form, name) for name in OFFER_FIELDS}
        fields, problems = offer_fields(form, editing=True)
        if not problems:
            variables = {"input": {"offerId": offer_id, "strategyAreaId": values["strategyAreaId"], "fields": fields}}
            problems = (await pages.api.mutate(request, "update_offer", variables)).problems
        if problems:
            return await offer_page(pages, request, offer_id, problems, values)
        return pages.redirect(request, f"/konsole/angebote/{offer_id}", flash="Das Angebot ist gespeichert.")

    def offer_action(document: str, flash: str) -> Any:
        async def handle(request: Request) -> Response:
            form = await checked_form(request, pages.config)
            offer_id = text(form, "offerId")
            result = await pages.api.mutate(request, document, {"offerId": offer_id})
            if result.problems:
                return await offer_page(pages, request, offer_id, result.problems)
            return pages.redirect(request, f"/konsole/angebote/{offer_id}", flash=flash)

        return handle

    publish = offer_action("publish_offer", "Das Angebot ist veröffentlicht.")
    close = offer_action("close_offer", "Das Angebot ist geschlossen: niemand kann sich mehr neu anmelden.")

    async def add_shift(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        offer_id = text(form, "offerId")
        values = {name: text(form, name) for name in SHIFT_FIELDS}
        times, problems = shift_times(form)
        if not problems:
            variables = {"input": {"offerId": offer_id, **times}}
            problems = (await pages.api.mutate(request, "add_shift", variables)).problems
        if problems:
            return await offer_page(pages, request, offer_id, problems, values)
        return pages.redirect(request, f"/konsole/angebote/{offer_id}", flash="Der Einsatz ist angelegt.")

    return [
        Route("/konsole/angebote/speichern", update, methods=["POST"]),
        Route("/konsole/angebote/veroeffentlichen", publish, methods=["POST"]),
        Route("/konsole/angebote/schliessen", close, methods=["POST"]),
        Route("/konsole/angebote/einsatz", add_shift, methods=["POST"]),
        Route("/konsole/angebote/{id:path}", offer, methods=["GET"]),
    ]


def _shift_routes(pages: Pages) -> list[Route]:
    async def change_form(request: Request) -> Response:
        params = request.query_params
        mode = "cancel" if request.url.path.endswith("/absagen") else "form"
        return await shift_page(pages, request, params.get("angebot", ""), params.get("einsatz", ""), mode=mode)

    async def change(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        offer_id, shift_id = text(form, "offerId"), text(form, "shiftId")
        values = {name: text(form, name) for name in SHIFT_FIELDS}
        times, problems = shift_times(form)
        if problems:
            return await shift_page(pages, request, offer_id, shift_id, mode="form", values=values, problems=problems)
        if text(form, "bestaetigt") != "ja":
            _, offer = await offer_data(pages, request, offer_id)
            shift = next((each for each in offer["shifts"] if each["id"] == shift_id), None)
            if shift is None:
                raise PageFailure(404, "Diesen Einsatz gibt es nicht.")
            same = {name: _same_instant(times[name], shift[name]) for name in ("startsAt", "endsAt")}
            change = {name: shift[name] if same[name] else times[name] for name in ("startsAt", "endsAt")}
            said = consequences(shift, change | {"capacity": times["capacity"]}, offer["confirmationHours"])
            return await shift_page(pages, request, offer_id, shift_id, mode="review", values=values, said=said)
        variables = {"input": {"shiftId": shift_id, **times}}
        result = await pages.api.mutate(request, "update_shift", variables)
        if result.problems:
            return await shift_page(
                pages, request, offer_id, shift_id, mode="form", values=values, problems=result.problems
            )
        return pages.redirect(request, f"/konsole/angebote/{offer_id}", flash="Der Einsatz ist geändert.")

    async def cancel(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        offer_id, shift_id = text(form, "offerId"), text(form, "shiftId")
        result = await pages.api.mutate(request, "cancel_shift", {"shiftId": shift_id})
        if result.problems:
            return await shift_page(pages, request, offer_id, shift_id, mode="cancel", problems=result.problems)
        return pages.redirect(request, f"/konsole/angebote/{offer_id}", flash="Der Einsatz ist abgesagt.")

    async def attendance(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        offer_id = text(form, "offerId")
        attended = text(form, "teilgenommen") == "ja"
        problems: list[Problem] = []
        hours = optional(form, "hours")
        amount: float | None = None
        if attended and hours is not None:
            try:
                amount = float(hours.replace(",", "."))
            except ValueError:
                problems.append(Problem("Bitte die Stunden als Zahl angeben, z. B. 2,5.", "NUMBER_INVALID", "hours"))
        if not problems:
            variables = {"input": {"signUpId": text(form, "signUpId"), "attended": attended, "hours": amount}}
            problems = (await pages.api.mutate(request, "confirm_attendance", variables)).problems
        if problems:
            # Each person on the roster has an hours field: the message stands at the top, not linked to one.
            unlinked = [Problem(problem.message, problem.code) for problem in problems]
            return await offer_page(pages, request, offer_id, unlinked)
        return pages.redirect(request, f"/konsole/angebote/{offer_id}", flash="Die Teilnahme ist eingetragen.")

    return [
        Route("/konsole/einsaetze/aendern", change_form, methods=["GET"]),
        Route("/konsole/einsaetze/aendern", change, methods=["POST"]),
        Route("/konsole/einsaetze/absagen", change_form, methods=["GET"]),
        Route("/konsole/einsaetze/absagen", cancel, methods=["POST"]),
        Route("/konsole/einsaetze/teilnahme", attendance, methods=["POST"]),
    ]


def routes(pages: Pages) -> list[Route]:
    return [*_verein_routes(pages), *_offer_routes(pages), *_shift_routes(pages)]
