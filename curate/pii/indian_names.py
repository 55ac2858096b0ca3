"""Indian names written in English text: a given name and a surname side by side.

Why: our users' support tickets, case notes and prescriptions name Indian people in English
("Call Anjali Mehta 20 minutes before", "explain it to Rohan Verma", "Meera Nair needs 5 mg").
spaCy's small English model misses most of them — it labels nothing, or calls the pair an
organisation — and the US census lists behind curate/pii/names.py hold none of "Rahul", "Priya",
"Anjali". Faker's en_IN lists (MIT; package data `indian_names.txt`, 531 given names, 537
surnames) fill the gap, but neither word alone is evidence: many given names are Hindi words
("Asha" hope, "Diya" lamp) and many surnames are English ones ("Doctor", "Master", "Tank"). The
pair is: two adjacent capitalised words where

- the first is a listed given name and the second a listed or census surname ("Aarav Shah"), or
- the second is a listed surname that is no English word and the first is a name-shaped word
  that is neither an English word nor a Hinglish one ("Rahul Sharma", "Sunita Iyer").

A place suffix ends no name ("Gandhi Nagar", "Ashok Vihar"), and a pair inside a span the model
calls a place is left to the location policy.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import regex

_PAIR = regex.compile(r"(?<![\p{L}\p{M}\p{N}_.@/-])(\p{Lu}\p{Ll}+)[ \t]+(\p{Lu}\p{Ll}+)"
                      r"(?![\p{L}\p{M}\p{N}_@/-])")
# Words that end Indian place names and are also listed surnames.
_PLACE_SUFFIXES = frozenset({"Nagar", "Puram", "Pur", "Vihar", "Chowk", "Ganj", "Bagh", "Abad"})
# Listed surnames that are everyday romanised Hindi words ("kaam kar", "kal tak", "mann ki baat",
# "das rupaye", "lal rang"): after an unlisted first word they are no evidence.
_HINDI_WORDS = frozenset({"Kar", "Kara", "Tak", "Mann", "Hans", "Kala", "Lal", "Lala", "Chand", "Chanda",
                          "Raja", "Sagar", "Tara", "Dada", "Sur", "Bala", "Mani", "Jani", "Wali", "Das",
                          "Dass", "Gola", "Sama", "Devi", "Dev", "Deo", "Bhat", "Kata", "Sant", "Hari",
                          "Babu", "Bhakta", "Mandal", "Mangal", "Nath", "Sona", "Pandit"})
# Titles and invocations before a name are no given name ("Shri Krishna", "Sant Kabir"); the
# pair after one still counts ("Shri Rakesh Kumar").
_TITLES = frozenset({"Shri", "Sri", "Shree", "Smt", "Kumari", "Sant", "Guru", "Swami", "Jai", "Bhagwan",
                     "Lord", "Mahatma", "Pandit", "Ustad", "Sardar", "Begum", "Sheikh", "Maharaja"})


@lru_cache(maxsize=1)
def _sections() -> dict[str, frozenset[str]]:
    text = resources.files("curate.pii").joinpath("indian_names.txt").read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[] "), [])
        else:
            current.append(line.strip())
    return {name: frozenset(words) for name, words in sections.items()}


def _lists() -> tuple[frozenset[str], frozenset[str]]:
    return _sections()["given"], _sections()["surnames"]


# Two Devanagari words side by side (a joiner or a nukta sign is part of a word).
_DEVANAGARI_PAIR = regex.compile(r"(?<![\u0900-\u097F\u200c\u200d])([\u0900-\u097F\u200c\u200d]+)[ \t]+"
                                 r"([\u0900-\u097F\u200c\u200d]+)(?![\u0900-\u097F\u200c\u200d])")


def devanagari_name_pairs(text: str) -> list[tuple[int, int]]:
    """"राहुल शर्मा": a listed given name followed by a listed surname, both in Devanagari (Faker's
    hi_IN lists). Hindi has no capitals, so only the pair counts: "आशा" alone is hope, "सिंह" a lion."""
    if not regex.search(r"[\u0900-\u097F]", text):
        return []
    sections = _sections()
    given, surnames = sections["given_hi"], sections["surnames_hi"]
    return [m.span() for m in _DEVANAGARI_PAIR.finditer(text, overlapped=True)
            if m.group(1) in given and m.group(2) in surnames]


def indian_name_pairs(text: str) -> list[tuple[int, int]]:
    """Spans of "Given Surname" pairs in `text` (see the module docstring), less the parties of a
    cited case ("Maneka Gandhi v. Union of India": curate/pii/eponyms.py)."""
    from curate.pii.eponyms import a_case_party

    return [m.span() for m in _PAIR.finditer(text, overlapped=True)
            if is_indian_name(m.group(1), m.group(2)) and not a_case_party(text, *m.span())]


def listed_given_name(word: str) -> bool:
    """A given name of the en_IN list that is no English word: evidence only with a context
    (many are Hindi words too: callers say which context counts)."""
    from curate.pii.person_evidence import _word

    return word in _lists()[0] and not _word(word.lower())


def is_indian_name(first: str, second: str) -> bool:
    from curate.passes.language import HINGLISH
    from curate.pii.names import surnames
    from curate.pii.person_evidence import _word

    given, listed_surnames = _lists()
    if second in _PLACE_SUFFIXES or first in _TITLES:
        return False
    if first in given and not _word(first.lower()):
        return second in listed_surnames or second in surnames()
    return (second in listed_surnames and second not in _HINDI_WORDS and len(second) > 2
            and not _word(second.lower()) and not _word(first.lower()) and first.lower() not in HINGLISH)
