"""A value one turn calls a venue or a work is no person in the other turns of its dialogue.

Why: the pass spreads a value found in one turn to every turn of its record (curate.pii.spread),
and the turn where the small English model calls a venue or a film a person is often the one that
says least: "How about Meghna?", "I found Meghna in the centre", "I like to see Dune". Other turns
of the same dialogue say what it is ("Meghna is a moderately priced Indian restaurant", "two
tickets to Dune", "humid in Compton", a bare "Compton." in answer to "What city?":
dialogue_places), and the name went from all of them. So, per record (or conversation), before
values spread: a PERSON value that some text calls a venue or a work (dialogue.named_venue,
titles_of_works.a_work, with the value standing alone, not inside a longer name: "Meera's Kitchen"
says nothing of "Meera") and that no text cues as a person ("my name is", a greeting, a verb of a
person), and whose first word is no census or Indian given name unless a turn says what only a
venue is ("Charlie Chan is one of the cheap Chinese restaurants", "Frankie and Bennys is an
expensive Italian eatery", "How about Charlie Chan? It is cheap": venue_facts.a_venue,
dialogue_places.then_a_business), is dropped everywhere in that record. A customer's name is
cued somewhere in nearly every booking ("booking under Ravi", "Thanks, Ravi"), and then it goes
in every turn as before.
"""
from __future__ import annotations

import re

import regex

from curate.pii.dialogue import named_venue
from curate.pii.dialogue_places import a_place_or_venue, answers_a_town_question, then_a_business
from curate.pii.titles_of_works import a_work
from curate.pii.venue_facts import a_venue

_CAPITALISED_BEFORE = regex.compile(r"(\p{Lu}[\p{L}'’.-]*)[ \t]+$")
_CAPITALISED_AFTER = regex.compile(r"(?:['’]s?)?[ \t]+\p{Lu}|['’]")


def things_named(pairs) -> set[str]:
    """The PERSON values of a record's (text, spans) pairs that a text calls a venue or a work and
    none cues as a person, and the business contacts given in answer (`business_answers`)."""
    from curate.pii.person_evidence import _cued

    values = {t[s.start:s.end] for t, spans in pairs for s in spans if s.entity == "PERSON"}
    out = set()
    for value in values:
        where = [(k, t, m.start(), m.end()) for k, (t, _) in enumerate(pairs)
                 for m in re.finditer(r"(?<!\w)" + re.escape(value) + r"(?!\w)", t)]
        if any(_cued(t, s, e) for _, t, s, e in where) or _a_given_name(value) and not any(
                _alone(t, s, e) and (a_venue(t, s, e) or then_a_business(t, e)) for _, t, s, e in where):
            continue   # a given name needs a turn that says it is a venue ("Charlie Chan is a cheap restaurant")
        if any(_alone(t, s, e) and (named_venue(t, s, e) or a_work(t, s, e) or a_place_or_venue(t, s, e)
                                    or k and answers_a_town_question(pairs[k - 1][0], t, s, e))
               for k, t, s, e in where):   # dialogue_places.py: its weather, the way to it, its area
            out.add(value)
    out |= {v for v in values if v[-2:] in ("'s", "’s") and v[:-2] in out}   # "Charlie Chan's phone number is"
    return out | business_answers(pairs, out)


def business_answers(pairs, things=frozenset()) -> set[str]:
    """Phone numbers and addresses a turn gives in answer to a turn that asks for a business's
    (venue_facts.asks_for_business_contact), in sentences that name no person, wherever they occur
    in the record: "What is their phone number?" / "The phone number is 01223 323737."."""
    from curate.pii.venue_facts import asks_for_business_contact, neutral_contact

    answers, seen = set(), {}
    for k, (text, spans) in enumerate(pairs):
        for s in spans:
            if s.entity in _CONTACTS:
                value = text[s.start:s.end]
                ok = neutral_contact(text, s.start, s.end) and seen.get(value, True)
                seen[value] = ok
                if ok and k and asks_for_business_contact(pairs[k - 1][0], things):
                    answers.add(value)
    return {v for v in answers if seen[v]}


_CONTACTS = ("PHONE", "LOCATION")


def without_things(spans_by_text: dict, texts, things: set[str]) -> dict:
    """`spans_by_text` for `texts`, less the PERSON spans whose value is one of `things` and the
    phone numbers and addresses that are."""
    return {t: [s for s in spans_by_text.get(t, []) if not (s.entity in ("PERSON", *_CONTACTS)
                                                           and t[s.start:s.end] in things)]
            for t in texts}


def _a_given_name(value: str) -> bool:
    """A value led by a census or Indian given name ("Meera Pillai", "Ali Baba") is left to the
    per-text rules: one turn's venue or title shape is too little against a name."""
    from curate.pii.indian_names import _lists
    from curate.pii.names import given_names

    first = value.split()[0].strip(".,'’") if value.split() else ""
    return first in given_names() or first in _lists()[0]


def _alone(text: str, start: int, end: int) -> bool:
    """The value is no part of a longer capitalised name around it ("The" may lead it)."""
    before = _CAPITALISED_BEFORE.search(text, max(0, start - 40), start)
    if before and before.group(1) not in ("The", "A", "An"):
        return False
    return not _CAPITALISED_AFTER.match(text, end)
