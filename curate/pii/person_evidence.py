"""Whether a span spaCy calls PERSON is a name: doubts, and the evidence that outweighs them.

Why: on general English instructions (recipes, travel plans, menus, exercise lists, grammar
lessons) the small English model reads most capitalised words as persons: "85 degrees
Fahrenheit", "Arrive in Seattle", "Dessert: Fruit Cup", "14. Plank", "Determiner, Noun, Verb",
"Mind Mapping is one of the methods", "find the value of X. Show your steps". A capital letter is
no evidence of a name, so a PERSON span is dropped when something says it is not one:

- it is a place: a country or state (ISO 3166, `places.regions`), a word the model calls a place
  elsewhere in the text, or what follows a word of travel ("trip to", "Arrive in", "Depart");
- it is the thing a quantity counts or measures ("85 degrees Fahrenheit", "1 tablespoon
  Worcestershire sauce");
- it is a label before a colon in a list or in a line of fields ("2. Alohomora: This spell",
  "pm2.5: 27, Loc: Beijing"), or the title-cased value of a field whose label says nothing of a
  person ("Main Dish: Chicken Teriyaki");
- it heads an item of a list whose other items are no names ("- Fiorentina Steak", "14. Plank"),
  or sits in a comma list of dictionary words ("Determiner, Noun, Number");
- it is a term: its last word is a common noun ("Mind Mapping", "Spatula Set", "Beef Stew"), or
  it is one dictionary word that is no given name and a rare surname at most ("Glass",
  "Dessert", "Collagen"), or an initial that ends a sentence ("X. Show").

Evidence that it is a name outweighs the doubts of labels, lists and words: a name cue or a
greeting before it ("Dear", "Mr.", "my name is"), a verb of a person after it ("Tracey said",
"Cook told me"), or a census given name followed by a surname ("Ebony Moore"). Public figures are
not told apart: there is no offline knowledge base of who is famous, and a famous name in a
user's data is a name like any other.
"""
from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

import regex

from curate.pii.dialogue import named_venue, product_or_venue, venue_name_words
from curate.pii.dialogue_places import a_place_or_venue
from curate.pii.doc_terms import a_doc_term
from curate.pii.doc_titles import doc_title
from curate.pii.eponyms import a_case_party, names_a_thing
from curate.pii.indian_names import is_indian_name
from curate.pii.recognizers import NAME_CUE
from curate.pii.titles_of_works import a_weak_work, a_work

# The census share (percent) below which a surname that is also a dictionary word ("Glass",
# "Plank", "Dessert") is read as the word when nothing else says it is a name.
RARE_SURNAME = 0.02

_GREETING = regex.compile(r"(?i:\b(?:dear|hi|hello|hey|thanks|thank you|regards|sincerely|attn)"
                          r"|\b(?:mr|mrs|ms|dr|prof|sir|madam|shri|smt)\.?)[ \t,]*$")
_PERSON_VERB = regex.compile(
    r"(?:'s?[ \t]+)?[ \t]+(?:said|says|told|tells|asked|asks|replied|replies|wrote|writes|called|"
    r"calls|thinks|thought|wants|wanted|explained|added|noted|emailed|texted|is[ \t]+my|was[ \t]+my|"
    r"who)\b")
_TRAVEL = regex.compile(
    r"(?i:\b(?:(?:arrive|arriving|arrived|arrival|depart|departing|departed|departure|trip|travel|"
    r"travelling|traveling|flight|flights|fly|flying|flew|visit|visiting|tour|touring|vacation|"
    r"holiday|located|based)(?:[ \t]+(?:in|to|from|at|of|around))?"
    r"|(?:capital|city|town|county|village|province|district|region)[ \t]+of))[ \t,]*$")
_SAID = regex.compile(r"\b(?:says|said|asked|replied|wrote|adds|added)[ \t]+$")
_UNITS = ("tablespoons?|teaspoons?|tbsp|tsp|cups?|ounces?|oz|grams?|g|kg|pounds?|lbs?|ml|"
          "lit(?:er|re)s?|pinch|dash|cans?|bottles?|slices?|cloves?|pieces?|packs?|jars?")
_MEASURE = regex.compile(rf"(?:\bdegrees?|°|\d[\d.,/]*[ \t]+(?:{_UNITS}))[ \t]+$", regex.IGNORECASE)
_BULLET = regex.compile(r"(?m)^[ \t>]*(?:[-*+•]|\d{1,3}[.)]|[A-Za-z][.)])[ \t]+")
_FIELD_LABEL = regex.compile(r"([A-Za-z][A-Za-z ]{0,30}?)[ \t]*:[ \t]*$")
_PERSON_FIELDS = frozenset("""
name names author authors by from to cc bcc contact customer client patient agent user speaker
employee student teacher owner applicant sender recipient artist director writer host guest
member members manager reviewer signed signature witness assignee assigned requester reporter
approver attn attention dear hi hello candidate tenant landlord doctor nurse friend person people
address billing shipping delivery mailing account holder beneficiary payee nominee
""".split())
_INITIAL_STOP = regex.compile(r"\p{Lu}\.[ \t]+(\p{Lu}\p{Ll}+)")
_NOT_NAME_CHARS = regex.compile(r"[\d<>|&/+=@#*]")
_TAXON = regex.compile(r"\p{Lu}\p{Ll}+(?:idae|inae|aceae|iformes|oidea)$")
_CONNECTORS = frozenset("van von de da di der del la le bin al ibn".split())


def weigh_persons(text: str, ents: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """spaCy's entities of one text, less the PERSON spans that are no name; a span running over
    a line break is cut at it first (no name does)."""
    places = {text[s:e] for s, e, label in ents if label in ("LOCATION", "FAC")}
    places |= venue_name_words(text, ents)   # "Davis" of "The Davis Varsity Theatre"
    out = []
    for s, e, label in ents:
        if label == "PERSON":
            cut = text.find("\n", s, e)
            e = cut if cut > s else e
            e = _without_trailing_lower(text, s, e)
            if e <= s or not_a_name(text, s, e, places):
                continue
        out.append((s, e, label))
    return out


_TRAILING_LOWER = regex.compile(r"(?:[ \t]+\p{Ll}[\p{Ll}\p{M}]*)+[ \t]*$")


def _without_trailing_lower(text: str, start: int, end: int) -> int:
    """The span's end before lower-case words that close it: a name ends in a capitalised word,
    and the model's span often takes the Hindi postposition after it ("Sunita Iyer ko")."""
    m = _TRAILING_LOWER.search(text, start, end)
    return m.start() if m and m.start() > start else end


def not_a_name(text: str, start: int, end: int, places=frozenset()) -> bool:
    value = text[start:end].strip()
    if not value:
        return True
    if _NOT_NAME_CHARS.search(value) or _TAXON.search(value) or text[end:end + 1] in "®™©" and \
            end < len(text):
        return True      # "Princeton > Stanford", "Leg Crossover + Scorpion", "Kogiidae", "Viagra®"
    if _MEASURE.search(text, max(0, start - 40), start) or _INITIAL_STOP.fullmatch(value) and \
            _word(_INITIAL_STOP.fullmatch(value).group(1).lower()):
        return True
    if a_case_party(text, start, end):
        return True      # a case's name, however much it looks like a person's (eponyms.py)
    if _cued(text, start, end):
        return False
    if a_work(text, start, end) or named_venue(text, start, end):
        return True      # a title or a venue, though it holds a name (titles_of_works.py, dialogue.py)
    if _a_name_pair(value):
        return False
    return (a_weak_work(text, start, end) or names_a_thing(text, start, end) or _a_place(text, start, value, places)
            or _a_label(text, start, end, value) or _a_list_item(text, start, end) or _in_word_list(text, start, end)
            or _a_term(value) or product_or_venue(text, start, end) or doc_title(text, start, end)
            or a_doc_term(text, start, end) or a_place_or_venue(text, start, end))


def _cued(text: str, start: int, end: int) -> bool:
    """A cue or a greeting before the span, or a verb of a person after it."""
    if _GREETING.search(text, max(0, start - 20), start) or _PERSON_VERB.match(text, end) \
            or _SAID.search(text, max(0, start - 12), start):
        return True
    if any(m.start() <= start < m.end() or start <= m.start() < end for m in NAME_CUE.finditer(
            text, max(0, start - 40), min(len(text), end + 40))):
        return True
    return False


def _a_name_pair(value: str) -> bool:
    """A census given name and surname, or an Indian given name and surname."""
    from curate.pii.names import given_names, surnames

    words = [w.strip(".,'’") for w in value.split()]
    return len(words) >= 2 and (words[0] in given_names() and _strip_s(words[-1]) in surnames()
                                or is_indian_name(words[-2], _strip_s(words[-1])))


def _a_place(text: str, start: int, value: str, places) -> bool:
    """A country or state, a word called a place elsewhere, or what a word of travel leads to
    (before the span or as its first word: "Depart Seattle")."""
    from curate.pii.names import lone_given_names
    from curate.pii.places import _plain, regions

    first, _, rest = value.partition(" ")
    return (value in places or _plain(value) in regions() and value not in lone_given_names()
            or bool(_TRAVEL.search(text, max(0, start - 30), start))
            or bool(rest and _TRAVEL.fullmatch(first)))


# A greeting or a sign-off and the name after it: "Dear Olivia,", "Hi Aarav", "Thanks,\nAarav
# Kulkarni". spaCy often files these under ORG ("Dear Aarav") or finds nothing ("Dear Olivia,").
_NAME = r"\p{Lu}\p{Ll}+(?:[ \t]\p{Lu}\.?)?(?:[ \t]\p{Lu}\p{Ll}+){0,2}"
_GREETED = regex.compile(
    rf"(?m:^)[ \t]*(?i:dear|hi|hello|hey)[ \t]+({_NAME})(?=[ \t]*[,!:\n]|$)"
    rf"|(?i:thanks|thank you|regards|sincerely|cheers|best|warmly)[,!.]?[ \t]*\n?[ \t]*({_NAME})"
    rf"[ \t]*(?:[.!]?[ \t]*$|[.!]?[ \t]*\n)", regex.MULTILINE)
_NOT_GREETED = frozenset("""customer customers sir madam team all there everyone everybody friend
friends guys folks user users valued member members hiring manager support admin again so very
much for""".split())


def greeted_names(text: str) -> list[tuple[int, int, str]]:
    """Names after a greeting or in a sign-off, less words that name no one ("Dear Customer",
    "Dear Hiring Manager", "Thanks again") and dictionary words that are no given name."""
    from curate.pii.names import given_names

    out = []
    for m in _GREETED.finditer(text):
        k = 1 if m.group(1) else 2
        words = m.group(k).split()
        if any(w.lower() in _NOT_GREETED or (w not in given_names() and (
                _word(w.lower()) or w.lower() in _short_words())) for w in words):
            continue
        out.append((m.start(k), m.end(k), "PERSON"))
    return out


def _a_label(text: str, start: int, end: int, value: str) -> bool:
    """A label before a colon in a list item or a line of fields, or the title-cased value of a
    field whose label is no person field ("Main Dish: Chicken Teriyaki")."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    if regex.match(r"[ \t]*:", text[end:end + 3]):
        return bool(_BULLET.fullmatch(before) or regex.search(r"[,;][ \t]*$", before))
    label = _FIELD_LABEL.search(before)
    if not label or any(w.lower() in _PERSON_FIELDS for w in label.group(1).split()):
        return False
    if label.start() > 0 and not regex.search(r"(?:^|[,;|])[ \t]*$", before[:label.start()]) \
            and not _BULLET.fullmatch(before[:label.start()]):
        return False
    stop = regex.search(r"[,;|\n]", text[end:] + "\n").start()
    rest = text[start:end + stop].split()
    return all(w[:1].isupper() or w[:1].isdigit() for w in rest)


def _items(text: str, start: int) -> tuple[list[tuple[int, int]], int] | None:
    """The items (start, end of line) of the bulleted/numbered list around `start`, and the
    index of the item holding it; None when `start` heads no list item."""
    items = [(m.end(), (text.find("\n", m.end()) + 1 or len(text) + 1) - 1)
             for m in _BULLET.finditer(text)]
    for k, (s, e) in enumerate(items):
        if s == start:
            return items, k
    return None


def _a_list_item(text: str, start: int, end: int) -> bool:
    """The span heads a list item (the whole item, or before ":" or a dash) and most of the
    list's other items are no names: they hold lower-case words or dictionary words."""
    found = _items(text, start)
    if not found:
        return False
    items, k = found
    tail = text[end:items[k][1]].strip()
    if tail and not regex.match(r"[:–—-]|\(", tail):
        return False
    others = [text[s:e] for j, (s, e) in enumerate(items) if j != k]
    if len(others) < 2:
        return False
    return 2 * sum(_no_name(item) for item in others) > len(others)


def _no_name(item: str) -> bool:
    words = regex.findall(r"[\p{L}'’-]+", regex.split(r"[:(–—]| - ", item)[0])
    if not words or len(words) > 4:
        return True
    return any(w.islower() and w not in _CONNECTORS and len(w) >= 3 or _common(w) for w in words)


_COMMA_LIST = regex.compile(r"\p{Lu}[\p{L}'’-]*(?:,[ \t]+\p{Lu}[\p{L}'’-]*){2,}")


def _in_word_list(text: str, start: int, end: int) -> bool:
    """One word in a comma list of three or more capitalised words, most of them dictionary words
    ("Adjective, Adverb, Conjunction, Determiner, Noun")."""
    for m in _COMMA_LIST.finditer(text, max(0, start - 200), min(len(text), end + 200)):
        if m.start() <= start and end <= m.end():
            words = [w.strip() for w in m.group().split(",")]
            return 2 * sum(_common(w) for w in words) > len(words)
    return False


def _a_term(value: str) -> bool:
    """A name of a thing: its last word a common noun ("Spatula Set", "Mind Mapping") after a
    first word that is no given name, or one dictionary word that is no given name and a rare
    surname at most ("Glass", "Dessert")."""
    from curate.pii.names import given_names

    words = [w.strip(".,'’") for w in value.split()]
    if len(words) == 1:
        return _common(words[0])
    if any(len(w) == 1 for w in words):   # "Brad L Key", "Jildau S Bouts": an initial is a name's
        return False
    last = _strip_s(words[-1])
    return words[0] not in given_names() and last[:1].isupper() and (
        _word(last.lower()) and _surname_percent(last) < RARE_SURNAME)


def _common(word: str) -> bool:
    """A capitalised dictionary word of five letters or more, no given name, a rare surname."""
    from curate.pii.common_words import _given, english_words

    word = _strip_s(word.strip(".,'’"))
    return (word.istitle() and len(word) >= 5 and word.lower() in english_words()
            and word not in _given() and _surname_percent(word) < RARE_SURNAME)


def _strip_s(word: str) -> str:
    return regex.sub(r"['’]s?$", "", word)


def _word(lower: str) -> bool:
    from curate.pii.common_words import english_words

    return lower in english_words() or lower in _short_words()


@lru_cache(maxsize=1)
def _short_words() -> frozenset[str]:
    """Lower-case words of two to four letters of SCOWL's american-english list (Debian
    wamerican 2020.12.07, the source of english_words.txt.gz, whose copy keeps longer words)."""
    data = resources.files("curate.pii").joinpath("short_words.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("ascii").split())


@lru_cache(maxsize=1)
def _surnames_percent() -> dict[str, float]:
    from curate.pii.names import _census

    return _census("dist.all.last")


def _surname_percent(word: str) -> float:
    return _surnames_percent().get(word.capitalize(), 0.0)
