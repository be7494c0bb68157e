"""The automated checks as pure functions: what each finds, and what it must leave alone."""

from __future__ import annotations

import pytest

from service.moderation import checks
from service.moderation.checks import Signals
from service.moderation.lexicon import abuse_lexicon, canonical, parse_term
from service.moderation.reasons import Reason


@pytest.mark.parametrize(
    "text",
    [
        "Du bist ein Arschloch",
        "A.r.s.c.h.l.o.c.h",
        "A r s c h l o c h",
        "Arsch-loch",
        "4rschl0ch",
        "a*schloch",
        "Arschloooooch",
        "ihr Arschlöcher",
        "ihr Arschloecher",
        "1d10t",
        "id!ot",
        "I.D.I.O.T",
        "Vollidiot",
        "Idiotinnen",
        "Iiiiidiooooot",
        "what an idiot",
        "you are a f*cking moron",
        "motherfucker",
        "Sch***e",
        "Scheißidee",
        "halt die Fresse",
    ],
)
def test_abusive_language_is_found_through_inflection_and_obfuscation(text: str) -> None:
    result = checks.abusive_language(text)

    assert result.reasons == {Reason.ABUSIVE_LANGUAGE}, text
    assert 0.5 <= result.score <= 1.0
    assert not result.severe


@pytest.mark.parametrize(
    "text",
    [
        "Ich bring dich um",
        "Sieg Heil",
        "I will kill you",
        "k1ll yourself",
        "Das sind alles Untermenschen",
    ],
)
def test_threats_and_slurs_are_severe(text: str) -> None:
    result = checks.abusive_language(text)

    assert result.reasons == {Reason.SEVERE_ABUSE}
    assert result.severe
    assert result.score == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Die Marschroute für den Umzug sollte am Dom vorbeiführen.",
        "Das Verfahren ist idiotensicher und schnell.",
        "Neue Torpfosten für den Bolzplatz",
        "Hundescheiße auf dem Gehweg muss weg",  # a complaint, not an insult (no compound tail for scheiß)
        "Moby Dick im Stadtkino",
        "Class assignments and glasses",
        "Bitte Skateranlage bauen, z. B. am Bahnhof.",
        "Die A45 und die B7 sind marode.",
        "Menschen mit Behinderung brauchen barrierefreie Wege.",
    ],
)
def test_harmless_words_that_contain_or_resemble_terms_are_left_alone(text: str) -> None:
    assert checks.abusive_language(text) == checks.NOTHING


def test_a_word_disguised_is_scored_higher_than_one_written_plainly() -> None:
    assert checks.abusive_language("1d10t").score > checks.abusive_language("Idiot").score


def test_canonical_form_folds_umlauts_case_and_repeated_letters() -> None:
    assert canonical("Arschlöcher") == canonical("ARSCHLOECHER") == "arschlocher"
    assert canonical("Iiiidiooot") == "idiot"
    assert canonical("Straße") == "strase"


def test_list_syntax_marks_compounds_and_severity() -> None:
    term = parse_term("!*nazischwein*")

    assert term is not None
    assert (term.words, term.head, term.tail, term.severe) == (("nazischwein",), True, True, True)
    assert parse_term("# a comment") is None
    assert parse_term("   ") is None


def test_a_town_can_extend_the_lists() -> None:
    lexicon = abuse_lexicon().extended(["*stinkstiefel"])

    assert checks.abusive_language("So ein Oberstinkstiefel!", lexicon).reasons == {Reason.ABUSIVE_LANGUAGE}
    assert checks.abusive_language("So ein Oberstinkstiefel!") == checks.NOTHING


# ----------------------------------------------------------------------------- spam


def test_three_links_are_spam_two_are_not() -> None:
    assert checks.spam_links("Mehr unter soest.de und olpe.de").reasons == frozenset()
    three = checks.spam_links("https://a.example.com https://b.example.org www.c.de")
    assert three.reasons == {Reason.SPAM_LINKS}


def test_a_shortened_link_is_spam_on_its_own() -> None:
    assert checks.spam_links("Schau mal: bit.ly/3xYz").reasons == {Reason.SPAM_LINKS}


def test_advertising_needs_two_phrases_or_one_with_a_link() -> None:
    assert checks.advertising("Bitcoin ist ein Thema für die VHS").reasons == frozenset()
    assert checks.advertising("Online Casino mit Bitcoin").reasons == {Reason.SPAM_ADVERTISING}
    assert checks.advertising("Bitcoin kaufen: www.coins.example.com").reasons == {Reason.SPAM_ADVERTISING}


@pytest.mark.parametrize("link", ["www.billig-baenke.example", "billig-baenke.de", "billig-baenke.com/angebot",
                                  "https://billig-baenke.shop", "www.billig-baenke.de/sale"])  # fmt: skip
@pytest.mark.parametrize(
    "pitch", ["kauft lieber Werbung bei mir: {}", "Kauft bei mir, {}", "Check out my profile for great deals: {}"]
)
def test_selling_with_a_link_in_any_form_is_advertising(pitch: str, link: str) -> None:
    text = pitch.format(link)

    assert link.lower() in checks.links(text)
    assert Reason.SPAM_ADVERTISING in checks.assess(text).reasons


@pytest.mark.parametrize(
    "text",
    [
        "Mehr Infos auf www.soest.de und im Bürgerbüro.",
        "Termine gibt es unter olpe.de/termine oder telefonisch im Rathaus.",
        "Wer kauft bei uns im Dorfladen ein? Öffnungszeiten auf dorfladen-ense.de",
        "Die Stadt kauft das Grundstück am Wall, siehe www.soest.de/bauen",
    ],
)
def test_a_link_in_a_clean_text_is_not_advertising(text: str) -> None:
    assert checks.assess(text) == checks.NOTHING


@pytest.mark.parametrize("text", ["Neeeeeeeeein!", "!!!!!!!!!!", "kaufen kaufen kaufen kaufen", "gut " * 12])
def test_repetition(text: str) -> None:
    assert checks.repetition(text).reasons == {Reason.SPAM_REPETITION}


def test_emphasis_is_not_repetition() -> None:
    assert checks.repetition("Soooo schön!!! Danke, danke.") == checks.NOTHING


def test_shouting_needs_enough_capital_letters() -> None:
    assert checks.shouting("DIE STADT MUSS ENDLICH ETWAS TUN").reasons == {Reason.SPAM_SHOUTING}
    assert checks.shouting("Der ÖPNV und das WLAN im DRK-Haus sind gut") == checks.NOTHING
    assert checks.shouting("HILFE") == checks.NOTHING


def test_posting_rate_counts_more_than_fifteen_in_the_window() -> None:
    assert checks.posting_rate(15) == checks.NOTHING
    assert checks.posting_rate(16).reasons == {Reason.SPAM_POSTING_RATE}


# ----------------------------------------------------------------------------- contact data


@pytest.mark.parametrize(
    "text",
    [
        "Ruf an: 02921 123456",
        "Tel. +49 (0) 2921 / 12 34 56",
        "0171-1234567",
        "0049 171 1234567",
        "(02761) 12345",
        "Handy 0151 23456789",
    ],
)
def test_german_phone_numbers(text: str) -> None:
    assert checks.contact_data(text).reasons == {Reason.CONTACT_PHONE}


@pytest.mark.parametrize(
    "text",
    ["Am 01.05.2025 um 10 Uhr", "57462 Olpe", "Geöffnet 09 - 12 Uhr", "2020-2024 gebaut", "Kosten: 120000 Euro"],
)
def test_dates_postcodes_and_amounts_are_not_phone_numbers(text: str) -> None:
    assert checks.contact_data(text) == checks.NOTHING


@pytest.mark.parametrize("text", ["max.muster@example.org", "max [at] example [dot] de", "anna(at)web(punkt)de"])
def test_email_addresses(text: str) -> None:
    assert checks.contact_data(text).reasons == {Reason.CONTACT_EMAIL}


def test_iban_needs_a_valid_checksum() -> None:
    assert checks.contact_data("IBAN DE89 3704 0044 0532 0130 00 bitte").reasons == {Reason.CONTACT_IBAN}
    assert checks.contact_data("DE89 3704 0044 0532 0130 01") == checks.NOTHING
    assert checks.iban_is_valid("GB82 WEST 1234 5698 7654 32")
    assert not checks.iban_is_valid("DE00 0000 0000 0000 0000 00")


# ----------------------------------------------------------------------------- together


def test_near_duplicates_from_the_similarity() -> None:
    assert checks.near_duplicate(None) == checks.NOTHING
    assert checks.near_duplicate(0.59) == checks.NOTHING
    assert checks.near_duplicate(0.8) == checks.CheckResult(frozenset({Reason.NEAR_DUPLICATE}), 0.8)


def test_assess_combines_every_check_and_keeps_the_highest_score() -> None:
    result = checks.assess("Du Idiot, ruf mich an: 0171 1234567", Signals(recent_submissions=19))

    assert result.reasons == {Reason.ABUSIVE_LANGUAGE, Reason.CONTACT_PHONE, Reason.SPAM_POSTING_RATE}
    assert result.score == max(
        checks.abusive_language("Du Idiot").score,
        checks.contact_data("0171 1234567").score,
        checks.posting_rate(19).score,
    )
    assert checks.assess("Mehr Bänke im Bürgerpark, bitte!") == checks.NOTHING
