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
