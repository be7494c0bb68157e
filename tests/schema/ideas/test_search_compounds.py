"""Search finds German compound words: "Fahrrad" finds "Fahrradbügel", "Bank" finds "Sitzbank".

A small German corpus of 32 ideas with the expected hits of 12 queries compares ways PostgreSQL offers (run with
`-s` to see the table): the stemmed full-text search alone (what the feed did), prefix matching of the stems
(`to_tsquery('german', 'fahrrad:*')`), trigram word similarity (`pg_trgm`, `<%`), and the stems of the query as
parts of the words of the idea (anywhere in a word, or only where a compound begins or ends). The feed uses the
one the test asserts on; the others are printed for comparison.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.support.ideas import insert_idea_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

CORPUS = [
    ("Fahrradbügel am Bahnhof", "Am Bahnhof stehen die Räder überall, es fehlen Bügel zum Anschließen."),
    ("Sichere Fahrradstraße zur Schule", "Die Straße sollte für Kinder durchgehend markiert werden."),
    ("Lastenfahrrad zum Ausleihen", "Ein Lastenrad der Stadt für den Wocheneinkauf."),
    ("Fahrräder reparieren lernen", "Eine offene Werkstatt im Jugendzentrum."),
    ("Neuer Radweg nach Ense", "Der Weg entlang der Landstraße ist gefährlich."),
    ("Mehr Sitzbänke im Stadtpark", "Ältere Menschen brauchen Gelegenheiten zum Ausruhen."),
    ("Parkbank am Teich erneuern", "Die alte Holzbank ist morsch und wackelt."),
    ("Geldautomat im Ortsteil", "Seit die Bankfiliale geschlossen hat, fehlt Bargeld."),
    ("Festbankett im Rathaus", "Ein Empfang für alle Ehrenamtlichen zum Jahresende."),
    ("Wasserspielplatz im Kurpark", "Im Sommer brauchen Kinder Abkühlung."),
    ("Spielplatz an der Grundschule sanieren", "Die Schaukel ist seit Monaten kaputt."),
    ("Abenteuerspielplätze für Jugendliche", "Klettern und Bauen statt Langeweile."),
    ("Bolzplatz mit neuen Toren", "Die Netze sind zerrissen."),
    ("Straßenbäume gießen", "Patenschaften für die Bäume vor dem Haus."),
    ("Obstbaumwiese am Stadtrand", "Alte Sorten erhalten und gemeinsam ernten."),
    ("Baumarkt an die Buslinie anbinden", "Ohne Auto kommt man schlecht hin."),
    ("Lichtverschmutzung verringern", "Nachts sind die Werbetafeln zu hell."),
    ("Straßenlaternen mit Bewegungsmelder", "Das Licht soll nur brennen, wenn jemand kommt."),
    ("Pflichtaufgaben zuerst erledigen", "Die Stadt soll Geld für Schulen statt Feste ausgeben."),
    ("Mehr Mülleimer am Wall", "Der Abfall landet sonst in den Büschen."),
    ("Sperrmüll zweimal im Jahr", "Viele Familien haben kein Auto für den Wertstoffhof."),
    ("Schulweg sicherer machen", "Ein Zebrastreifen vor der Grundschule fehlt."),
    ("Schulhof am Nachmittag öffnen", "Kinder brauchen Platz zum Spielen."),
    ("Trinkwasserbrunnen in der Altstadt", "Im Sommer ist es heiß in der Fußgängerzone."),
    ("Regenwasser sammeln", "Zisternen für die Beete im Stadtgarten."),
    ("Hundewiese im Stadtpark", "Ein eingezäunter Auslauf für Hunde."),
    ("Hundert Jahre Stadtfest", "Ein großes Fest zum Jubiläum mit Musik."),
    ("Bushaltestelle mit Dach", "Man wird bei Regen nass, während man wartet."),
    ("Bürgerbus für die Dörfer", "Ehrenamtliche fahren ältere Menschen zum Arzt."),
    ("Gebüsch am Wall zurückschneiden", "Der Weg ist abends dunkel und unübersichtlich."),
    ("Car-Sharing am Marktplatz", "Zwei Autos zum Teilen für die Nachbarschaft."),
    ("Öffentliche Toiletten", "In der Innenstadt fehlt eine barrierefreie Toilette."),
]

# What someone typing the query means: ideas with the word, alone or as part of a compound, in any inflection.
EXPECTED = {
    "Fahrrad": {
        "Fahrradbügel am Bahnhof",
        "Sichere Fahrradstraße zur Schule",
        "Lastenfahrrad zum Ausleihen",
        "Fahrräder reparieren lernen",
    },
    "Bank": {"Mehr Sitzbänke im Stadtpark", "Parkbank am Teich erneuern", "Geldautomat im Ortsteil"},
    "Spielplatz": {
        "Wasserspielplatz im Kurpark",
        "Spielplatz an der Grundschule sanieren",
        "Abenteuerspielplätze für Jugendliche",
    },
    "Baum": {"Straßenbäume gießen", "Obstbaumwiese am Stadtrand"},
    "Bäume": {"Straßenbäume gießen", "Obstbaumwiese am Stadtrand"},
    "Licht": {"Lichtverschmutzung verringern", "Straßenlaternen mit Bewegungsmelder"},
    "Müll": {"Mehr Mülleimer am Wall", "Sperrmüll zweimal im Jahr"},
    "Schule": {
        "Sichere Fahrradstraße zur Schule",
        "Spielplatz an der Grundschule sanieren",
        "Pflichtaufgaben zuerst erledigen",
        "Schulweg sicherer machen",
        "Schulhof am Nachmittag öffnen",
    },
    "Wasser": {"Wasserspielplatz im Kurpark", "Trinkwasserbrunnen in der Altstadt", "Regenwasser sammeln"},
    "Hund": {"Hundewiese im Stadtpark"},
    "Straße": {
        "Sichere Fahrradstraße zur Schule",
        "Neuer Radweg nach Ense",
        "Straßenbäume gießen",
        "Straßenlaternen mit Bewegungsmelder",
    },
    "Bus": {"Baumarkt an die Buslinie anbinden", "Bushaltestelle mit Dach", "Bürgerbus für die Dörfer"},
}

_FOLDED = "replace(translate(lower(i.title || ' ' || i.body), 'äöü', 'aou'), 'ß', 'ss')"
_STEMS = "(SELECT array_agg(l) FROM unnest(tsvector_to_array(to_tsvector('german', :q))) AS l WHERE length(l) >= 3)"
_FULL_TEXT = "i.search_vector @@ websearch_to_tsquery('german', :q)"
_ANYWHERE = "'%' || s || '%'"
_START_OR_END = r"'\m' || s || '|' || s || '(e|en|er|es|n|s|ern|ens)?\M'"
APPROACHES = {
    "full text (before)": _FULL_TEXT,
    "full text + prefix": "i.search_vector @@ to_tsquery('german', :prefix)",
    "trigram word similarity": ":q <% (i.title || ' ' || i.body)",
    "full text + stem anywhere in a word": " ".join(
        (
            _FULL_TEXT,
            "OR",
            _FOLDED,
            "LIKE ALL ((SELECT array_agg(",
            _ANYWHERE,
            ") FROM unnest(",
            _STEMS,
            ") AS s)::text[])",
        )
    ),
    "full text + stem at a compound's start or end (the feed's)": " ".join(
        (
            _FULL_TEXT,
            "OR",
            _FOLDED,
            "~ ALL ((SELECT array_agg(",
            _START_OR_END,
            ") FROM unnest(",
            _STEMS,
            ") AS s)::text[])",
        )
    ),
}

TOWN_FEED = """
query Feed($text: String!) {
  town(slug: "soest") { ideas(first: 100, filter: {text: $text}) { edges { node { title } } } }
}
"""


def _prefix(query: str) -> str:
    return " & ".join(f"{word}:*" for word in re.findall(r"\w+", query))


async def test_compound_words_are_found_and_unrelated_words_are_not(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    author = await person(runtime, oidc_provider, "corpus")
    for title, body in CORPUS:
        await insert_idea_directly(runtime, author_id=author.user_id, town="soest", title=title, body=body)

    lines = ["| approach | precision | recall |", "| --- | --- | --- |"]
    async with runtime.engine.connect() as connection:
        for name, condition in APPROACHES.items():
            found = expected = hits = 0
            for query, wanted in EXPECTED.items():
                titles = set(
                    await connection.scalars(
                        text(f"SELECT i.title FROM ideas AS i WHERE {condition}"),  # noqa: S608 - our own SQL
                        {"q": query, "prefix": _prefix(query)},
                    )
                )
                found += len(titles)
                expected += len(wanted)
                hits += len(titles & wanted)
            lines.append(f"| {name} | {hits / found if found else 1:.2f} | {hits / expected:.2f} |")
    print("\n" + "\n".join(lines))  # noqa: T201 - the comparison, read with -s

    async def feed(query: str) -> list[str]:
        result = await graphql(TOWN_FEED, {"text": query})
        assert "errors" not in result, result
        return [edge["node"]["title"] for edge in result["data"]["town"]["ideas"]["edges"]]

    assert "Fahrradbügel am Bahnhof" in await feed("Fahrrad")
    assert {"Mehr Sitzbänke im Stadtpark", "Parkbank am Teich erneuern"} <= set(await feed("Bank"))
    assert "Straßenbäume gießen" in await feed("Baum")
    assert await feed("Fahrrad") == await feed("fahrrad")
    # Unrelated words find nothing; a compound part is not found inside an unrelated word's middle.
    assert await feed("Bahnsteig") == []
    assert await feed("Kirche") == []
    assert "Gebüsch am Wall zurückschneiden" not in await feed("Bus")
    total_found = total_hits = total_expected = 0
    for query, wanted in EXPECTED.items():
        titles = set(await feed(query))
        total_found += len(titles)
        total_hits += len(titles & wanted)
        total_expected += len(wanted)
    print(f"feed: precision {total_hits / total_found:.2f}, recall {total_hits / total_expected:.2f}")  # noqa: T201
    assert total_hits / total_found >= 0.85
    assert total_hits / total_expected >= 0.8
