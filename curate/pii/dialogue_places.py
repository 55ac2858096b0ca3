"""Where a dialogue says a name is a place or a venue: the weather there, the way to it, its area.

Why: in-car assistant and restaurant-search dialogues (KVRET, WOZ 2.0, the Schema-Guided
Dialogue) name towns, shops and restaurants far more than people, and the small English model
reads most of them as persons: "Will it be humid in Compton?", "We're 3 miles away from Chef
Chu's", "Thanh Binh is in the west area", "How about Prezzo?
They serve Italian food", a bare "Durham" in answer to "What city are you interested in?". What
the sentence says of the name is what only a place or a business has: weather, a distance, a
route, a part of town, a cuisine, a price. A town named in a query identifies no one under the
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


def a_place_or_venue(text: str, start: int, end: int) -> bool:
    """Whether the sentence says text[start:end] is a place or a venue (module docstring)."""
    if _lone_given_name(text[start:end]):
        return False
    before = text[max(0, start - 60):start]
    return bool(_WEATHER.search(before) or _FROM.search(before) or _SAID_OF_IT.match(text, end)
                or _THEN_BUSINESS.match(text, end))


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
