"""What a dialogue says about a business: its listed phone and address, and what it is.

Why: restaurant-search dialogues (WOZ 2.0's Cambridge restaurants, the Schema-Guided Dialogue's
venues) read out a venue's facts in a row: "Nandos is a cheap Portuguese restaurant in the south.
The phone number is 01223 327908. Their address is Cambridge Leisure Park Clifton Way." The pass
replaced the number (its sentence names no one, so `dialogue.business_phone` could not tell), the
town in the address (an address sentence makes a place personal under the address policy) and the
venue's name (spaCy calls it a person). None of it identifies a natural person: GDPR and HIPAA
protect people, and a restaurant's listed line and street are public facts about a business.

- A phone number or an address whose own sentence names no person (no first person, no he/she,
  no customer or family noun, no delivery/billing/home address) belongs to the business when that
  sentence points at a third party or a venue and at no person, or the sentence just before it
  in the same text says what a business is or does and names no person ("... is a cheap
  restaurant in the south. The phone number is ..."; a venue word alone is not enough: "Airport
  shuttle driver\nPhone: ..." is a person's card). A number
  alone ("The number is 415-789-2210.") or after "I'm at the hotel." is still replaced.
- A span is a venue when its predicate says what only a business is or does: "X is a moderately
  priced Indian restaurant", "X is one of the cheap Chinese restaurants", "X serves Korean food",
  "X is in the expensive price range". The subject may run on past the span, since spaCy often
  takes only the head of a venue's name for a person: "la margherita is an italian restaurant",
  "dojo noodle bar is a cheap restaurant", "Frankie and Bennys is an expensive Italian eatery"
  (at most three words, none a function word, an adverb or a person noun: "Ravi's wife is a
  restaurant owner" stays a person). A cue ("my name is", a greeting, a verb of a person) still
  makes it a person (person_evidence).
"""
from __future__ import annotations

import regex

from curate.pii.dialogue import _PERSON_NOUNS, _PERSONAL, _PLACES, _THIRD_PARTY, VENUE_WORDS

_SENTENCE = regex.compile(r"[.!?\n](?=\s|$)")
# Addresses a person has: where a parcel goes, where a bill is sent, where one lives.
_OWN_ADDRESS = regex.compile(r"(?i)\b(?:delivery|deliver|shipping|ship|billing|home|mailing|residential|"
                             r"postal|pickup|pick-up|drop|parcel|courier|live|lives|living|stay|stays)\b")
# "it's phone number", "there address" are common misspellings of "its", "their".
_ITS = regex.compile(r"(?i)\b(?:it['’]s|there)[ \t]+(?:phone|number|address|post[ \t]*code|telephone)\b")
# "It's located in the south", "It is situated at": a thing's place.
_IT_IS = regex.compile(r"(?i)\b(?:it(?:['’]s|[ \t]+is)|is|are)[ \t]+(?:located|situated)\b")
# "Is there anything else I can help you with?": the agent's offer, no person's contact.
_SERVICE = regex.compile(r"(?i)\b(?:(?:can|may|could|shall)[ \t]+i[ \t]+(?:help|assist|do|be)|(?:anything|something)"
                         r"(?:[ \t]+else)?[ \t]+(?:that[ \t]+)?i[ \t]+can[ \t]+(?:help|assist|do)|how[ \t]+(?:can|may)"
                         r"[ \t]+i[ \t]+(?:help|assist))\b")
_CONTACT = regex.compile(r"(?i)\b(?:phone|number|telephone|address|post[ \t]*code|contact)\b")
_OWN_CONTACT = regex.compile(r"(?i)\b(?:my|our|your|his|her|mine)[ \t]+(?:[\p{L}-]+[ \t]+)?"
                             r"(?:phone|number|telephone|address|contact|cell|mobile)\b")
# An agent asking for the customer's number ("a contact number for the hotel booking", "so we can
# reach you"): the answer is the customer's, though a venue word is in the question.
_FOR_A_BOOKING = regex.compile(r"(?i)\b(?:booking|bookings|reservation|reservations|order|orders|account|delivery|"
                               r"callback|call[ \t]+you|reach[ \t]+you|contact[ \t]+you|registered|contact[ \t]+number|"
                               r"provide|share)\b")
_VENUE = "|".join(sorted(VENUE_WORDS | _PLACES))
_NOT_MODIFIER = frozenset("at in on of for with from by to and or but who which that whose my his her".split())
_IS_A_VENUE = regex.compile(
    r"(?:['’]s)?[ \t]+(?:is|was)[ \t]+(?:a|an|the|one[ \t]+of[ \t]+the)[ \t]+((?:[\p{L}-]+[ \t]+){0,4}?)"
    rf"(?:{_VENUE})(?=[ \t]*(?:[.,;:!?)\n]|$|in\b|on\b|at\b|that\b|which\b|located\b|serving\b|with\b|and\b|near\b))",
    regex.IGNORECASE)
_SERVES = regex.compile(r"[ \t]+(?:serves|serving|offers)[ \t]+(?:[\p{L}-]+[ \t]+){0,3}?"
                        r"(?:food|cuisine|dishes|meals)\b", regex.IGNORECASE)
_PRICE = regex.compile(r"[ \t]+(?:is|are)[ \t]+(?:in[ \t]+the[ \t]+)?(?:[\p{L}-]+[ \t]+){0,2}?"
                       r"price[ \t]+range\b|[ \t]+(?:is|are)[ \t]+(?:cheap|expensive|moderately[ \t]+priced)\b",
                       regex.IGNORECASE)


def business_contact(text: str, start: int, end: int) -> bool:
    """Whether a phone number or address at text[start:end] is a business's (module docstring)."""
    sentences = _sentences(text)
    k = next(i for i, (s, e) in enumerate(sentences) if s <= start < max(e, s + 1) or i == len(sentences) - 1)
    own = text[sentences[k][0]:start] + " " + text[end:sentences[k][1]]
    if _names_a_person(own):
        return False
    if _points_at_business(own):
        return True
    if k == 0:
        return False
    before = text[slice(*sentences[k - 1])]   # says what a business is or does, not a word of one
    return not _names_a_person(before) and _describes_business(before)


def neutral_contact(text: str, start: int, end: int) -> bool:
    """The sentence of a phone number or address names no person (it may name no business)."""
    sentence = next((s, e) for s, e in _sentences(text) if start < max(e, s + 1)) if text else (0, 0)
    return not _names_a_person(text[sentence[0]:start] + " " + text[end:sentence[1]])


def asks_for_business_contact(question: str, things=frozenset()) -> bool:
    """A turn that asks for a business's number or address: "What is their phone number?", "the
    address of the restaurant", "the number for <a venue named elsewhere>"; not for anyone's own
    ("my number", "your address"), not the customer's for a booking ("a contact number for the
    hotel booking", "please share"), and not a person's ("Priya's number": no venue word)."""
    if not _CONTACT.search(question) or _OWN_CONTACT.search(question) or _FOR_A_BOOKING.search(question):
        return False
    words = regex.findall(r"\p{L}+", question.lower())
    return bool(_THIRD_PARTY.search(question) or _ITS.search(question)) or any(
        w in VENUE_WORDS or w in _PLACES for w in words) or any(t in question for t in things)


def a_venue(text: str, start: int, end: int) -> bool:
    """Whether the predicate after a PERSON span, or after the rest of the name it heads, says it
    is a venue (module docstring)."""
    return any(_venue_predicate(text, at) for at in _name_ends(text, end))


def _venue_predicate(text: str, end: int) -> bool:
    m = _IS_A_VENUE.match(text, end)
    if m and not any(w in _NOT_MODIFIER or w in _PERSON_NOUNS for w in m.group(1).lower().split()):
        return True
    return bool(_SERVES.match(text, end) or _PRICE.match(text, end))


# A word that may go on a venue's name after the span ("margherita", "noodle bar", "and Bennys").
_NAME_WORD = regex.compile(r"[ \t]+(?:(?:and|&)[ \t]+)?([\p{L}][\p{L}'’-]*)")


def _name_ends(text: str, end: int) -> list[int]:
    """`end`, and the ends of up to three more words of the name the span may head."""
    from curate.pii.dialogue import _FUNCTION

    ends = [end]
    for _ in range(3):
        m = _NAME_WORD.match(text, ends[-1])
        word = m and m.group(1).lower()
        if not m or word in _FUNCTION or word in _NOT_MODIFIER or word in _PERSON_NOUNS or word.endswith("ly") \
                or word[-2:] in ("'s", "’s"):
            break
        ends.append(m.end())
    return ends


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, s = [], 0
    for m in _SENTENCE.finditer(text):
        bounds.append((s, m.start()))
        s = m.end()
    bounds.append((s, len(text)))
    return bounds


def _names_a_person(sentence: str) -> bool:
    sentence = _SERVICE.sub(" ", sentence)   # the agent's offer names no one's contact
    words = regex.findall(r"\p{L}+", sentence.lower())
    return bool(_PERSONAL.search(sentence) or _OWN_ADDRESS.search(sentence)
                or any(w in _PERSON_NOUNS for w in words))


def _describes_business(sentence: str) -> bool:
    """"They serve Thai food", "X is a cheap restaurant", "It's located in the south": a sentence
    about a business, not one that only holds a venue word ("Airport tower controller")."""
    return bool(_THIRD_PARTY.search(sentence) or _IT_IS.search(sentence) or _SERVES.search(sentence)
                or _PRICE.search(sentence) or any(a_venue(sentence, m.start(), m.start())
                                                  for m in regex.finditer(r"[ \t]+(?:is|was)[ \t]", sentence)))


def _points_at_business(sentence: str) -> bool:
    words = regex.findall(r"\p{L}+", sentence.lower())
    return bool(_THIRD_PARTY.search(sentence) or _ITS.search(sentence) or _IT_IS.search(sentence)
                or _SERVES.search(sentence) or _PRICE.search(sentence)) or any(
        w in VENUE_WORDS or w in _PLACES for w in words)
