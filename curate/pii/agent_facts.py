"""Phone numbers and addresses an agent reads out in a venue dialogue are the venues' listings.

Why: in restaurant and hotel search dialogues (WOZ 2.0, the Schema-Guided Dialogue) the customer
asks "phone number please" and the agent answers "It's 01223 323737." or "I have thanh binh on the
west side, 01223 362456": the number and street are a business's public listing, which GDPR and
HIPAA do not protect. The sentence rules (venue_facts) cannot see that in such short answers: the
question names no venue ("What is the phone number?") or the agent speaks in the first person ("I
have ...", "I would recommend ..."). The speaker can: a customer gives their own number, the
agent looks up a venue's.

So, in a record (or conversation) of several turns where a turn names a kind of venue
(dialogue.VENUE_WORDS: restaurant, hotel, ...), a PHONE or LOCATION value is kept when every
place it occurs is an `assistant` turn and no sentence it sits in ties it to a person: a
possessive ("your number", "his address"), calling or reaching someone ("we'll call you at",
"reach me on"), a customer or family noun, a person's home or delivery address, or a PERSON
found in the same sentence. A number the customer gave is replaced in every turn, the agent's
read-back included; so is one the agent ties to the customer ("I have your number as ...",
"the driver will call you at ...").
"""
from __future__ import annotations

import regex

from curate.pii.dialogue import _PERSON_NOUNS, _PLACES, VENUE_WORDS
from curate.pii.venue_facts import _OWN_ADDRESS, _OWN_CONTACT, _SERVICE, _sentences

_CONTACTS = ("PHONE", "LOCATION")
_CALLS = regex.compile(r"(?i)\b(?:call|calls|calling|reach|reached|contact|text|texts|ring|message|sms|whatsapp)"
                       r"[ \t]+(?:you|me|him|her|them|us)\b|\b(?:you|me|him|her)[ \t]+(?:at|on)\b")
_WORD = regex.compile(r"\p{L}+")
# Phrases that hold a person word or an address word and tie the contact to no one.
_IDIOMS = regex.compile(r"(?i)\bin[ \t]+person\b|\bpost(?:al)?[ \t]*codes?\b")
# "a restaurant called X", "a pizzeria named X": a PERSON found in the sentence says it of a person.
_NOUNS = _PERSON_NOUNS - {"named", "called"}


def agent_listings(records, pairs) -> set[str]:
    """The PHONE/LOCATION values of `pairs` ((text, spans) of one record or conversation) that
    only assistant turns give, in sentences that tie them to no person (module docstring)."""
    roles = _roles(records)
    texts = [t for t, _ in pairs]
    if len(roles) < 2 or not any(_venue_word(t) for t in texts):
        return set()
    kept, refused = set(), set()
    for text, spans in pairs:
        for s in spans:
            if s.entity not in _CONTACTS:
                continue
            value = text[s.start:s.end]
            agent = roles.get(text) == {"assistant"}
            (kept if agent and not _tied_to_person(text, s.start, s.end, spans) else refused).add(value)
    return kept - refused


def _roles(records) -> dict[str, set[str]]:
    """Each message content of the records -> the roles it is said in."""
    out: dict[str, set[str]] = {}
    for record in records:
        for m in record.messages:
            if isinstance(m.get("content"), str):
                out.setdefault(m["content"], set()).add(m.get("role", ""))
    return out


def _venue_word(text: str) -> bool:
    return any(w in VENUE_WORDS or w in _PLACES for w in _WORD.findall(text.lower()))


def _tied_to_person(text: str, start: int, end: int, spans) -> bool:
    s, e = next(((a, b) for a, b in _sentences(text) if start < max(b, a + 1)), (0, len(text)))
    # the agent's offer ("anything else I can help you with?") and "in person" tie it to no one
    around = _IDIOMS.sub(" ", _SERVICE.sub(" ", text[s:start] + " " + text[end:e]))
    if _OWN_CONTACT.search(around) or _CALLS.search(around) or _OWN_ADDRESS.search(around):
        return True
    if any(w in _NOUNS for w in _WORD.findall(around.lower())):
        return True
    return any(x.entity == "PERSON" and s <= x.start < e for x in spans)
