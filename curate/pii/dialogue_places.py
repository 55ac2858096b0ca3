"""Where a dialogue says a name is a place or a venue: the weather there, the way to it, its area.

Why: in-car assistant and restaurant-search dialogues (KVRET, WOZ 2.0, the Schema-Guided
Dialogue) name towns, shops and restaurants far more than people, and the small English model
reads most of them as persons: "Will it be humid in Compton?", "We're 3 miles away from Chef
Chu's", "Thanh Binh is in the west area", "How about Prezzo?
They serve Italian food", a bare "Durham" in answer to "What city are you interested in?". What
the sentence says of the name is what only a place or a business has: weather, a distance, a
route, a part of town, a cuisine, a price, or a list it is in whose next names are venues ("They
are Cocum and India House"). A town named in a query identifies no one under the
address policy (curate.pii.places), and a business is no natural person.

A lone census or Indian given name is never judged so ("Martha is nearby", "a ride to Priya"):
a contact in a calendar or a friend on the way stays a person. Cues ("my name is", "Dear", a
verb of a person) are weighed before these signals (person_evidence), so they still win.
"""
from __future__ import annotations

import regex

from curate.pii.dialogue import VENUE_WORDS

# The weather of a place: "humid in Compton", "misty on Friday in Exeter", "the forecast for Durham".
_WEATHER = regex.compile(
    r"(?i:\b(?:weather|forecast|temperatures?|(?:rain|snow|hail|drizzl|freez|storm)\w*|humid|humidity|misty|"
    r"foggy|windy|sunny|cloudy|overcast|chilly|hot|cold|warm|cool|dew)(?:[ \t]+[\p{L}\d'’]+){0,4}?"
    r"[ \t]+in|\b(?:weather|forecast|temperatures?)(?:[ \t]+[\p{L}\d'’]+){0,2}?[ \t]+for)[ \t]+$")
# A distance or a route from here: "3 miles away from X", "the route to X", "pick it up from X".
_FROM = regex.compile(
    r"(?i:\b\d+(?:\.\d+)?[ \t]+(?:miles?|mi|km|kilomet(?:er|re)s?|minutes?)[ \t]+(?:away[ \t]+)?from"
    r"|\b(?:pick(?:ing|ed)?[ \t]+(?:it|them|him|her|me|us)[ \t]+up|pick(?:ing|ed)?[ \t]+up|plane|flight|flights|"
    r"trip|train|bus|ride|leaving|departing)[ \t]+(?:from|at))[ \t]+$")
_PARTS = r"(?:north|south|east|west|centre|center|north[ \t]*east|north[ \t]*west|south[ \t]*east|south[ \t]*west)"
# What the sentence goes on to say of it: in a part of town, one of the venues. Not "is nearby" or
# "is on the way": a friend is too ("Kowalski is nearby today").
_SAID_OF_IT = regex.compile(
    r"(?i:(?:['’]s)?[ \t]+(?:is|are)[ \t]+(?:(?:located[ \t]+)?(?:all[ \t]+)?in[ \t]+the[ \t]+"
    + _PARTS + r"(?:ern)?(?:[ \t]+(?:area|part|side|end))?\b|(?:all[ \t]+)?in[ \t]+(?:that|this|the)[ \t]+area\b|one[ \t]+of[ \t]+the[ \t]+(?:[\p{L}-]+[ \t]+){0,3}?(?:"
    + "|".join(sorted(VENUE_WORDS)) + r")\b))")
# The next sentence of the same turn speaks of it as a business: "How about Prezzo? They serve
# Italian food", "How about Charlie Chan? It is cheap and delicious.", "You can call them at".
_THEN_BUSINESS = regex.compile(
    r"[ \t]*[?.!][ \t]*(?i:(?:they|it|its|their)\b[^.?!\n]{0,50}?\b(?:serves?|serving|cheap|expensive|"
    r"priced|price[ \t]+range|located|food|cuisine|menu)\b|you[ \t]+can[ \t]+call[ \t]+them\b|what[ \t]+is[ \t]+"
    r"their[ \t]+(?:address|phone|number|post[ \t]*code)\b)")
# A turn that asks which town: the next turn's bare name answers it.
_ASKS_TOWN = regex.compile(r"(?i)\b(?:what|which)[ \t]+(?:city|town|location|place)\b|\bwhere[ \t]+(?:are|do|will)[ \t]+you\b")
_ANSWER_WORDS = frozenset("for in at the city town of please i want to be know about it's its is how about".split())


def then_a_business(text: str, end: int) -> bool:
    """The next sentence speaks of the span as a business ("How about X? It is cheap")."""
    return bool(_THEN_BUSINESS.match(text, end))


def a_place_or_venue(text: str, start: int, end: int) -> bool:
    """Whether the sentence says text[start:end] is a place or a venue (module docstring)."""
    if _lone_given_name(text[start:end]):
        return False
    before = text[max(0, start - 60):start]
    return bool(_WEATHER.search(before) or _FROM.search(before) or _SAID_OF_IT.match(text, end)
                or _THEN_BUSINESS.match(text, end)) or listed_with_a_venue(text, start, end)


def answers_a_town_question(question: str, answer: str, start: int, end: int) -> bool:
    """Whether `answer` is little more than the span, in answer to a turn asking which town or
    place ("What city are you interested in?" / "Compton." / "For Compton please")."""
    if not _ASKS_TOWN.search(question) or _lone_given_name(answer[start:end]):
        return False
    rest = regex.findall(r"\p{L}+(?:['’]\p{L}+)?", answer[:start] + " " + answer[end:])
    return len(rest) <= 4 and all(w.lower() in _ANSWER_WORDS for w in rest)


def _lone_given_name(value: str) -> bool:
    from curate.pii.indian_names import _lists
    from curate.pii.names import given_names

    value = value.strip(".,'’")
    return " " not in value and (value in given_names() or value in _lists()[0])


# A list of names in a sentence ("They are Cocum and India House", "Rice House, Cotto and Golden
# House", "Cote or Restaurant Two Two"): the items are of one kind, and an item that holds a venue
# word names a business. "house" ends many a restaurant's name (Chop House, Rice House).
_LIST_SEP = regex.compile(r"[ \t]*(?:,[ \t]*(?:(?:and|or)[ \t]+)?|[ \t]and[ \t]+|[ \t]or[ \t]+)[ \t]*")
_LIST_WORDS = "|".join(sorted(VENUE_WORDS | {"house"}))
_RUN = (r"(?:[Tt]he[ \t]+)?\p{Lu}[\p{L}'’.-]*(?:[ \t]+(?:\p{Lu}[\p{L}'’.-]*|\d+|one|two|of|de|la|(?i:"
        + _LIST_WORDS + r")))*")
_LEADING_RUN = regex.compile(_RUN)
_TRAILING_RUN = regex.compile(r"(?:^|[ \t])(" + _RUN + r")$")
_HOLDS_A_VENUE = regex.compile(r"(?i)(?<![\p{L}])(?:" + _LIST_WORDS + r")(?![\p{L}])")
_END = regex.compile(r"[.!?\n](?=[ \t\n]|$)")
_PREDICATE = regex.compile(r"[ \t]+(?:are|is|were|was|for|in|on|at|near|which|that|serving|located|both|all)\b|[ \t]*\d")


def listed_with_a_venue(text: str, start: int, end: int) -> bool:
    """Whether the span ends an item of a list of names ("and", "or", commas) in its sentence
    whose items next to it, in a run of names, include one holding a venue word."""
    if _lone_given_name(text[start:end]):
        return False
    s = max((m.end() for m in _END.finditer(text, 0, start)), default=0)
    stop = _END.search(text, end)
    e = stop.start() if stop else len(text)
    bounds, pos = [], s
    for m in list(_LIST_SEP.finditer(text, s, e)) + [None]:
        bounds.append((pos, m.start() if m else e))
        pos = m.end() if m else e
    k = next((i for i, (a, b) in enumerate(bounds) if a <= start and end <= b), None)
    if k is None or not regex.fullmatch(r"(?:['’]s)?(?:[ \t]+\p{Lu}[\p{L}'’.-]*)*", text[end:bounds[k][1]]):
        return False
    return _venue_among(text, bounds[k + 1:], _LEADING_RUN) or _venue_among(text, bounds[:k][::-1], _TRAILING_RUN)


def _venue_among(text: str, items, run) -> bool:
    """Walking away from the span: an item whose name run holds a venue word, before a non-name."""
    for a, b in items:
        m = run.search(text, a, b) if run is _TRAILING_RUN else run.match(text, a, b)
        if not m:
            return False
        name, rest = m.group(m.lastindex or 0), text[m.end():b]
        if _HOLDS_A_VENUE.search(name) and (run is _TRAILING_RUN or not rest.strip() or _PREDICATE.match(rest)):
            return True   # not "with Priya Shah and the Golden House team"
        if name != text[a:b].strip():
            return False   # the list ends with this item: "such as Rice House" / "Prezzo are all in"
    return False
