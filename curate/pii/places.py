"""Which places are personal data: the LOCATION policy of the pii pass.

Why address-level by default: a country, state or city named in a query identifies no one ("do i
need a visa to go to Syria", "flight from Delhi to Mumbai"); replacing it destroyed 11% of the
short travel/weather intent queries of one set and made distinct queries look like duplicates.
HIPAA's Safe Harbor method (45 CFR 164.514(b)(2)(i)(B)) removes geographic subdivisions smaller
than a state (street address, city, county, ZIP code), and GDPR (Art. 4(1)) counts location data
as personal when it relates to an identifiable person; in support text that is an address or a
place of residence ("I live in Kothrud, Pune", "Flat 12, MG Road ... 560038"), not a destination.
So with `locations: address` a place is replaced only in a sentence that gives an address or a
residence, and never when it is a country, a state or province or a continent (Safe Harbor keeps
the state; "I live in the US" identifies no one): the names come from ISO 3166 (package
`pycountry`). `locations: all` replaces every place NER finds (closer to Safe Harbor's city
rule). Planets are never places of a person.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

LOCATION_POLICIES = ("address", "all")

# Residence and address cues in English, Hinglish and Hindi, and address parts: house numbers,
# street designators, an Indian PIN code after a comma or the word PIN, a UK/US postcode.
# "rehta hai" alone is "stays" ("common rehta hai": stays common); a residence says where: "... mein
# rehta hoon".
_ADDRESS = regex.compile(r"""
    \b(?:i|we)\s+(?:live|stay|reside|lived|stayed)\s+(?:in|at|near|on)\b
  | \b(?:my|our|home|residential|postal|mailing|billing|shipping|delivery)\s+address\b
  | \baddress\s*(?:is|:|-)
  | \b(?:residing|resident|living)\s+(?:at|in|of)\b
  | \b(?:mein|me|mai|main|men)\s+(?:rehta|rehti|rahta|rahti|rehte|rahte)\s+(?:hu|hoon|hun|hain|hai|hoo)\b
  | \b(?:mera|hamara|humara)\s+(?:ghar|pata|address)\b
  | रहता|रहती|रहते|मेरा\s+पता|पता\s*:
  | \b(?:flat|house|plot|door|apt|apartment|h\.?\s*no|room|floor)\.?\s*(?:no\.?\s*)?[#:]?\s*\d
  | \b\d+[a-z]?(?:[/-]\d+)?,?\s+(?:\p{Lu}[\p{L}.]*\s+){1,3}
      (?:street|st|road|rd|lane|ln|avenue|ave|marg|nagar|colony|layout|sector|cross|main|drive
        |boulevard|blvd|way|place|gali|chowk|society)\b
  | (?:,|\bpin(?:\s*code)?\s*:?|\bpincode\s*:?)\s*[1-9]\d{2}\s?\d{3}\b
  | \b\p{Lu}{1,2}\d{1,2}\p{Lu}?\s\d\p{Lu}{2}\b
""", regex.IGNORECASE | regex.VERBOSE)
_SENTENCE_END = regex.compile(r"[.!?\u0964\n]")
NOT_PLACES = frozenset("earth mars moon sun venus jupiter saturn mercury neptune uranus pluto".split())


# The place named in a statement of residence, which NER often misses in Hindi and Hinglish:
# "मैं कोथरूड, पुणे में रहता हूँ", "main Kothrud, Pune me rehta hu", "I live in Salt Lake, Kolkata".
_PLACE_WORDS = r"(?:\p{Lu}[\p{L}\p{M}.]*|[\u0900-\u097F]+)"
_PLACE = rf"{_PLACE_WORDS}(?:,?[ \t]{_PLACE_WORDS}){{0,3}}"
_NOT_PLACE_WORDS = frozenset("मैं हम अभी भी तो मेरा मेरी हमारा यहाँ यहां वहाँ वहां I We".split())
_RESIDENCE = regex.compile(
    rf"(?P<p>{_PLACE})[ \t]+(?:में|मे)[ \t]+(?:रहता|रहती|रहते)"
    rf"|(?-i:(?P<p>{_PLACE}))[ \t]+(?:mein|me|mai|main)[ \t]+(?:rehta|rehti|rahta|rahti|rehte|rahte)\b"
    rf"|\b(?:i|we)[ \t]+(?:live|stay|reside)[ \t]+(?:in|at)[ \t]+(?-i:(?P<p>{_PLACE}))",
    regex.IGNORECASE)


_RESIDENCE_WORDS = ("रह", "reht", "raht", "live", "stay", "reside")


def residence_places(text: str) -> list[tuple[int, int]]:
    """Spans of the places of residence that a statement of residence names."""
    folded = text.casefold()
    if not any(word in folded for word in _RESIDENCE_WORDS):   # the regex is slow; most
        return []                                               # texts have none of these
    out = []
    for m in _RESIDENCE.finditer(text):
        start, end = m.span("p")
        words = text[start:end].split()
        while words and words[0].rstrip(",") in _NOT_PLACE_WORDS:
            start += len(words.pop(0)) + 1
        if words and _plain(text[start:end]) not in regions():
            out.append((start, end))
    return out


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right = _SENTENCE_END.search(text, end)
    return left, right.start() if right else len(text)


# Subdivision types at the level of a state (ISO 3166-2 names them per country).
_STATE_TYPES = frozenset({"State", "Province", "Union territory", "Territory", "Country", "Nation",
                          "Land", "Autonomous region", "Autonomous community", "Regional state",
                          "Republic", "Federal district", "Region", "Canton"})
_REGIONS = ("europe asia africa america americas oceania antarctica australia eu eea uk usa us "
            "u.s. u.s.a. u.k. uae britain great britain european union european economic area "
            "middle east north america south america latin america scandinavia")


def _plain(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.casefold())
    name = "".join(c for c in folded if not unicodedata.combining(c))
    return regex.sub(r"^the\s+", "", name.strip(" .,"))


@lru_cache(maxsize=1)
def regions() -> frozenset[str]:
    """Names of countries, states/provinces and continents: places that identify no one."""
    import pycountry

    names = set(_REGIONS.split()) | {"great britain", "european union", "european economic area",
                                     "middle east", "north america", "south america",
                                     "latin america", "united states", "united kingdom"}
    for country in pycountry.countries:
        names |= {getattr(country, key) for key in ("name", "official_name", "common_name")
                  if hasattr(country, key)}
    names |= {sub.name for sub in pycountry.subdivisions if sub.type in _STATE_TYPES}
    return frozenset(_plain(n) for n in names)


def personal_place(text: str, start: int, end: int, policy: str) -> bool:
    """Whether the place text[start:end] is to be replaced under `policy`."""
    name = _plain(text[start:end])
    if name in NOT_PLACES:
        return False
    if policy == "all":
        return True
    return name not in regions() and bool(_ADDRESS.search(text, *_sentence(text, start, end)))
