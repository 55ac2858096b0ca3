"""Capitalised English words that spaCy's small model calls persons: "My Landlord hasn't paid",
"What's Broken?", "Atm took my card", "I swapped Russian Ruble".

Why: the model reads a capital letter as most of the evidence for a name, and support text
capitalises common nouns for emphasis, in headings and after a typo. A span that is one such word
is no person when the word is an ordinary English word (a lower-case entry of a dictionary) or an
acronym written in title case (an all-capitals entry), and it is no given name or surname of the
census lists ("Hunter", "Rose", "Baker" stay persons) and no name cue introduces it ("my name
is Seller" stays a person). The same holds for a span that runs into an organisation, product
or currency word (names.DESIGNATORS), which the name rules of `curate.pii.names` already refuse. Lower-case entries count only from five letters: shorter ones are
too often also names in other languages ("Ram", "Raja", "Deep", "Veer" are English words).

The dictionary is SCOWL's american-english list as Debian's `wamerican` 2020.12.07 ships it
(/usr/share/dict/american-english): its lower-case entries of five letters or more and its
all-capitals entries, 61,108 words, in `english_words.txt.gz`. SCOWL's licence (Kevin Atkinson,
2000-2011): "Permission to use, copy, modify, distribute and sell these word lists ... is
hereby granted without fee, provided that the above copyright notice appears in all copies".
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

MIN_LETTERS = 5


def not_a_person(value: str) -> bool:
    """One common word (`common_word`), dictionary words and acronyms after a first word that is
    no census given name ("Custom Elements", "Options API": a heading or a term in title case;
    not "Hunter Rose"), or words ending in a currency, organisation or product
    designator after a first word that is no census given name ("Russian Ruble", "Axis Bank";
    not "Grace Park", "Lois Lane")."""
    from curate.pii.names import _FUNCTION_WORDS, DESIGNATORS

    words = value.split()
    while len(words) > 1 and words[0].casefold() in _FUNCTION_WORDS:   # "My Landlord"
        words = words[1:]
    if len(words) == 1:
        return common_word(words[0])
    if words[0].strip(".'’") not in _given() and _mostly_terms(words) \
            and not all(_acronym(w) for w in words):
        return True        # a title-cased term or heading: "Composition API", "Render Scope"
    return (words[-1].strip(".'’").casefold() in DESIGNATORS
            and words[0].strip(".'’") not in _given())


def _mostly_terms(words: list[str]) -> bool:
    """All words are term words, or more than half are and the others are no census name: a
    heading names a new thing with a coined word ("Custom Renderer API", "Hydration Mismatch
    Errors"); a person's name has no dictionary word beside one that is not ("Ramesh Power")."""
    terms = [_term_word(w) for w in words]
    if all(terms):
        return True
    others = [re.sub(r"['’]s$", "", w.strip(".'’,:")) for w, t in zip(words, terms) if not t]
    initials = any(len(w.strip(".")) == 1 for w in words)      # "Jildau S Bouts": a name
    return (2 * sum(terms) > len(words) and not initials
            and not any(w in _census() for w in others))


# An imperative opens a sentence or a list item ("- Ping a host", "Run all given test files"),
# and an article or determiner follows it; a name at the start of a sentence is followed by a
# verb ("Rahul called").
_DETERMINERS = frozenset("a an the all your this that these those every each some any its".split())
_OPENS = re.compile(r"(?:^|\n)[ \t>]*(?:[-*+•]|\d{1,2}[.)])[ \t]+$")
_NEXT_WORD = re.compile(r"[ \t]+([a-z]+)\b")


def imperative(text: str, start: int, end: int) -> bool:
    """Whether the one word text[start:end] is a verb giving an instruction (see _OPENS)."""
    if " " in text[start:end]:
        return False
    following = _NEXT_WORD.match(text, end)
    return bool(following and following.group(1) in _DETERMINERS
                and _OPENS.search(text, max(0, start - 80), start))


def _acronym(word: str) -> bool:
    return word.isupper() and word.isalpha() and len(word) <= 5


def _term_word(word: str) -> bool:
    """A word of a title-cased term: a dictionary word (surnames such as "Render" or "Hooks"
    included: next to other dictionary words they are a term), a tool's name ("Vue Router") or an
    acronym."""
    from curate.pii.code import PROGRAMMING

    word = re.sub(r"['’]s$", "", word.strip(".'’,:"))    # "Router's"
    return _acronym(word) or word.lower() in PROGRAMMING or (
        word.istitle() and len(word) >= MIN_LETTERS and word.lower() in english_words())


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    data = resources.files("curate.pii").joinpath("english_words.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("ascii").split())


@lru_cache(maxsize=1)
def _given() -> frozenset[str]:
    """Every given name of the census lists, common-word names ("Grace", "Will") included."""
    from curate.pii.names import _census

    return frozenset(_census("dist.male.first")) | frozenset(_census("dist.female.first"))


@lru_cache(maxsize=1)
def _census() -> frozenset[str]:
    from curate.pii.names import surnames

    return _given() | surnames()


def common_word(value: str) -> bool:
    """Whether `value` is one capitalised word that is an English word or acronym, not a name."""
    word = value.strip(".'’")
    if not word.isalpha() or not word[:1].isupper() or word in _census():
        return False
    words = english_words()
    if word.upper() in words and (word.istitle() or word.isupper()):
        return True        # "Atm", "Pin": an acronym in title case
    return word.istitle() and len(word) >= MIN_LETTERS and word.lower() in words


_WORDS = re.compile(r"[A-Za-z][A-Za-z'’]*")
_PRONOUN_I = frozenset({"I", "I'm", "I've", "I'll", "I'd", "I’m", "I’ve", "I’ll", "I’d"})


def holds_no_name(sentence: str, text: str) -> bool:
    """Whether spaCy's English NER can be skipped on a sentence of `text`: the text capitalises
    (where it does, the pass drops a lower-case NER span unless it is made of census names), and
    the sentence has no capitalised word but "I" and a first word that is a function word or an
    English word and no census name ("Hunter said ..." is tagged), and no lower-case census
    given name ("my friend derek smith"). Such sentences are a third of support text."""
    from curate.pii.names import _FUNCTION_WORDS

    if text == text.lower():     # "aksel kristensen": in lower-case text, lower-case names count
        return False
    given = _lower_given()
    for k, word in enumerate(_WORDS.findall(sentence)):
        lower = word.lower()
        if lower in given:
            return False
        if word[0].isupper() and word not in _PRONOUN_I and not (
                k == 0 and word.capitalize() not in _census()
                and (lower in _FUNCTION_WORDS or lower in english_words())):
            return False
    return True


@lru_cache(maxsize=1)
def _lower_given() -> frozenset[str]:
    from curate.pii.names import given_names

    return frozenset(g.lower() for g in given_names())
