"""Word lists, and the normalisation that sees through inflection and obfuscation (see wordlists/README.md).

Both the lists and the texts are brought into one canonical form: lower case, accents and umlauts folded
(ä, ae → a; ß → ss), letters only, repeated letters squeezed ("Arschlooooch" → "arschloch"). Before that, a
text is undone from the usual disguises: letters spaced or dotted apart are joined ("A.r.s.c.h" → "arsch"),
digits and symbols read as letters ("1d10t" → "idiot"), and letters masked with `*` are matched as wildcards.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

WORDLISTS = Path(__file__).parent / "wordlists"

# Endings of inflected forms (German and English), in canonical form (squeezed: "innen" → "inen").
SUFFIXES = frozenset(
    {
        "e",
        "en",
        "er",
        "ern",
        "es",
        "em",
        "s",
        "n",
        "in",
        "inen",
        "st",
        "t",
        "et",
        "te",
        "ten",
        "ed",
        "ing",
        "ers",
        "y",
        "ic",
    }
)
MIN_HEAD_LENGTH = 4
MIN_MASK_LETTERS = 2

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a",
                       "$": "s", "€": "e", "!": "i", "|": "l", "+": "t"})  # fmt: skip
_LEET_ONE_AS_L = str.maketrans({"1": "l", "!": "l", "|": "i"})
_FOLDS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
_NOT_LETTER = re.compile(r"[^a-z]")
_REPEATED = re.compile(r"(.)\1+")
# Single characters separated by dots, spaces, asterisks, dashes or underscores: "A.r.s.c.h", "i d i o t".
_SPACED = re.compile(r"(?<![\w@$€])[\w@$€](?:[\s.*_\-·+]{1,3}[\w@$€](?![\w@$€])){3,}")
_SPACED_SEPARATOR = re.compile(r"[\s.*_\-·+]")
_TOKEN = re.compile(r"[\w@$€!|*#+]+(?:[.\-_'·][\w@$€!|*#+]+)*")
_INNER_SEPARATOR = re.compile(r"[.\-_'·]")
_EDGE_PUNCTUATION = "!*#|+.-_'"
_MASK = re.compile(r"[*#]+")


@lru_cache(maxsize=20_000)
def canonical(text: str) -> str:
    """The form every comparison uses: "Arschlöcher" → "arschlocher", "Iiiidiot" → "idiot"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    for written, folded in _FOLDS:
        plain = plain.replace(written, folded)
    return _REPEATED.sub(r"\1", _NOT_LETTER.sub("", plain))


def _plain(text: str) -> str:
    """Lower case without accents, ß kept (for matching masked words letter by letter)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class Term:
    """One line of a word list."""

    source: str
    words: tuple[str, ...]
    plain: str
    head: bool
    tail: bool
    severe: bool

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


def parse_term(line: str) -> Term | None:
    """A term from a line of a list; None for blank lines, comments and lines without letters."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    severe = text.startswith("!")
    text = text.removeprefix("!").strip()
    tail, head = text.startswith("*"), text.endswith("*")
    core = text.strip("*").strip()
    words = tuple(canonical(word) for word in core.split())
    if not words or not all(words):
        return None
    return Term(source=line.strip(), words=words, plain=_plain(core), head=head, tail=tail, severe=severe)


@dataclass(frozen=True)
class Match:
    term: Term
    found: str
    disguised: bool


@dataclass(frozen=True)
class _Reading:
    """One way to read a word of the text: canonical variants, a wildcard pattern if letters are masked."""

    raw: str
    variants: tuple[str, ...]
    masked: str | None
    disguised: bool


@dataclass(frozen=True)
class _Word:
    """A word of the text with its readings, most complete first ("Arsch-loch": "Arschloch", "Arsch", "loch")."""

    readings: tuple[_Reading, ...]


def _variants(raw: str) -> tuple[str, ...]:
    """Canonical readings of a word: as written, then with digits and symbols read as letters."""
    if not any(char.isalpha() for char in raw):
        return ()
    readings = [canonical(raw)]
    if not raw.isalpha():
        readings += [canonical(raw.translate(_LEET)), canonical(raw.translate(_LEET_ONE_AS_L).translate(_LEET))]
    return tuple(dict.fromkeys(reading for reading in readings if reading))


def _masked(raw: str) -> str | None:
    """A regular expression for a word with masked letters ("a*schloch", "f**k"), if it is one."""
    inner = raw.strip("*#")
    if not _MASK.search(inner):
        return None
    letters = _plain(_MASK.sub("", inner))
    if len(letters) < MIN_MASK_LETTERS or not letters.isalpha():
        return None
    parts = []
    for piece in re.split(r"([*#]+)", _plain(inner)):
        if piece and piece[0] in "*#":
            parts.append(f"[a-zß]{{1,{len(piece) + 1}}}")
        else:
            parts.append(re.escape(piece))
    return "".join(parts)


def _spaced_out(text: str) -> tuple[str, set[str]]:
    """The text with spaced-out letters joined, and the joined words."""
    joined: set[str] = set()

    def join(found: re.Match[str]) -> str:
        word = _SPACED_SEPARATOR.sub("", found.group(0))
        joined.add(word)
        return word

    return _SPACED.sub(join, text), joined


@lru_cache(maxsize=64)
def _words(text: str) -> tuple[_Word, ...]:
    """The words of a text (cached: the abuse and the spam lists read the same text)."""
    undone, joined = _spaced_out(text)
    words: list[_Word] = []
    for found in _TOKEN.finditer(undone):
        raw = found.group(0).strip(_EDGE_PUNCTUATION)
        parts = [part for part in _INNER_SEPARATOR.split(raw) if part]
        if not parts:
            continue
        candidates = ["".join(parts), *parts] if len(parts) > 1 else parts
        readings = tuple(
            _Reading(
                raw=candidate,
                variants=_variants(candidate),
                masked=_masked(candidate),
                disguised=raw in joined or (len(parts) > 1 and position == 0),
            )
            for position, candidate in enumerate(candidates)
        )
        words.append(_Word(readings))
    return tuple(words)


class Lexicon:
    """Terms indexed for matching: whole words with inflections, compound heads and tails, phrases."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = tuple(terms)
        self._whole: dict[str, Term] = {}
        self._heads: dict[str, Term] = {}
        self._inside: list[Term] = []
        self._phrases: dict[str, list[Term]] = {}
        for term in self.terms:
            if term.is_phrase:
                self._phrases.setdefault(term.words[0], []).append(term)
                continue
            word = term.words[0]
            self._whole.setdefault(word, term)
            if term.head and term.tail:
                self._inside.append(term)
            elif term.head:
                self._heads.setdefault(word, term)
            elif term.tail:
                self._inside.append(term)
        self._mask_targets = self._mask_forms()

    def extended(self, lines: Iterable[str]) -> Lexicon:
        """This lexicon plus terms written like lines of a list (a town's own terms)."""
        extra = [term for term in (parse_term(line) for line in lines) if term is not None]
        return Lexicon([*self.terms, *extra]) if extra else self

    def _mask_forms(self) -> list[tuple[str, Term]]:
        forms: list[tuple[str, Term]] = []
        for term in self.terms:
            if not term.is_phrase:
                forms.append((term.plain, term))
                if "ß" in term.plain:
                    forms.append((term.plain.replace("ß", "ss"), term))
        return forms

    def _word(self, word: str) -> Term | None:
        found = self._whole.get(word)
        if found is not None:
            return found
        for end in range(1, min(len(word), 5)):
            if word[-end:] in SUFFIXES and (stem := self._whole.get(word[:-end])) is not None:
                return stem
        for length in range(MIN_HEAD_LENGTH, len(word) + 1):
            if (head := self._heads.get(word[:length])) is not None:
                return head
        return self._inside_compound(word)

    def _inside_compound(self, word: str) -> Term | None:
        for term in self._inside:
            core = term.words[0]
            start = word.find(core, 1)
            while start != -1:
                rest = word[start + len(core) :]
                if term.head or not rest or rest in SUFFIXES:
                    return term
                start = word.find(core, start + 1)
        return None

    def _unmasked(self, pattern: str, width: int) -> Term | None:
        """The term a masked word most likely stands for: a form it matches, closest in length."""
        compiled = re.compile(pattern)
        found = [
            (abs(len(form) + len(suffix) - width), term)
            for form, term in self._mask_targets
            for suffix in ("", *SUFFIXES)
            if compiled.fullmatch(form + suffix)
        ]
        return min(found, key=lambda pair: pair[0])[1] if found else None

    def _reading(self, reading: _Reading) -> Match | None:
        for position, variant in enumerate(reading.variants):
            term = self._word(variant)
            if term is not None:
                return Match(term=term, found=reading.raw, disguised=reading.disguised or position > 0)
        if reading.masked is not None and (term := self._unmasked(reading.masked, len(reading.raw))) is not None:
            return Match(term=term, found=reading.raw, disguised=True)
        return None

    def find(self, text: str) -> list[Match]:
        """Every term found in `text` (a term may be found more than once), single words before phrases."""
        words = _words(text)
        return [*self._single_words(words), *self._phrase_matches(words)]

    def _single_words(self, words: tuple[_Word, ...]) -> Iterator[Match]:
        for word in words:
            found = next((match for reading in word.readings if (match := self._reading(reading))), None)
            if found is not None:
                yield found

    def _phrase_matches(self, words: tuple[_Word, ...]) -> Iterator[Match]:
        """Phrases are looked up by their first word, then compared word by word."""
        readings = [word.readings[0].variants for word in words]
        for start, variants in enumerate(readings):
            for term in self._phrases_starting(variants):
                window = readings[start : start + len(term.words)]
                if len(window) == len(term.words) and all(
                    any(_same_word(found, wanted) for found in found_variants)
                    for found_variants, wanted in zip(window, term.words, strict=True)
                ):
                    raw = " ".join(word.readings[0].raw for word in words[start : start + len(term.words)])
                    yield Match(term=term, found=raw, disguised=False)

    def _phrases_starting(self, variants: tuple[str, ...]) -> list[Term]:
        stems = {*variants}
        for variant in variants:
            stems.update(variant[:-end] for end in range(1, min(len(variant), 5)) if variant[-end:] in SUFFIXES)
        return [term for stem in stems for term in self._phrases.get(stem, ())]


def _same_word(found: str, wanted: str) -> bool:
    return found == wanted or (found.startswith(wanted) and found[len(wanted) :] in SUFFIXES)


def load_terms(path: Path) -> list[Term]:
    terms = (parse_term(line) for line in path.read_text(encoding="utf-8").splitlines())
    return [term for term in terms if term is not None]


@cache
def abuse_lexicon() -> Lexicon:
    """The built-in German and English lists of abusive language."""
    return Lexicon([*load_terms(WORDLISTS / "de.txt"), *load_terms(WORDLISTS / "en.txt")])


@lru_cache(maxsize=128)
def lexicon_with(terms: tuple[str, ...]) -> Lexicon:
    """The built-in lists plus a town's own terms (lines of the list syntax), built once per set of terms.

    Keyed by the terms themselves, in the order the database gives them: a town that adds or removes a term asks
    for a different set, which is built anew; the set it had before stays cached until it is the least used."""
    return abuse_lexicon().extended(terms)


@cache
def spam_lexicon() -> Lexicon:
    return Lexicon(load_terms(WORDLISTS / "spam.txt"))
