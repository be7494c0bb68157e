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
    # Idea page and my page
    "1 bis 2 000 Zeichen.": "1 to 2,000 characters.",
    "1 bis 2 000 Zeichen. Sie können einmal je Entscheidung um Überprüfung bitten.": "1 to 2,000 characters. You can ask for a review once per decision.",
    "Abbrechen": "Cancel",
    "Alle als gelesen markieren": "Mark all as read",
    "Als gelesen markieren": "Mark as read",
    "Als gelesen markiert.": "Marked as read.",
    "Angebot nicht mehr sichtbar": "Offer no longer visible",
    "Angefordert": "Requested",
    "Antwort senden": "Send reply",
    "Antworten": "Reply",
    "Bestätigung": "Confirmation",
    "Das lässt sich nicht rückgängig machen.": "This cannot be undone.",
    "Daten herunterladen": "Download data",
    "Die Idee ist danach nicht mehr öffentlich. Das lässt sich nicht rückgängig machen.": "The idea will no longer be public. This cannot be undone.",
    "Einsätze": "Shifts",
    "Herunterladen": "Download",
    "Höchstens 1 000 Zeichen.": "At most 1,000 characters.",
    "Idee bearbeiten": "Edit idea",
    "Idee melden": "Report idea",
    "Idee unterstützen": "Support idea",
    "Idee zurückziehen": "Withdraw idea",
    "Ihr Kommentar": "Your comment",
    "Ihr Konto ist gelöscht.": "Your account has been deleted.",
    "Ihre Anforderungen": "Your requests",
    "Ihre Antwort": "Your reply",
    "Ihre Daten werden zusammengestellt. Sie bekommen eine Nachricht, sobald sie bereitstehen.": "Your data is being collected. You will get a message as soon as it is ready.",
    "Ihre Idee": "Your idea",
    "Ja, Idee zurückziehen": "Yes, withdraw the idea",
    "Ja, ich will mein Konto endgültig löschen.": "Yes, I want to delete my account for good.",
    "Jahr": "Year",
    "Keine Mitteilungen.": "No notifications.",
    "Kommentar": "Comment",
    "Kommentar senden": "Send comment",
    "Konto löschen": "Delete account",
    "Mein Engagement": "My volunteering",
    "Mein Konto löschen …": "Delete my account …",
    "Meine Daten": "My data",
    "Meine Daten anfordern": "Request my data",
    "Meine Ideen": "My ideas",
    "Meine Kommentare": "My comments",
    "Meine Mitteilungen": "My notifications",
    "Melden": "Report",
    "Melden Sie sich an, um diese Idee zu unterstützen und zu kommentieren.": "Log in to support and comment on this idea.",
    "Meldung senden": "Send report",
    "Neu": "New",
    "Platz": "position",
    "Sie haben noch keine Idee eingereicht.": "You have not submitted an idea yet.",
    "Sie haben noch keinen Ort gewählt.": "You have not chosen a town yet.",
    "Sie haben noch nichts kommentiert.": "You have not commented yet.",
    "Sie haben sich noch für keinen Einsatz angemeldet.": "You have not signed up for a shift yet.",
    "Sie können eine Kopie aller Daten anfordern, die Mitmachen über Sie speichert. Der Link zum Herunterladen gilt 24 Stunden und einmal.": "You can request a copy of all data Mitmachen stores about you. The download link works once, for 24 hours.",
    "Solange Ihre Idee geprüft wird, können Sie sie noch ändern.": "While your idea is being checked, you can still change it.",
    "Stunden": "Hours",
    "Stunden je Jahr": "Hours per year",
    "Unterstützung zurücknehmen": "Withdraw support",
    "Veröffentlichte Ideen und Kommentare bleiben stehen, als von einem gelöschten Konto. Ihre Unterstützungen und künftigen Anmeldungen zu Einsätzen werden zurückgenommen.": "Published ideas and comments remain, shown as by a deleted account. Your supports and future shift sign-ups are withdrawn.",
    "Warum melden Sie das?": "Why are you reporting this?",
    "Warum sollte die Moderation noch einmal hinsehen?": "Why should the moderators take another look?",
    "Was ist daran nicht in Ordnung?": "What is wrong with it?",
    "Wenn Sie Ihr Konto löschen, werden Ihr Name, Ihre E-Mail-Adresse und Ihre Anmeldung gelöscht.": "If you delete your account, your name, e-mail address and login are deleted.",
    "Zurück zur Idee": "Back to the idea",
    "bestätigen bis": "confirm by",
    "bis": "until",
    "Änderungen speichern": "Save changes",
    "Überprüfung erbitten": "Ask for a review",
    "Sie unterstützen diese Idee.": "You support this idea.",
    "Sie unterstützen diese Idee nicht mehr.": "You no longer support this idea.",
    "Danke für Ihren Kommentar.": "Thank you for your comment.",
    "Danke für Ihre Meldung. Die Moderation sieht sie sich an.": "Thank you for your report. The moderators will look at it.",
    "Sie haben Ihre Idee zurückgezogen.": "You have withdrawn your idea.",
    "Ihre Bitte um Überprüfung ist bei der Moderation.": "Your request for a review is with the moderators.",
    "Ihre Änderungen sind gespeichert.": "Your changes are saved.",
    # Labels of the idea page and my page
    "Werbung oder Spam": "Advertising or spam",
    "Beleidigend oder anstößig": "Offensive",
    "Gehört nicht zum Thema": "Off topic",
    "Enthält persönliche Daten": "Contains personal data",
    "Bestätigt": "Confirmed",
    "Auf der Warteliste": "On the waiting list",
    "Platz angeboten": "Place offered",
    "Abgesagt": "Cancelled",
    "Abgelaufen": "Expired",
    "Teilgenommen": "Attended",
    "Nicht erschienen": "Absent",
    "Nicht mehr gebraucht": "No longer needed",
    "Wird erstellt": "Being prepared",
    "Bereit": "Ready",
    "Heruntergeladen": "Downloaded",
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
    "ReportReason": {
        "SPAM": "Werbung oder Spam",
        "OFFENSIVE": "Beleidigend oder anstößig",
        "OFF_TOPIC": "Gehört nicht zum Thema",
        "PERSONAL_DATA": "Enthält persönliche Daten",
    },
    "SignUpStatus": {
        "CONFIRMED": "Bestätigt",
        "WAITLISTED": "Auf der Warteliste",
        "OFFERED": "Platz angeboten",
        "CANCELLED": "Abgesagt",
        "EXPIRED": "Abgelaufen",
        "ATTENDED": "Teilgenommen",
        "ABSENT": "Nicht erschienen",
        "NOT_NEEDED": "Nicht mehr gebraucht",
    },
    "DataExportStatus": {
        "PENDING": "Wird erstellt",
        "READY": "Bereit",
        "DOWNLOADED": "Heruntergeladen",
        "EXPIRED": "Abgelaufen",
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
