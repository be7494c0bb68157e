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
    # The town's console: moderation, answers, settings
    "Beleidigende Sprache": "Abusive language",
    "Schwere Beleidigung": "Severe abuse",
    "Viele Links": "Many links",
    "Werbung": "Advertising",
    "Wiederholung": "Repetition",
    "Großbuchstaben": "Shouting",
    "Viele Beiträge in kurzer Zeit": "Many posts in a short time",
    "Telefonnummer": "Phone number",
    "E-Mail-Adresse": "E-mail address",
    "Bankverbindung": "Bank details",
    "Ähnliche Idee": "Similar idea",
    "Erster Beitrag": "First contribution",
    "Alle Beiträge werden geprüft": "All contributions are checked",
    "Gemeldet": "Reported",
    "Einspruch": "Appeal",
    "Veröffentlichen": "Publish",
    "Ablehnen": "Reject",
    "Ausblenden": "Hide",
    "Wiederherstellen": "Restore",
    "Meldungen zurückweisen": "Dismiss reports",
    "Entscheidung bestätigen": "Uphold the decision",
    "Spam": "Spam",
    "Beleidigend": "Offensive",
    "Gehört nicht hierher": "Off topic",
    "Persönliche Daten": "Personal data",
    "Keine Vorabprüfung: nur automatische Prüfungen und Meldungen": "No pre-moderation: automated checks and reports only",
    "Der erste Beitrag einer Person wird vorab geprüft": "A person's first contribution is checked first",
    "Jeder Beitrag wird vorab geprüft": "Every contribution is checked first",
    "Beiträge mit Auffälligkeiten werden vorab geprüft": "Contributions that look risky are checked first",
    "Moderation": "Moderation",
    "Wortlisten": "Word lists",
    "Protokoll": "Audit log",
    "Ideen beantworten": "Answer ideas",
    "Einstellungen": "Settings",
    "Sie haben keine Aufgaben in einem Ort.": "You have no tasks in any town.",
    "Keine Beiträge warten.": "No contributions are waiting.",
    "Beiträge warten.": "contributions are waiting.",
    "Liste neu laden": "Reload the list",
    "Grund": "Reason",
    "Idee": "Idea",
    "Kommentar": "Comment",
    "seit": "since",
    "Gründe": "Reasons",
    "Meldungen": "Reports",
    "Einspruch der Person": "The author's appeal",
    "Entscheidung": "Decision",
    "Begründung (die Person liest sie)": "Reason (the author reads it)",
    "Entscheiden": "Decide",
    "Die Entscheidung ist gespeichert.": "The decision is saved.",
    "Das Wort ist ergänzt.": "The word is added.",
    "Das Wort ist entfernt.": "The word is removed.",
    "Die Antwort ist veröffentlicht.": "The answer is published.",
    "Die Einstellungen sind gespeichert.": "The settings are saved.",
    "So schreiben Sie Einträge": "How to write entries",
    "Ein Wort oder eine Wendung (3 bis 100 Zeichen): Beiträge, die es enthalten, werden zur Prüfung zurückgehalten.": "A word or phrase (3 to 100 characters): contributions containing it are held for review.",
    "Ein ! am Anfang (z. B. !Schimpfwort): solche Beiträge werden sofort abgelehnt, nicht zurückgehalten.": "A leading ! (e.g. !slur): such contributions are rejected at once, not held.",
    "Ein * davor oder danach (z. B. *mist oder mist*) erfasst auch zusammengesetzte Wörter.": "A * before or after (e.g. *crap or crap*) also matches compound words.",
    "Groß- und Kleinschreibung spielen keine Rolle.": "Upper and lower case do not matter.",
    "Neuer Eintrag": "New entry",
    "Hinzufügen": "Add",
    "Einträge": "Entries",
    "Wortliste": "Word list",
    "Eintrag": "Entry",
    "Wirkung": "Effect",
    "Hinzugefügt": "Added",
    "Aktion": "Action",
    "sofort abgelehnt": "rejected at once",
    "zurückgehalten": "held",
    "Entfernen": "Remove",
    "Noch keine eigenen Einträge.": "No entries of the town yet.",
    "Protokoll, neueste zuerst": "Audit log, newest first",
    "Wann": "When",
    "Wer": "Who",
    "Was": "What",
    "Begründung": "Reason",
    "System": "System",
    "Noch keine Einträge.": "No entries yet.",
    "Bisherige Antworten": "Earlier answers",
    "Neuer Stand": "New status",
    "Antwort an alle": "Answer to everyone",
    "Antwort veröffentlichen": "Publish the answer",
    "Der Ort nutzt noch die Voreinstellungen.": "The town still uses the default settings.",
    "Vorabprüfung von Beiträgen": "Pre-moderation of contributions",
    "Meldungen, die einen Beitrag ausblenden": "Reports that hide a contribution",
    "So viele verschiedene Personen müssen einen Beitrag melden, bis er bis zur Prüfung ausgeblendet wird.": "This many different people must report a contribution before it is hidden until reviewed.",
    "Speichern": "Save",
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
    "ModerationReason": {
        "ABUSIVE_LANGUAGE": "Beleidigende Sprache",
        "SEVERE_ABUSE": "Schwere Beleidigung",
        "SPAM_LINKS": "Viele Links",
        "SPAM_ADVERTISING": "Werbung",
        "SPAM_REPETITION": "Wiederholung",
        "SPAM_SHOUTING": "Großbuchstaben",
        "SPAM_POSTING_RATE": "Viele Beiträge in kurzer Zeit",
        "CONTACT_PHONE": "Telefonnummer",
        "CONTACT_EMAIL": "E-Mail-Adresse",
        "CONTACT_IBAN": "Bankverbindung",
        "NEAR_DUPLICATE": "Ähnliche Idee",
        "FIRST_CONTRIBUTION": "Erster Beitrag",
        "POLICY_ALWAYS": "Alle Beiträge werden geprüft",
        "REPORTED": "Gemeldet",
        "APPEALED": "Einspruch",
    },
    "ModerationDecision": {
        "PUBLISH": "Veröffentlichen",
        "REJECT": "Ablehnen",
        "HIDE": "Ausblenden",
        "RESTORE": "Wiederherstellen",
        "DISMISS_REPORTS": "Meldungen zurückweisen",
        "UPHOLD": "Entscheidung bestätigen",
    },
    "ReportReason": {
        "SPAM": "Spam",
        "OFFENSIVE": "Beleidigend",
        "OFF_TOPIC": "Gehört nicht hierher",
        "PERSONAL_DATA": "Persönliche Daten",
    },
    "ModerationPolicy": {
        "OFF": "Keine Vorabprüfung: nur automatische Prüfungen und Meldungen",
        "FIRST_POST": "Der erste Beitrag einer Person wird vorab geprüft",
        "ALWAYS": "Jeder Beitrag wird vorab geprüft",
        "RISK_BASED": "Beiträge mit Auffälligkeiten werden vorab geprüft",
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
