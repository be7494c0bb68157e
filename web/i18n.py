"""German first; English where the browser or the person asks for it. The German text is the key: a template
writes `{{ _("Ideen") }}`, and `ENGLISH` says what it is in English (a test checks every text has its entry)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

LANGUAGES = ("de", "en")
LANGUAGE_COOKIE = "mitmachen_lang"

ENGLISH: dict[str, str] = {
    "Mitmachen in Südwestfalen": "Take part in South Westphalia",
    "Zum Inhalt springen": "Skip to content",
    "Anmelden": "Log in",
    "Abmelden": "Log out",
    "Angemeldet als": "Logged in as",
    "Mein Bereich": "My page",
    "Hauptnavigation": "Main navigation",
    "Start": "Home",
    "Ideen": "Ideas",
    "Umfragen": "Surveys",
    "Engagement": "Volunteering",
    "Sprache": "Language",
    "Barrierefreiheit": "Accessibility",
    "Erklärung zur Barrierefreiheit": "Accessibility statement",
    "Entwicklerkonsole": "Developer console",
    "Orte": "Towns",
    "Vorreiter-Kommune": "Pioneer town",
    "Neueste Ideen der Region": "Latest ideas in the region",
    "Noch keine Ideen.": "No ideas yet.",
    "Offene Umfragen": "Open surveys",
    "Engagement-Angebote": "Volunteer offers",
    "Mein Ort": "My town",
    "Als meinen Ort wählen": "Choose as my town",
    "Ihr Ort": "Your town",
    "Handlungsfelder": "Fields of action",
    "Unterstützungen": "Supports",
    "Kommentare": "Comments",
    "Weiter": "Next",
    "Zurück zum Anfang": "Back to the start",
    "Fehler": "Error",
    "Seite nicht gefunden": "Page not found",
    "Keine Berechtigung": "Not allowed",
    "Bitte versuchen Sie es gleich noch einmal.": "Please try again in a moment.",
    "Zur Startseite": "Go to the home page",
    "Es gibt ein Problem": "There is a problem",
    "In Prüfung": "Under review",
    "Angenommen": "Accepted",
    "Umgesetzt": "Implemented",
    "Abgelehnt": "Declined",
    "Wird geprüft": "Being checked",
    "Veröffentlicht": "Published",
    "Ausgeblendet": "Hidden",
    "Abgewiesen": "Rejected",
    "Zurückgezogen": "Withdrawn",
    "Konsole": "Console",
    "5 bis 140 Zeichen": "5 to 140 characters",
    "Alle": "All",
    "Alle Angebote durchsuchen": "Search all offers",
    "Antwort der Verwaltung": "The town's answer",
    "Anzeigen": "Show",
    "Beschreibung": "Description",
    "Bildbeschreibungen": "Image descriptions",
    "Breitengrad": "Latitude",
    "Danke! Ihre Idee ist eingereicht und wird nun geprüft.": "Thank you! Your idea has been submitted and is now being checked.",
    "Die Entwicklerkonsole braucht JavaScript. Die API erreichen Sie unter /graphql.": "The developer console needs JavaScript. The API is at /graphql.",
    "Falls Sie Bilder nachreichen: je Bild eine Zeile, die beschreibt, was darauf zu sehen ist.": "If you add images later: one line per image describing what it shows.",
    "Für welchen Ort?": "For which town?",
    "Gelöschtes Konto": "Deleted account",
    "Handlungsfeld": "Field of action",
    "Idee einreichen": "Submit an idea",
    "Ideen einreichen, an Umfragen teilnehmen, sich engagieren: in Ihrem Ort.": "Submit ideas, answer surveys, volunteer: in your town.",
    "Ideen filtern": "Filter ideas",
    "Keine Ideen gefunden.": "No ideas found.",
    "Längengrad": "Longitude",
    "Meine Position übernehmen": "Use my position",
    "Noch keine Kommentare.": "No comments yet.",
    "Ort": "Place",
    "Ort der Idee": "Location of the idea",
    "Reihenfolge": "Order",
    "Sie haben diesen Ort als Ihren Ort gewählt.": "You chose this town as your town.",
    "Stand": "Status",
    "Stand der Prüfung": "Moderation status",
    "Suche": "Search",
    "Titel": "Title",
    "Was schlagen Sie vor, und warum? Höchstens 5 000 Zeichen.": "What do you propose, and why? At most 5,000 characters.",
    "Zurzeit keine Angebote.": "No offers at the moment.",
    "Zurzeit keine offenen Umfragen.": "No open surveys at the moment.",
    "anderen Ort wählen": "choose another town",
    "Neueste zuerst": "Newest first",
    "Meiste Unterstützung": "Most supported",
    "Zuletzt beantwortet": "Recently answered",
    "Beste Treffer der Suche": "Best search matches",
    "Mitmachen ist die Beteiligungsplattform der Kommunen in Südwestfalen.": (
        "Mitmachen is the participation platform of the towns of South Westphalia."
    ),
    # Volunteering: the citizens' search and offer pages, the Vereine console.
    "1 bis 168 Stunden; ohne Angabe 24": "1 to 168 hours; 24 if left empty",
    "3 bis 140 Zeichen": "3 to 140 characters",
    "Abgesagt": "Cancelled",
    "Absagen": "Cancel",
    "Adresse": "Address",
    "Alle Anmeldungen enden. Jede angemeldete Person erhält eine E-Mail, dass der Einsatz abgesagt ist.": "All sign-ups end. Everyone signed up gets an e-mail that the shift is cancelled.",
    "Als Mitverwalter hinzufügen": "Add as co-manager",
    "Angebot bearbeiten": "Edit the offer",
    "Angebote": "Offers",
    "Angebote suchen": "Search offers",
    "Angemeldet": "Signed up",
    "Anmeldung auf die Warteliste möglich": "you can join the waiting list",
    "Auf der Warteliste": "On the waiting list",
    "Auf die Warteliste": "Join the waiting list",
    "Beginn": "Start",
    "Bestätigt": "Confirmed",
    "Bestätigte Stunden je Jahr": "Confirmed hours per year",
    "Bitte bestätigen Sie bis": "Please confirm by",
    "Das Angebot ist gespeichert.": "The offer is saved.",
    "Das Angebot ist veröffentlicht.": "The offer is published.",
    "Das Angebot ist geschlossen: niemand kann sich mehr neu anmelden.": "The offer is closed: nobody can newly sign up.",
    "Der Einsatz ist abgesagt.": "The shift is cancelled.",
    "Der Einsatz ist angelegt.": "The shift is added.",
    "Der Einsatz ist geändert.": "The shift is changed.",
    "Der Entwurf ist gespeichert. Fügen Sie Einsätze hinzu.": "The draft is saved. Add shifts to it.",
    "Der Verein darf meine E-Mail-Adresse sehen, um mich zu erreichen.": "The organisation may see my e-mail address to reach me.",
    "Der Verein ist geprüft und freigeschaltet.": "The organisation is verified.",
    "Die Person braucht ein Konto bei Mitmachen und erhält eine E-Mail.": "The person needs an account on Mitmachen and gets an e-mail.",
    "Die Person verwaltet den Verein nun mit.": "The person now co-manages the organisation.",
    "Die Stadt prüft den Verein noch. Entwürfe sind möglich; veröffentlichen kann er nach der Prüfung.": "The town is still verifying the organisation. Drafts are possible; it can publish once verified.",
    "Die Stadt prüft den Verein; danach kann er Angebote veröffentlichen. Sie verwalten ihn und können weitere Personen hinzufügen.": "The town verifies the organisation; then it can publish offers. You manage it and can add further people.",
    "Die Teilnahme ist eingetragen.": "The attendance is recorded.",
    "E-Mail": "E-mail",
    "E-Mail-Adresse der Person": "The person's e-mail address",
    "Einsatz absagen": "Cancel the shift",
    "Einsatz hinzufügen": "Add a shift",
    "Einsatz ändern": "Change the shift",
    "Einsätze": "Shifts",
    "Einsätze ab": "Shifts from",
    "Einsätze bis": "Shifts until",
    "Ende": "End",
    "Entwurf": "Draft",
    "Entwurf speichern": "Save the draft",
    "Folgen prüfen": "Check the consequences",
    "Freie Plätze": "Free places",
    "Frist für frei gewordene Plätze": "Time to accept a freed place",
    "Frist für frei gewordene Plätze in Stunden": "Time to accept a freed place, in hours",
    "Frist verstrichen": "Deadline passed",
    "Fähigkeiten": "Skills",
    "Für Vereine": "For organisations",
    "Für neue Anmeldungen schließen": "Close to new sign-ups",
    "Geprüft am": "Verified on",
    "Geschlossen": "Closed",
    "Hinweise zur Barrierefreiheit": "Accessibility notes",
    "Ihr Verein ist registriert. Die Stadt prüft ihn, bevor seine Angebote erscheinen.": "Your organisation is registered. The town verifies it before its offers appear.",
    "Ihre Anmeldung": "Your sign-up",
    "Ihre Anmeldung ist abgesagt.": "Your sign-up is cancelled.",
    "Sie sind angemeldet. Ihren Stand sehen Sie beim Einsatz.": "You are signed up. Your status is shown with the shift.",
    "Danke! Sie haben den angebotenen Platz angenommen.": "Thank you! You accepted the offered place.",
    "In der Nähe von": "Near",
    "Ja": "Yes",
    "Nein": "No",
    "Jahr": "Year",
    "Jetzt": "Now",
    "Kein Verein wartet auf die Prüfung.": "No organisation is waiting for verification.",
    "Keine Angebote gefunden.": "No offers found.",
    "Kontakt": "Contact",
    "Meine Einsätze": "My shifts",
    "Meine Vereine": "My organisations",
    "Mindestalter": "Minimum age",
    "Name des Vereins": "Name of the organisation",
    "Neu": "New",
    "Neues Angebot als Entwurf": "New offer as a draft",
    "Nicht erschienen": "Absent",
    "Nicht mehr gebraucht": "No longer needed",
    "Noch einmal ändern": "Change again",
    "Noch keine Angebote.": "No offers yet.",
    "Noch keine Einsätze.": "No shifts yet.",
    "Organisation": "Organisation",
    "Person": "Person",
    "Platz angeboten": "Place offered",
    "Platz annehmen": "Accept the place",
    "Platz auf der Warteliste": "Position on the waiting list",
    "Plätze": "Places",
    "Prüfen und freischalten": "Verify",
    "Registriert am": "Registered on",
    "Sie haben sich noch für keinen Einsatz angemeldet.": "You have not signed up for any shift yet.",
    "Sie verwalten noch keinen Verein.": "You do not manage an organisation yet.",
    "So sehen es Bürgerinnen und Bürger": "As citizens see it",
    "Stunden": "Hours",
    "Teilgenommen": "Attended",
    "Teilgenommen?": "Attended?",
    "Teilnahme": "Attendance",
    "Teilnahme speichern": "Save attendance",
    "Um sich anzumelden, melden Sie sich bitte zuerst an.": "To sign up for a shift, please log in first.",
    "Umkreis in km": "Radius in km",
    "Verein registrieren": "Register an organisation",
    "Verein registrieren und Angebote verwalten": "Register an organisation and manage offers",
    "Vereine": "Organisations",
    "Vereine und Initiativen suchen Helferinnen und Helfer. Finden Sie einen Einsatz, der zu Ihnen passt.": "Clubs and initiatives are looking for volunteers. Find a shift that suits you.",
    "Vereine, die auf die Prüfung warten": "Organisations waiting for verification",
    "Veröffentlichen": "Publish",
    "Veröffentlichen können Sie, sobald die Stadt den Verein geprüft hat.": "You can publish once the town has verified the organisation.",
    "Was das Absagen bedeutet": "What cancelling means",
    "Was die Änderung bedeutet": "What the change means",
    "Was ist zu tun? Höchstens 5 000 Zeichen.": "What is there to do? At most 5,000 characters.",
    "Wer den Verein verwaltet": "Who manages the organisation",
    "Zeit und Plätze": "Time and places",
    "Zurück zum Angebot": "Back to the offer",
    "angemeldet": "signed up",
    "frei": "free",
    "geprüft": "verified",
    "mit Komma getrennt": "separated by commas",
    "mit Komma getrennt, höchstens 20": "separated by commas, at most 20",
    "ohne Angabe die Dauer des Einsatzes": "the shift's length if left empty",
    "vergeben": "taken",
    "von": "of",
    "von der Stadt geprüft": "verified by the town",
    "wartet auf die Prüfung": "waiting for verification",
    "Ändern": "Change",
    "Ort auf der Karte": "Place on the map",
    "Änderung speichern": "Save the change",
    "Änderungen speichern": "Save changes",
}


# German names of the API's enum values, by enum: `label("OfficialStatus", "ACCEPTED")` in a template.
LABELS: dict[str, dict[str, str]] = {
    "OfficialStatus": {
        "UNDER_REVIEW": "In Prüfung",
        "ACCEPTED": "Angenommen",
        "IMPLEMENTED": "Umgesetzt",
        "DECLINED": "Abgelehnt",
    },
    "Lifecycle": {
        "PENDING": "Wird geprüft",
        "PUBLISHED": "Veröffentlicht",
        "REJECTED": "Abgewiesen",
        "HIDDEN": "Ausgeblendet",
        "WITHDRAWN": "Zurückgezogen",
    },
    # Volunteering
    "SignUpStatus": {
        "CONFIRMED": "Bestätigt",
        "WAITLISTED": "Auf der Warteliste",
        "OFFERED": "Platz angeboten",
        "CANCELLED": "Abgesagt",
        "EXPIRED": "Frist verstrichen",
        "ATTENDED": "Teilgenommen",
        "ABSENT": "Nicht erschienen",
        "NOT_NEEDED": "Nicht mehr gebraucht",
    },
    "OfferStatus": {"DRAFT": "Entwurf", "PUBLISHED": "Veröffentlicht", "CLOSED": "Geschlossen"},
}


def label(kind: str, value: str) -> str:
    """The German name of an enum value (the value itself when the catalogue lacks it, which a test forbids)."""
    return LABELS.get(kind, {}).get(value, value)


def negotiate(request: Request) -> str:
    """The language chosen with the switch (a cookie), else the first supported one the browser lists, else German."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    ranked = []
    for position, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else "de"


def translator(language: str) -> Callable[[str], str]:
    if language == "en":
        return lambda text: ENGLISH.get(text, text)
    return lambda text: text
